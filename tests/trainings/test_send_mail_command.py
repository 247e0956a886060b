"""`capacita send-mail` and `capacita worker --once` against a real SMTP server, on a database
of their own (the commands commit)."""
import io

import pytest
from pypdf import PdfReader

from tests.certificates.conftest import ini_with_a_past_training
from trainings.cli import main


@pytest.fixture
def ini(tmp_path, smtp_server):
    return ini_with_a_past_training(tmp_path, f"""mail.host = 127.0.0.1
mail.port = {smtp_server.port}
mail.default_sender = Capacita <no-reply@capacita.example>""")


def test_certificates_go_out_through_smtp_with_their_pdf(ini, smtp_server, capsys):
    path, training_id = ini
    assert main(["-c", str(path), "certificates", "issue", str(training_id)]) == 0
    assert main(["-c", str(path), "send-mail"]) == 0
    assert "5 email(s) sent" in capsys.readouterr().out
    assert len(smtp_server.messages) == 5
    for message in smtp_server.messages:
        [pdf] = [part for part in message.walk() if part.get_content_type() == "application/pdf"]
        assert "https://capacita.example/verify" in PdfReader(io.BytesIO(pdf.get_payload(decode=True))).pages[0] \
            .extract_text()
    assert main(["-c", str(path), "send-mail"]) == 0  # nothing twice
    assert len(smtp_server.messages) == 5


def test_send_mail_exits_non_zero_when_messages_are_given_up(ini, smtp_server, capsys):
    path, training_id = ini
    assert main(["-c", str(path), "certificates", "issue", str(training_id)]) == 0
    smtp_server.inbox.refuse = "554 5.7.1 Message rejected"
    assert main(["-c", str(path), "send-mail"]) == 1
    assert "5 given up" in capsys.readouterr().out


def test_the_worker_exits_non_zero_while_the_server_is_unreachable_then_delivers(ini, smtp_server, capsys):
    path, training_id = ini
    assert main(["-c", str(path), "certificates", "issue", str(training_id)]) == 0
    smtp_server.stop()
    assert main(["-c", str(path), "worker", "--once"]) == 1
    assert "cannot reach the mail server" in capsys.readouterr().out
    smtp_server.start()
    assert main(["-c", str(path), "worker", "--once"]) == 0
    assert len(smtp_server.messages) == 5
