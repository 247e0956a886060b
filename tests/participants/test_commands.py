from pathlib import Path

from sqlalchemy import select

from participants.models import Registration
from tests import factories
from trainings import cli
from trainings.models import OutboxMessage

DATA = Path(__file__).resolve().parents[2] / "participants" / "demo_data"


def test_import_participants_command(tmp_path, monkeypatch, app_request, dbsession, capsys):
    """The command runs the import service inside the application; here on the test's session."""
    import contextlib

    training = factories.TrainingFactory(capacity=30)
    factories.SessionFactory(training=training)

    @contextlib.contextmanager
    def fake_application(config_uri):
        yield app_request

    monkeypatch.setattr("participants.commands.application", fake_application)
    app_request.tm = _NoCommit(app_request.tm)
    report = tmp_path / "rejected.csv"
    status = cli.main(["import-participants", str(training.id), str(DATA / "participants-en.csv"),
                       "--report", str(report), "--no-email"])
    out = capsys.readouterr().out
    assert status == 0 and "registered" in out and "row 57" not in out
    registrations = dbsession.scalars(select(Registration).where(Registration.training_id == training.id)).all()
    assert len(registrations) > 100 and training.confirmed_count == 30
    assert "alberto.martinez89 at mpfn.gob.pe" in report.read_text(encoding="utf-8")
    # --no-email: neither the private links nor the calendar invitations go out.
    assert dbsession.scalars(select(OutboxMessage)).all() == []


def test_import_participants_refuses_bad_files(tmp_path, capsys):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    assert cli.main(["import-participants", "1", str(tmp_path / "missing.csv")]) == 2
    assert "no such file" in capsys.readouterr().err


class _NoCommit:
    """The test's transaction manager, entered and left without committing."""

    def __init__(self, manager):
        self.manager = manager

    def __enter__(self):
        return self.manager

    def __exit__(self, *exc):
        return False

    def doom(self):
        self.manager.doom()
