"""A real SMTP server for the tests: aiosmtpd with its strict defaults (no 8-bit decoding,
lines of at most 1,000 octets with their CRLF, no SMTPUTF8), in this process on a free port."""
from __future__ import annotations

import email
import email.policy
import socket
from email.message import EmailMessage

from aiosmtpd.controller import Controller


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
    def __init__(self):
        self.port = free_port()
        self.inbox = Inbox()
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
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
