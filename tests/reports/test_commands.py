"""`capacita report`: the same totals as the page, as JSON, XLSX or CSV."""
from __future__ import annotations

import contextlib
import io
import json

from openpyxl import load_workbook

from tests.participants.test_commands import _NoCommit
from trainings import cli


@contextlib.contextmanager
def _on_the_test_session(monkeypatch, app_request):
    @contextlib.contextmanager
    def fake_application(config_uri):
        yield app_request

    monkeypatch.setattr("reports.commands.application", fake_application)
    app_request.tm = _NoCommit(app_request.tm)
    yield


def test_json_gives_the_same_totals_as_the_page(monkeypatch, app_request, past, organiser_app, capsys):
    page = organiser_app.get("/organiser/reports/report.json", {"country": "PE"}).json
    with _on_the_test_session(monkeypatch, app_request):
        assert cli.main(["report", "--country", "PE", "--format", "json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    for key in ("participations", "persons", "completed", "certificates"):
        assert printed[key] == page[key], key
    assert printed["persons"] == 6 and printed["completed"] == 4
    assert set(printed["by"]) >= {"sex", "institution_kind", "institution", "age_band"}
    assert set(printed["by"]["sex"][0]) >= {"key", "label", "participations", "persons", "completed"}


def test_xlsx_and_csv_written_to_a_file(monkeypatch, app_request, past, tmp_path, capsys):
    with _on_the_test_session(monkeypatch, app_request):
        assert cli.main(["report", "--format", "xlsx", "--output", str(tmp_path / "r.xlsx")]) == 0
        assert cli.main(["report", "--format", "csv", "--language", "en", "--output", str(tmp_path / "r.csv")]) == 0
    workbook = load_workbook(io.BytesIO((tmp_path / "r.xlsx").read_bytes()))
    summary = {row[0]: row[1] for row in workbook.worksheets[0].iter_rows(min_row=2, values_only=True)}
    assert 6 in summary.values()
    assert (tmp_path / "r.csv").read_text(encoding="utf-8-sig").splitlines()[1].startswith('"Total","","6","6","4"')


def test_bad_filters_are_refused_with_the_reason(monkeypatch, app_request, capsys):
    with _on_the_test_session(monkeypatch, app_request):
        assert cli.main(["report", "--from", "2026-02-30"]) == 2
    assert "--from" in capsys.readouterr().err
