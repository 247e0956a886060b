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
import smtplib
import ssl
from dataclasses import dataclass
from email import policy
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

# CRLF, RFC 5322 folding, RFC 2047 encoded words; refuses headers that would break the message.
SMTP_POLICY = policy.SMTP
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
    """The email of an outbox message, with the same Date and Message-ID on every attempt.

    Written under the SMTP policy: CRLF line ends, headers folded as RFC 5322 wants with
    non-ASCII words encoded (RFC 2047), so that a subject of any length and script survives any
    server; text parts in quoted-printable (lines stay under 998 octets whatever their length)."""
    email = EmailMessage(policy=SMTP_POLICY)
    email["Subject"] = message.subject
    email["From"] = sender
    email["To"] = message.recipients
    # RFC 5322 requires the origination date: when the message was queued, ready to go.
    email["Date"] = format_datetime((message.created_at or utcnow()).astimezone(dt.UTC))
    email["Message-ID"] = message_id(message, sender)
    email.set_content(message.body_text, cte="quoted-printable")
    if message.body_html:
        email.add_alternative(message.body_html, subtype="html", cte="quoted-printable")
    if message.calendar:
        # RFC 6047: the iTIP object as a text/calendar alternative with its METHOD, so that
        # mail clients show accept/decline; also attached as a file for the clients that don't.
        # Base64 keeps its CRLF line ends (RFC 5545) intact through any relay.
        calendar = crlf(message.calendar)
        email.add_alternative(calendar, subtype="calendar", params={"method": message.calendar_method},
                              cte="base64")
        email.add_attachment(calendar.encode("utf-8"), maintype="application", subtype="ics",
                             filename="invite.ics")
    for attachment in message.attachments:
        maintype, _, subtype = attachment.content_type.partition("/")
        email.add_attachment(attachment.data, maintype=maintype, subtype=subtype, filename=attachment.filename)
    # Last: set_content() drops the Content-* headers it finds, and making the message multipart
    # moves them into its first part.
    email["Content-Language"] = message.language
    return email


def crlf(text: str) -> str:
    return "\r\n".join(text.splitlines()) + ("\r\n" if text else "")


def _sender_domain(sender: str) -> str:
    address = parseaddr(sender)[1]
    return address.partition("@")[2] or "capacita.local"


class DeliveryUnavailable(Exception):
    """The mail server cannot be reached: no message was at fault, none is counted as tried."""


class MessageRefused(Exception):
    """The mail server refused this message for good (a 5xx answer): retrying cannot help."""


class FileDelivery:
    """Development: each email becomes an .eml file that any mail program opens."""

    def __init__(self, directory: str):
        self.directory = directory

    def send(self, email: EmailMessage, sender: str, recipients: list[str]) -> None:
        os.makedirs(self.directory, exist_ok=True)
        stamp = utcnow().strftime("%Y%m%dT%H%M%S")
        message_id = email["Message-ID"].strip("<>").split("@")[0].replace("/", "_")
        path = os.path.join(self.directory, f"{stamp}-{message_id}.eml")
        partial = path + ".part"
        with open(partial, "wb") as handle:
            handle.write(bytes(email))
        os.replace(partial, path)  # a reader watching the folder never sees half a message

    def close(self) -> None:
        pass


class SMTPDelivery:
    """Production: the standard library's smtplib, one connection kept open for a batch.
    `mail.tls` asks for STARTTLS, `mail.ssl` for SMTP over TLS (port 465); `mail.username`
    and `mail.password` log in."""

    def __init__(self, settings: dict):
        self.host = settings.get("mail.host", "localhost")
        self.ssl = as_bool(settings.get("mail.ssl", False))
        self.port = int(settings.get("mail.port") or (465 if self.ssl else 25))
        self.starttls = as_bool(settings.get("mail.tls", False))
        self.username = settings.get("mail.username") or None
        self.password = settings.get("mail.password") or ""
        self.timeout = float(settings.get("mail.timeout", 30))
        self.connection: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        context = ssl.create_default_context()
        try:
            if self.ssl:
                connection = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=context)
            else:
                connection = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
                if self.starttls:
                    connection.starttls(context=context)
            if self.username:
                connection.login(self.username, self.password)
        except (OSError, smtplib.SMTPException) as error:
            raise DeliveryUnavailable(f"cannot reach the mail server {self.host}:{self.port}: {error}") from error
        return connection

    def send(self, email: EmailMessage, sender: str, recipients: list[str]) -> None:
        if self.connection is None:
            self.connection = self._connect()
        try:
            refused = self.connection.send_message(email, from_addr=parseaddr(sender)[1], to_addrs=recipients)
        except smtplib.SMTPRecipientsRefused as error:
            raise MessageRefused(_smtp_answers(error.recipients)) from error
        except smtplib.SMTPResponseException as error:
            if 500 <= error.smtp_code < 600:
                raise MessageRefused(f"{error.smtp_code} {_text(error.smtp_error)}") from error
            raise  # 4xx: try again later
        except (smtplib.SMTPServerDisconnected, OSError) as error:
            self.close()
            raise DeliveryUnavailable(f"the mail server {self.host}:{self.port} went away: {error}") from error
        if refused:  # delivered to some: the others will not accept it on a retry either
            raise MessageRefused(_smtp_answers(refused))

    def close(self) -> None:
        if self.connection is not None:
            with contextlib.suppress(OSError, smtplib.SMTPException):
                self.connection.quit()
            self.connection = None


