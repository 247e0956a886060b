"""Every kind of email the product queues, delivered through the production path (the worker
with SMTP settings) to a real SMTP server (aiosmtpd, strict defaults), and parsed back."""
import datetime as dt
import io
import logging

import icalendar
import pytest
from pypdf import PdfReader
from sqlalchemy import select

from certificates import services as certificate_services
from participants import registrations
from participants.lost_links import send_lost_links
from participants.notifications import send_registration_mail
from tests import factories
from tests.certificates.conftest import make_past_training
from trainings.events import SessionCancelled, SessionsChanged
from trainings.mail import queue_mail
from trainings.models import OutboxMessage
from trainings.worker import Worker

LONG_TITLE = ("Taller regional de formación especializada para fiscales, jueces, policías y defensores públicos: "
              "identificación, protección y asistencia a víctimas de trata de personas en la Amazonía peruana")
CJK_TITLE = "人口贩运受害者识别与保护培训班（秘鲁·利马）— 第二期"


def worker_for(worker_request, smtp_server) -> Worker:
    return Worker(worker_request, dict(worker_request.registry.settings, **smtp_server.settings))


def queue_every_kind(app_request, dbsession):
    """Confirmation, invitation, waiting list, lost link, update, session cancelled,
    registration cancelled, certificate with its PDF; subjects long and in other scripts."""
    training = factories.TrainingFactory(title=LONG_TITLE, capacity=1)
    first, second = (factories.SessionFactory(training=training, title=title) for title in ("Apertura", "Casos"))
    ana = factories.PersonFactory(given_names="Ana María", family_names="Huamán", email="ana@mpfn.gob.pe")
    registration, token = registrations.register(app_request, training, ana)  # invitation
    send_registration_mail(app_request, registration, token)  # confirmation (as the public form does)
    waiting, token = registrations.register(app_request, training, factories.PersonFactory(email="luis@mpfn.gob.pe"))
    send_registration_mail(app_request, waiting, token)  # on the waiting list
    send_lost_links(app_request, "ana@mpfn.gob.pe")
    first.room, first.sequence = "Sala 2", first.sequence + 1  # as the scheduling service does
    app_request.registry.notify(SessionsChanged(app_request, training, [first]))  # update
    second.cancelled = True
    app_request.registry.notify(SessionCancelled(app_request, second))
    registrations.cancel(app_request, registration)  # CANCEL (and the waiting list's promotion)
    chinese = factories.TrainingFactory(title=CJK_TITLE)
    factories.SessionFactory(training=chinese)
    registrations.register(app_request, chinese, factories.PersonFactory(email="wei@example.cn",
                                                                         preferred_language="en"))
    past = make_past_training(dbsession)
    certificate_services.issue_eligible(app_request, past.training, notify=True)
    dbsession.flush()
    return {message.id: message.subject for message in dbsession.scalars(select(OutboxMessage))}


def test_every_kind_of_message_arrives_whole_through_smtp(app_request, dbsession, worker_request, smtp_server):
    subjects = queue_every_kind(app_request, dbsession)
    assert len(subjects) >= 12
    assert any(len(subject) > 200 for subject in subjects.values())
    report = worker_for(worker_request, smtp_server).run_round()
    assert (report.mail.sent, report.mail.given_up, report.mail.retried) == (len(subjects), 0, 0)

    arrived = smtp_server.messages
    assert sorted(message["Subject"] for message in arrived) == sorted(subjects.values())
    for raw in smtp_server.raw:
        assert raw.count(b"\n") == raw.count(b"\r\n"), "a bare LF"
        assert max(len(line) for line in raw.split(b"\r\n")) <= 998
        raw.decode("ascii")  # 7-bit: nothing depends on the server taking 8BITMIME
    kinds = set()
    for message in arrived:
        assert message["Message-ID"] and message["Date"] and message["Content-Language"]
        for part in message.walk():
            if part.get_content_type() == "text/calendar":
                data = part.get_payload(decode=True)
                assert data.count(b"\n") == data.count(b"\r\n")
                calendar = icalendar.Calendar.from_ical(data)
                assert calendar["METHOD"] == part.get_param("method")
                kinds.add(str(calendar["METHOD"]))
            elif part.get_content_type() == "application/pdf":
                assert len(PdfReader(io.BytesIO(part.get_payload(decode=True))).pages) == 1
                kinds.add("certificate")
    assert kinds == {"REQUEST", "CANCEL", "certificate"}
    assert any(message["Subject"] == f"Invitación: Apertura — {LONG_TITLE}" for message in arrived)
    assert any(CJK_TITLE in message["Subject"] for message in arrived)
    assert any("lista de espera" in message["Subject"] for message in arrived)
    assert any("enlace privado" in message["Subject"] for message in arrived)
    assert any(message["Subject"].startswith("Actualizado") for message in arrived)
    # Delivered messages keep no body (they held private links).
    with worker_request.tm:
        assert {message.body_text for message in worker_request.dbsession.scalars(select(OutboxMessage))} == {""}


