"""The one mail path. Code that must tell someone something queues an `OutboxMessage` in the
same transaction as the change that causes it (`queue_mail`), so a rolled-back change never
sends mail and a committed one always does; `capacita send-mail` delivers the queue
(`deliver_pending`) through SMTP, or into files under var/mail in development.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, parseaddr

from pyramid.i18n import make_localizer
from pyramid.interfaces import ITranslationDirectories
from pyramid.renderers import render
from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import OutboxAttachment, OutboxMessage, utcnow
from .settings import as_bool

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
FIRST_RETRY_DELAY = dt.timedelta(minutes=1)
LONGEST_RETRY_DELAY = dt.timedelta(hours=6)


def queue_mail(dbsession: Session, *, to, subject: str, text: str, html: str = "", language: str = "es",
               calendar: str | None = None, calendar_method: str | None = None,
               attachments=()) -> OutboxMessage:
    """Queue one email. `to` is an address or a list of them; `attachments` are
    (filename, content_type, bytes) triples."""
    recipients = [to] if isinstance(to, str) else list(to)
    message = OutboxMessage(
        recipients=", ".join(recipients), subject=subject, body_text=text, body_html=html,
        language=language, calendar=calendar, calendar_method=calendar_method,
    )
    message.attachments = [
        OutboxAttachment(filename=name, content_type=content_type, data=data)
        for name, content_type, data in attachments
    ]
    dbsession.add(message)
    return message


def localizer_for(request, language: str):
    # Loading the catalogs is slow; a bulk operation (an import of thousands) renders one
    # email per person, so each language's localizer is made once per application.
    cache = request.registry.__dict__.setdefault("_mail_localizers", {})
    if language not in cache:
        directories = request.registry.queryUtility(ITranslationDirectories, default=[])
        cache[language] = make_localizer(language, directories)
    return cache[language]


@contextlib.contextmanager
def speaking(request, language: str):
    """Render templates and translate strings in `language` for the duration (emails go out
    in the recipient's language, not the language of whoever caused them)."""
    saved = {name: request.__dict__.get(name) for name in ("localizer", "locale_name")}
    request.localizer = localizer_for(request, language)
    request.locale_name = language
    try:
        yield request.localizer
    finally:
        for name, value in saved.items():
            if value is None:
                request.__dict__.pop(name, None)
            else:
                request.__dict__[name] = value


def render_mail(request, template: str, values: dict, language: str) -> tuple[str, str]:
    """Render `template`.txt.jinja2 and `template`.html.jinja2 in `language`."""
    with speaking(request, language):
        text = render(f"{template}.txt.jinja2", values, request=request)
        html = render(f"{template}.html.jinja2", values, request=request)
    return text, html


def message_id(message: OutboxMessage, sender: str) -> str:
    """The Message-ID of an outbox message: derived from its row, so that every attempt to send
    it carries the same one and mail servers and clients drop a copy delivered twice (a retry
    after a timeout that had in fact delivered). The row's creation instant keeps two
    installations sending from one domain apart."""
    stamp = f".{message.created_at.astimezone(dt.UTC):%Y%m%d%H%M%S}" if message.created_at else ""
    return f"<outbox-{message.id}{stamp}@{_sender_domain(sender)}>"


def build_email(message: OutboxMessage, sender: str) -> EmailMessage:
    """The email of an outbox message, with the same Date and Message-ID on every attempt."""
    email = EmailMessage()
    email["Subject"] = message.subject
    email["From"] = sender
    email["To"] = message.recipients
    # RFC 5322 requires the origination date: when the message was queued, ready to go.
    email["Date"] = format_datetime((message.created_at or utcnow()).astimezone(dt.UTC))
    email["Message-ID"] = message_id(message, sender)
    email.set_content(message.body_text)
    if message.body_html:
        email.add_alternative(message.body_html, subtype="html")
    if message.calendar:
        # RFC 6047: the iTIP object as a text/calendar alternative with its METHOD, so that
        # mail clients show accept/decline; also attached as a file for the clients that don't.
        email.add_alternative(message.calendar, subtype="calendar", params={"method": message.calendar_method})
        email.add_attachment(message.calendar.encode("utf-8"), maintype="application", subtype="ics",
                             filename="invite.ics")
    for attachment in message.attachments:
        maintype, _, subtype = attachment.content_type.partition("/")
        email.add_attachment(attachment.data, maintype=maintype, subtype=subtype, filename=attachment.filename)
    # Last: set_content() drops the Content-* headers it finds, and making the message multipart
    # moves them into its first part.
    email["Content-Language"] = message.language
    return email


def _sender_domain(sender: str) -> str:
    address = parseaddr(sender)[1]
    return address.partition("@")[2] or "capacita.local"


class FileDelivery:
    """Development: each email becomes an .eml file that any mail program opens."""

    def __init__(self, directory: str):
        self.directory = directory

    def send(self, email: EmailMessage, sender: str, recipients: list[str]) -> None:
        os.makedirs(self.directory, exist_ok=True)
        stamp = utcnow().strftime("%Y%m%dT%H%M%S")
        message_id = email["Message-ID"].strip("<>").split("@")[0].replace("/", "_")
        path = os.path.join(self.directory, f"{stamp}-{message_id}.eml")
        with open(path, "wb") as handle:
            handle.write(bytes(email))


class SMTPDelivery:
    """Production: SMTP through pyramid_mailer's mailer (TLS and authentication from settings)."""

    def __init__(self, settings: dict):
        from pyramid_mailer.mailer import Mailer

        self.mailer = Mailer(
            host=settings.get("mail.host", "localhost"),
            port=int(settings.get("mail.port", 25)),
            username=settings.get("mail.username") or None,
            password=settings.get("mail.password") or None,
            tls=as_bool(settings.get("mail.tls", False)),
        )

    def send(self, email: EmailMessage, sender: str, recipients: list[str]) -> None:
        self.mailer.smtp_mailer.send(sender, recipients, email)


def delivery_from_settings(settings: dict):
    if settings.get("mail.host"):
        return SMTPDelivery(settings)
    return FileDelivery(settings.get("mail.file_path") or os.path.join(settings.get("app.var_dir", "var"), "mail"))


def retry_delay(attempts: int) -> dt.timedelta:
    """Exponential backoff: 1, 2, 4, 8 … minutes, at most six hours."""
    return min(FIRST_RETRY_DELAY * (2 ** max(attempts - 1, 0)), LONGEST_RETRY_DELAY)


def pending_ids(dbsession: Session, now: dt.datetime, limit: int) -> list[int]:
    return list(dbsession.scalars(
        select(OutboxMessage.id)
        .where(OutboxMessage.sent_at.is_(None), OutboxMessage.next_attempt_at <= now,
               OutboxMessage.attempts < MAX_ATTEMPTS)
        .order_by(OutboxMessage.id).limit(limit)
    ))


def deliver_one(transaction_manager, dbsession: Session, message_id: int, delivery, sender: str) -> bool:
    """Claim, send and mark one message, each step committed, so that it is never sent twice:
    the claim (attempt counted, next attempt pushed back) is committed before sending, and a
    message already claimed or sent by another worker is skipped."""
    with transaction_manager:
        query = select(OutboxMessage).where(OutboxMessage.id == message_id, OutboxMessage.sent_at.is_(None),
                                            OutboxMessage.next_attempt_at <= utcnow())
        if dbsession.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        message = dbsession.scalar(query)
        if message is None:
            return False
        message.attempts += 1
        attempt = message.attempts
        message.next_attempt_at = utcnow() + retry_delay(attempt)
        email = build_email(message, sender)
        recipients = [address.strip() for address in message.recipients.split(",") if address.strip()]
    try:
        delivery.send(email, sender, recipients)
    except Exception as error:  # noqa: BLE001 - any delivery failure is retried later
        log.warning("mail %s not delivered (attempt %s): %s", message_id, attempt, error)
        with transaction_manager:
            dbsession.get(OutboxMessage, message_id).last_error = str(error)[:2000]
        return False
    with transaction_manager:
        forget_content(dbsession.get(OutboxMessage, message_id))
    return True


def forget_content(message: OutboxMessage) -> None:
    """Mark sent and keep only who was written to, about what, and when. The bodies carried
    private links, whose tokens the database otherwise keeps only as hashes, and certificates:
    kept after delivery, any copy of the database would open every participant's page."""
    message.sent_at = utcnow()
    message.body_text, message.body_html, message.calendar = "", "", None
    message.attachments.clear()


def deliver_pending(transaction_manager, dbsession: Session, delivery, sender: str, limit: int = 200) -> int:
    """Deliver what is due; returns how many were sent."""
    with transaction_manager:
        ids = pending_ids(dbsession, utcnow(), limit)
    return sum(deliver_one(transaction_manager, dbsession, message_id, delivery, sender) for message_id in ids)


def default_sender(settings: dict) -> str:
    return settings.get("mail.default_sender") or formataddr(("Capacita", "no-reply@capacita.local"))
