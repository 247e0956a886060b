"""The outbox: queued in the caller's transaction, delivered once, retried with backoff."""
import datetime as dt
import email
import email.utils

import pytest
from sqlalchemy import func, select

from trainings.mail import FileDelivery, build_email, deliver_pending, queue_mail, retry_delay, speaking
from trainings.models import OutboxMessage

SENDER = "Capacita <no-reply@capacita.test>"


class RecordingDelivery:
    def __init__(self, failures=0):
        self.sent, self.attempted, self.failures = [], [], failures

    def send(self, message, sender, recipients):
        self.attempted.append(message)
        if self.failures:
            self.failures -= 1
            raise ConnectionRefusedError("smtp down")
        self.sent.append((message, recipients))

    def close(self):
        pass


@pytest.fixture
def worker(worker_session):
    return worker_session


@pytest.fixture
def queued(worker):
    manager, dbsession = worker
    with manager:
        message_id = _queue(dbsession).id
    return dbsession, message_id


def _queue(dbsession):
    message = queue_mail(dbsession, to=["ana@example.org"], subject="Confirmación", text="Hola Ñahui",
                         html="<p>Hola Ñahui</p>", calendar="BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n",
                         calendar_method="REQUEST", attachments=[("a.pdf", "application/pdf", b"%PDF-1.4")])
    dbsession.flush()
    return message


def test_an_email_has_text_html_calendar_and_attachments(dbsession):
    parsed = email.message_from_bytes(bytes(build_email(_queue(dbsession), SENDER)))
    types = [part.get_content_type() for part in parsed.walk()]
    assert {"text/plain", "text/html", "text/calendar", "application/pdf"} <= set(types)
    calendar = next(part for part in parsed.walk() if part.get_content_type() == "text/calendar")
    assert calendar.get_param("method") == "REQUEST"
    assert "outbox-" in parsed["Message-ID"]
    assert parsed["Date"] and parsed["Content-Language"] == "es"


def test_headers_date_language_and_a_message_id_that_survives_retries(worker, queued):
    manager, dbsession = worker
    _, message_id = queued
    with manager:
        french = queue_mail(dbsession, to="claire@example.org", subject="s", text="Bonjour", language="fr")
        dbsession.flush()
        french_id = french.id
    delivery = RecordingDelivery(failures=1)
    deliver_pending(manager, dbsession, delivery, SENDER)  # the first attempt fails, the French one goes
    with manager:
        dbsession.get(OutboxMessage, message_id).next_attempt_at = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    deliver_pending(manager, dbsession, delivery, SENDER)  # the retry
    failed, french, retried = delivery.attempted
    assert retried["Message-ID"] == failed["Message-ID"] != french["Message-ID"]
    assert retried["Date"] == failed["Date"]
    assert retried["Message-ID"].startswith(f"<outbox-{message_id}.")
    assert retried["Message-ID"].endswith("@capacita.test>")
    for sent, language in ((retried, "es"), (french, "fr")):
        parsed = email.message_from_bytes(bytes(sent))
        assert parsed["Content-Language"] == language
    with manager:
        queued_at = dbsession.get(OutboxMessage, french_id).created_at
    assert email.utils.parsedate_to_datetime(french["Date"]) == queued_at.replace(microsecond=0)


def test_delivery_marks_sent_and_never_sends_twice(worker, queued):
    manager, dbsession = worker
    _, message_id = queued
    delivery = RecordingDelivery()
    assert deliver_pending(manager, dbsession, delivery, SENDER).sent == 1
    assert deliver_pending(manager, dbsession, delivery, SENDER).sent == 0
    assert len(delivery.sent) == 1
    with manager:
        sent = dbsession.get(OutboxMessage, message_id)
        assert sent.sent_at is not None and sent.subject
        # Private links and certificates do not outlive delivery in the database.
        assert (sent.body_text, sent.body_html, sent.calendar, sent.attachments) == ("", "", None, [])


def test_a_failure_is_retried_later_with_backoff(worker, queued):
    manager, dbsession = worker
    _, message_id = queued
    delivery = RecordingDelivery(failures=1)
    assert deliver_pending(manager, dbsession, delivery, SENDER).sent == 0
    with manager:
        message = dbsession.get(OutboxMessage, message_id)
        assert message.attempts == 1 and "smtp down" in message.last_error
        assert message.next_attempt_at > dt.datetime.now(dt.UTC)
    assert deliver_pending(manager, dbsession, delivery, SENDER).sent == 0  # not due yet
    with manager:
        dbsession.get(OutboxMessage, message_id).next_attempt_at = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    assert deliver_pending(manager, dbsession, delivery, SENDER).sent == 1


def test_backoff_doubles_up_to_a_ceiling():
    assert [retry_delay(n).total_seconds() / 60 for n in (1, 2, 3, 4)] == [1, 2, 4, 8]
    assert retry_delay(30) == dt.timedelta(hours=6)


def test_development_mail_goes_to_files(tmp_path, dbsession):
    FileDelivery(str(tmp_path)).send(build_email(_queue(dbsession), SENDER), SENDER, ["ana@example.org"])
    [written] = list(tmp_path.glob("*.eml"))
    assert "Confirmación" in email.message_from_bytes(written.read_bytes(), policy=email.policy.default)["Subject"]


def test_templates_render_in_the_recipients_language(app_request):
    with speaking(app_request, "fr") as localizer:
        from trainings.i18n import _

        assert localizer.translate(_("Log in")) == "Se connecter"
    assert app_request.localizer.translate(_("Log in")) == "Iniciar sesión"


def test_a_rolled_back_change_sends_nothing(dbsession):
    with dbsession.begin_nested() as savepoint:
        queue_mail(dbsession, to="x@example.org", subject="s", text="t")
        dbsession.flush()
        savepoint.rollback()
    assert dbsession.scalar(select(func.count()).select_from(OutboxMessage)) == 0