def _queue(dbsession, count=3):
    for number in range(count):
        queue_mail(dbsession, to=f"p{number}@example.org", subject=f"Mensaje {number} — ñandú",
                   text="Hola\n" + "x" * 3000)
    dbsession.flush()


def test_a_mail_server_down_for_a_whole_run_loses_nothing_and_sends_nothing_twice(dbsession, worker_request,
                                                                                  smtp_server):
    _queue(dbsession)
    worker = worker_for(worker_request, smtp_server)
    smtp_server.stop()
    report = worker.run_round()
    assert report.mail.sent == 0 and "cannot reach" in report.mail.unavailable
    smtp_server.start()
    assert worker.run_round().mail.sent == 3
    assert worker.run_round().mail.sent == 0
    assert sorted(message["To"] for message in smtp_server.messages) == [f"p{n}@example.org" for n in range(3)]


def test_a_refused_message_is_failed_visible_and_retried_once(admin_app, dbsession, worker_request, smtp_server,
                                                               caplog):
    _queue(dbsession, count=1)
    smtp_server.inbox.refuse = "550 5.7.1 Rejected by policy"
    with caplog.at_level(logging.ERROR, logger="trainings.mail"):
        report = worker_for(worker_request, smtp_server).run_round()
    assert report.mail.given_up == 1
    assert "given up" in caplog.text and "550" in caplog.text
    page = admin_app.get("/organiser/outbox")
    assert "550 5.7.1 Rejected by policy" in page.text and "Mensaje 0" in page.text
    assert "Hola" not in page.text  # never the body
    smtp_server.inbox.refuse = None
    retry = page.forms[1]  # one message's Retry (the first form is "retry all")
    retry.submit(status=302)
    dbsession.expire_all()
    assert worker_for(worker_request, smtp_server).run_round().mail.sent == 1
    assert worker_for(worker_request, smtp_server).run_round().mail.sent == 0
    assert len(smtp_server.messages) == 1
    dbsession.expire_all()
    page = admin_app.get("/organiser/outbox").text
    assert "Nada está esperando" in page and "Última entrega:" in page


def test_after_the_last_attempt_a_message_is_given_up(dbsession, worker_request, smtp_server):
    from trainings import mail

    _queue(dbsession, count=1)
    smtp_server.inbox.refuse = "451 4.3.0 Try again later"
    worker = worker_for(worker_request, smtp_server)
    for _attempt in range(mail.MAX_ATTEMPTS):
        with worker_request.tm:
            for message in worker_request.dbsession.scalars(select(OutboxMessage)):
                message.next_attempt_at = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
        report = worker.run_round()
    assert report.mail.given_up == 1
    with worker_request.tm:
        [message] = worker_request.dbsession.scalars(select(OutboxMessage))
        assert message.state == "failed" and "451" in message.last_error
        assert message.attempts == mail.MAX_ATTEMPTS


def test_the_dashboard_warns_when_mail_waits_more_than_ten_minutes(organiser_app, dbsession):
    _queue(dbsession, count=1)
    warning = "el trabajador de correo no está en marcha"
    assert warning not in organiser_app.get("/organiser").text
    dbsession.scalars(select(OutboxMessage)).one().created_at = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=11)
    dbsession.flush()
    assert warning in organiser_app.get("/organiser").text


def test_only_administrators_open_the_outbox(organiser_app):
    organiser_app.get("/organiser/outbox", status=403)


@pytest.mark.parametrize("subject", [LONG_TITLE + " " + LONG_TITLE[:40], CJK_TITLE * 3, "Ünïcödé " * 40])
def test_subjects_of_any_length_and_script_arrive_as_written(dbsession, worker_request, smtp_server, subject):
    queue_mail(dbsession, to="ana@example.org", subject=subject[:300], text="—")
    dbsession.flush()
    assert worker_for(worker_request, smtp_server).run_round().mail.sent == 1
    [message] = smtp_server.messages
    assert message["Subject"] == subject[:300]


def test_an_unreachable_server_is_logged_once_not_every_round(dbsession, worker_request, smtp_server, caplog):
    _queue(dbsession, count=1)
    worker = worker_for(worker_request, smtp_server)
    smtp_server.stop()
    with caplog.at_level(logging.INFO, logger="trainings.worker"):
        worker.run_round()
        worker.run_round()
        smtp_server.start()
        worker.run_round()
    messages = [record.getMessage() for record in caplog.records]
    assert sum("paused" in message for message in messages) == 1
    assert sum("resumed" in message for message in messages) == 1
