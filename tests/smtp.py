"""A real SMTP server for the tests: aiosmtpd with its strict defaults (no 8-bit decoding,
lines of at most 1,000 octets with their CRLF, no SMTPUTF8), in this process on a free port."""
from __future__ import annotations

import email
import email.policy
import socket
from email.message import EmailMessage

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Inbox:
    """The aiosmtpd handler: keeps what arrived, or refuses it with `refuse` ("550 …")."""

    def __init__(self):
        self.envelopes = []
        self.refuse: str | None = None

    async def handle_DATA(self, server, session, envelope):
        if self.refuse:
            return self.refuse
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


class SMTPServer:
    """`login=(user, password)` requires AUTH; `tls_context` offers STARTTLS and then requires
    it, or with `implicit_tls` speaks TLS from the first byte (port 465 style)."""

    def __init__(self, login: tuple[str, str] | None = None, tls_context=None, implicit_tls: bool = False):
        self.port = free_port()
        self.inbox = Inbox()
        self.controller: Controller | None = None
        self.options = {}
        if login is not None:
            # (aiosmtpd knows of STARTTLS only; implicit TLS is there from the first byte)
            self.options.update(auth_required=True, authenticator=_authenticator(login),
                                auth_require_tls=tls_context is not None and not implicit_tls)
        if tls_context is not None and implicit_tls:
            self.options.update(ssl_context=tls_context)
        elif tls_context is not None:
            self.options.update(tls_context=tls_context, require_starttls=True)

    def start(self) -> None:
        # (with implicit TLS aiosmtpd warns on every connection that AUTH does not require
        # STARTTLS, though the session is encrypted: setup.cfg ignores that warning)
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port, **self.options)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def settings(self) -> dict:
        return {"mail.host": "127.0.0.1", "mail.port": str(self.port)}

    @property
    def raw(self) -> list[bytes]:
        return [envelope.content for envelope in self.inbox.envelopes]

    @property
    def messages(self) -> list[EmailMessage]:
        return [email.message_from_bytes(raw, policy=email.policy.default) for raw in self.raw]


def _authenticator(login: tuple[str, str]):
    expected = LoginPassword(login[0].encode(), login[1].encode())

    def authenticate(server, session, envelope, mechanism, data):
        return AuthResult(success=data == expected)

    return authenticate
