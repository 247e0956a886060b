"""`capacita certificates issue|export`, on a database of their own (the commands commit)."""
import io
import zipfile

import pytest
from pypdf import PdfReader

from certificates.commands import Progress
from trainings.cli import main

from .conftest import ini_with_a_past_training


@pytest.fixture
def ini(tmp_path):
    return ini_with_a_past_training(tmp_path)


def test_issue_then_export_zip_and_pdf(ini, tmp_path, capsys):
    path, training_id = ini
    assert main(["-c", str(path), "certificates", "issue", str(training_id)]) == 0
    assert "5 certificate(s) issued" in capsys.readouterr().out
    assert main(["-c", str(path), "certificates", "issue", str(training_id)]) == 0
    assert "0 certificate(s) issued" in capsys.readouterr().out
    assert main(["-c", str(path), "certificates", "export", str(training_id), str(tmp_path / "out.zip")]) == 0
    output = capsys.readouterr()
    assert "5 certificate(s) written" in output.out and "certificates: 5/5" in output.err
    assert len(zipfile.ZipFile(tmp_path / "out.zip").namelist()) == 5
    assert main(["-c", str(path), "certificates", "export", str(training_id), str(tmp_path / "all.pdf")]) == 0
    reader = PdfReader(tmp_path / "all.pdf")
    assert len(reader.pages) == 5
    assert "https://capacita.example/verify" in reader.pages[0].extract_text()


def test_bad_arguments(ini, tmp_path, capsys):
    path, training_id = ini
    assert main(["-c", str(path), "certificates", "export", str(training_id), str(tmp_path / "out.txt")]) == 2
    assert ".zip or .pdf" in capsys.readouterr().err
    assert main(["-c", str(path), "certificates", "issue", "999999"]) == 2
    assert main(["-c", str(path), "certificates", "export", str(training_id), str(tmp_path / "x.zip")]) == 2
    assert "no valid certificates" in capsys.readouterr().err


def test_progress_lines_without_a_terminal():
    stream = io.StringIO()
    progress = Progress(20, "certificates", stream)
    for done in range(1, 21):
        progress(done)
    lines = stream.getvalue().splitlines()
    assert lines[-1] == "certificates: 20/20" and len(lines) == 11