def _text(value) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _smtp_answers(refused: dict) -> str:
    return "; ".join(f"{address}: {code} {_text(answer)}" for address, (code, answer) in refused.items())


def delivery_from_settings(settings: dict):
    if settings.get("mail.host"):
        return SMTPDelivery(settings)
    return FileDelivery(settings.get("mail.file_path") or os.path.join(settings.get("app.var_dir", "var"), "mail"))


def retry_delay(attempts: int) -> dt.timedelta:
    """Exponential backoff: 1, 2, 4, 8 … minutes, at most six hours."""
    return min(FIRST_RETRY_DELAY * (2 ** max(attempts - 1, 0)), LONGEST_RETRY_DELAY)


def due_criteria(now: dt.datetime):
    return (OutboxMessage.sent_at.is_(None), OutboxMessage.failed_at.is_(None), OutboxMessage.next_attempt_at <= now)


def pending_ids(dbsession: Session, now: dt.datetime, limit: int) -> list[int]:
    return list(dbsession.scalars(
        select(OutboxMessage.id).where(*due_criteria(now)).order_by(OutboxMessage.id).limit(limit)
    ))


@dataclass
class DeliveryReport:
    sent: int = 0
    retried: int = 0  # failed this time, tried again later
    given_up: int = 0  # failed for good: visible as failed on the outbox page
    unavailable: str = ""  # the mail server could not be reached: the run stopped there

    def __iadd__(self, other: DeliveryReport) -> DeliveryReport:
        self.sent += other.sent
        self.retried += other.retried
        self.given_up += other.given_up
        self.unavailable = other.unavailable or self.unavailable
        return self


def claim(dbsession: Session, message_id: int) -> OutboxMessage | None:
    """The message, locked for this worker, if it is still due. On PostgreSQL another worker's
    claim is skipped (`FOR UPDATE SKIP LOCKED`); the claim moves `next_attempt_at` on and is
    committed before sending, so no other worker picks the message up meanwhile."""
    query = select(OutboxMessage).where(OutboxMessage.id == message_id, *due_criteria(utcnow()))
    if dbsession.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    message = dbsession.scalar(query)
    if message is not None:
        message.attempts += 1
        message.next_attempt_at = utcnow() + retry_delay(message.attempts)
    return message


def deliver_one(transaction_manager, dbsession: Session, message_id: int, delivery, sender: str) -> DeliveryReport:
    """Claim, send and mark one message, each step committed, so that it is never sent twice."""
    with transaction_manager:
        message = claim(dbsession, message_id)
        if message is None:
            return DeliveryReport()
        attempt = message.attempts
        email = build_email(message, sender)
        recipients = [address.strip() for address in message.recipients.split(",") if address.strip()]
    try:
        delivery.send(email, sender, recipients)
    except DeliveryUnavailable as error:
        with transaction_manager:
            release(dbsession.get(OutboxMessage, message_id), str(error))
        return DeliveryReport(unavailable=str(error))
    except Exception as error:  # noqa: BLE001 - any other failure is this message's: retried, then given up
        with transaction_manager:
            given_up = record_failure(dbsession.get(OutboxMessage, message_id), error, attempt)
        return DeliveryReport(given_up=1) if given_up else DeliveryReport(retried=1)
    with transaction_manager:
        forget_content(dbsession.get(OutboxMessage, message_id))
    return DeliveryReport(sent=1)


def release(message: OutboxMessage, error: str) -> None:
    """The server was unreachable: the attempt does not count and the message is due again at
    once, so that it leaves with the first run after the server is back."""
    message.attempts -= 1
    message.next_attempt_at = utcnow()
    message.last_error = error[:2000]


def record_failure(message: OutboxMessage, error: Exception, attempt: int) -> bool:
    """Keep the error; give up after MAX_ATTEMPTS or at once when the server refused the
    message for good. Returns whether it was given up."""
    message.last_error = f"{type(error).__name__}: {error}"[:2000]
    if isinstance(error, MessageRefused) or attempt >= MAX_ATTEMPTS:
        message.failed_at = utcnow()
        log.error("mail %s to %s given up after %s attempt(s): %s", message.id, message.recipients, attempt,
                  message.last_error)
        return True
    log.warning("mail %s not delivered (attempt %s of %s): %s", message.id, attempt, MAX_ATTEMPTS,
                message.last_error)
    return False


def forget_content(message: OutboxMessage) -> None:
    """Mark sent and keep only who was written to, about what, and when. The bodies carried
    private links, whose tokens the database otherwise keeps only as hashes, and certificates:
    kept after delivery, any copy of the database would open every participant's page."""
    message.sent_at = utcnow()
    message.last_error = ""
    message.body_text, message.body_html, message.calendar = "", "", None
    message.attachments.clear()


def deliver_pending(transaction_manager, dbsession: Session, delivery, sender: str, limit: int = 200) -> DeliveryReport:
    """Deliver what is due, in order; stop when the mail server cannot be reached."""
    with transaction_manager:
        ids = pending_ids(dbsession, utcnow(), limit)
    report = DeliveryReport()
    try:
        for message_id in ids:
            report += deliver_one(transaction_manager, dbsession, message_id, delivery, sender)
            if report.unavailable:
                break  # the caller says so (once, not every round)
    finally:
        delivery.close()
    return report


def default_sender(settings: dict) -> str:
    return settings.get("mail.default_sender") or formataddr(("Capacita", "no-reply@capacita.local"))
