"""`capacita import-participants --dry-run` through a real configuration and transaction manager."""
import datetime as dt
from pathlib import Path

import transaction
from sqlalchemy import create_engine, func, select

from participants.models import Person, Registration
from trainings import cli
from trainings.db import make_session_factory
from trainings.models import Region, Training, TrainingKind, TrainingStatus

DATA = Path(__file__).resolve().parents[2] / "participants" / "demo_data"


def _configuration(tmp_path) -> Path:
    path = tmp_path / "dry-run.ini"
    path.write_text(
        "[app:main]\nuse = egg:capacita\n"
        f"sqlalchemy.url = sqlite:///{tmp_path}/dry-run.sqlite\n"
        "session.secret = dry-run-test\n"
        f"jinja2.directories = {cli.__file__.rsplit('/trainings/', 1)[0]}/templates\n"
        f"app.var_dir = {tmp_path}\nmail.file_path = {tmp_path}/mail\n")
    return path


def _counts(engine) -> tuple[int, int]:
    with engine.connect() as connection:
        return (connection.scalar(select(func.count()).select_from(Registration)),
                connection.scalar(select(func.count()).select_from(Person)))


def test_dry_run_reports_and_writes_nothing(tmp_path, capsys):
    ini = _configuration(tmp_path)
    assert cli.main(["-c", str(ini), "migrate"]) == 0
    engine = create_engine(f"sqlite:///{tmp_path}/dry-run.sqlite")
    with make_session_factory(engine)() as session:
        region = Region(country="PE", name="Cusco", city="Cusco", timezone="America/Lima")
        training = Training(title="Taller", kind=TrainingKind.workshop, region=region, capacity=30,
                            status=TrainingStatus.published, starts_on=dt.date(2030, 5, 1),
                            ends_on=dt.date(2030, 5, 2))
        session.add(training)
        session.commit()
        training_id = training.id
    capsys.readouterr()

    status = cli.main(["-c", str(ini), "import-participants", str(training_id), str(DATA / "participants-en.csv"),
                       "--dry-run"])

    out = capsys.readouterr().out
    assert status == 0
    assert "Taller:" in out and " new, " in out and "rejected" in out
    assert _counts(engine) == (0, 0)
    assert transaction.manager.isDoomed() is False
    engine.dispose()
