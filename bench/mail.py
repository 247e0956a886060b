"""How many emails a second the outbox delivers through SMTP, the production path.

    .venv/bin/python bench/mail.py [--messages 500] [--workers 1]

A throw-away SQLite database (or DATABASE_URL, e.g. PostgreSQL, to try several workers) gets
N queued messages like the product's invitations (text, HTML, a text/calendar part and its
invite.ics), then `deliver_pending` sends them to a local aiosmtpd server (strict defaults,
in this process). Prints messages per second and the share that arrived intact.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import transaction
import zope.sqlalchemy
from sqlalchemy import delete
from sqlalchemy.orm import Session

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.smtp import SMTPServer  # noqa: E402
from trainings.db import make_engine, migrate  # noqa: E402
from trainings.mail import SMTPDelivery, deliver_pending, queue_mail  # noqa: E402
from trainings.models import OutboxMessage  # noqa: E402

SENDER = "Capacita <no-reply@capacita.example>"
CALENDAR = "\r\n".join([
    "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Capacita//bench//ES", "METHOD:REQUEST", "BEGIN:VEVENT",
    "UID:bench@capacita", "DTSTAMP:20261207T000000Z", "DTSTART:20261217T120000Z", "DTEND:20261217T133000Z",
    "SUMMARY:Reintegración y asistencia a víctimas — Seminario de alto nivel", "END:VEVENT", "END:VCALENDAR", ""])


def queue(engine, count: int) -> list[int]:
    subject = "Invitación: Reintegración y asistencia a víctimas — Seminario de alto nivel: respuesta del " \
              "Ministerio Público frente a la trata de personas"
    with Session(engine) as session, session.begin():
        messages = [queue_mail(session, to=f"participante{n}@example.org", subject=subject,
                               text="Hola Ana María,\n\n" + "Su plaza está confirmada. " * 40,
                               html="<!doctype html><p>" + "Su plaza está confirmada. " * 40 + "</p>",
                               calendar=CALENDAR, calendar_method="REQUEST") for n in range(count)]
        session.flush()
        return [message.id for message in messages]


def work(engine, port: int) -> None:
    manager = transaction.TransactionManager(explicit=True)
    session = Session(engine)
    zope.sqlalchemy.register(session, transaction_manager=manager)
    delivery = SMTPDelivery({"mail.host": "127.0.0.1", "mail.port": str(port)})
    try:
        while deliver_pending(manager, session, delivery, SENDER).sent:
            pass
    finally:
        session.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=500)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    directory = tempfile.mkdtemp(prefix="capacita-bench-mail-")
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{directory}/bench.sqlite"
    engine = make_engine({"sqlalchemy.url": url})
    migrate(engine)
    server = SMTPServer()
    server.start()
    rates = []
    try:
        for _run in range(args.runs):
            server.inbox.envelopes.clear()
            ids = queue(engine, args.messages)
            started = time.perf_counter()
            threads = [threading.Thread(target=work, args=(engine, server.port)) for _ in range(args.workers)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            elapsed = time.perf_counter() - started
            arrived = server.raw
            intact = sum(raw.count(b"\n") == raw.count(b"\r\n") for raw in arrived)
            rates.append(len(arrived) / elapsed)
            print(f"{len(arrived)} of {len(ids)} delivered in {elapsed:.2f} s: {rates[-1]:.0f} messages/s, "
                  f"{intact} with CRLF only, {len({raw for raw in arrived})} distinct")
            with Session(engine) as session, session.begin():
                session.execute(delete(OutboxMessage).where(OutboxMessage.id.in_(ids)))
    finally:
        server.stop()
        engine.dispose()
    print(f"median over {args.runs} runs, {args.workers} worker(s), {engine.dialect.name}: "
          f"{statistics.median(rates):.0f} messages/s")


if __name__ == "__main__":
    main()
