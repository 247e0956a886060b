"""How long a 3,000-row participant list takes to preview and to commit (SQLite).

    .venv/bin/python bench/import.py [ROWS]

Generates a list in the style of the shared samples (Spanish headers, Windows-1252, semicolons,
with their mess: duplicates in another case, rows without email, broken emails, blank lines),
imports it into a fresh SQLite database and prints both figures. The target is under 10 s each.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import random
import sys
import tempfile
import time
from pathlib import Path

import transaction
import zope.sqlalchemy
from pyramid.scripting import prepare
from sqlalchemy.orm import Session

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from participants.imports import commit, parse, preview, store_upload  # noqa: E402
from trainings import make_app  # noqa: E402
from trainings.db import make_engine, migrate  # noqa: E402
from trainings.models import Language, Region, Training, TrainingKind, TrainingStatus  # noqa: E402

SAMPLE = ROOT / "participants" / "demo_data" / "participants-es-cp1252.csv"


def generate(rows: int, seed: int = 4) -> bytes:
    """A list like the ministries send, built from the sample's own values."""
    randomiser = random.Random(seed)
    sample = list(csv.reader(io.StringIO(SAMPLE.read_bytes().decode("cp1252")), delimiter=";"))
    header = sample[0]
    body = [row for row in sample[1:] if any(row) and len(row) == len(header)]
    given = [row[0] for row in body if row[0]]
    family = [row[1] for row in body if row[1]]
    phones, sexes = [row[3] for row in body], [row[4] for row in body]
    positions, institutions = [row[5] for row in body], [(row[6], row[7], row[8]) for row in body]
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    previous = []
    for number in range(rows):
        chance = randomiser.random()
        if chance < 0.01:
            writer.writerow([""] * len(header))
            continue
        if chance < 0.03 and previous:
            again = list(randomiser.choice(previous))
            again[0], again[2] = again[0].upper(), f"  {again[2].upper()} "
            writer.writerow(again)
            continue
        first, last = randomiser.choice(given), randomiser.choice(family)
        institution, country, region = randomiser.choice(institutions)
        email = f"{first.split()[0].lower()}.{last.split()[0].lower()}{number}@gob.pe"
        if chance < 0.05:
            email = ""
        elif chance < 0.06:
            email = email.replace("@", " at ")
        row = [first, last if chance > 0.07 else "", email, randomiser.choice(phones), randomiser.choice(sexes),
               randomiser.choice(positions), institution, country, region,
               f"{randomiser.randrange(10**7, 10**8)}" if chance > 0.4 else ""]
        previous.append(row)
        writer.writerow(row)
    return out.getvalue().encode("cp1252", errors="replace")


def main(rows: int = 3000) -> None:
    content = generate(rows)
    with tempfile.TemporaryDirectory() as directory:
        settings = {"sqlalchemy.url": f"sqlite:///{directory}/bench.sqlite", "session.secret": "bench",
                    "app.public_url": "http://capacita.bench", "jinja2.directories": str(ROOT / "templates"),
                    "mail.file_path": f"{directory}/mail"}
        engine = make_engine(settings)
        migrate(engine)
        app = make_app(dict(settings, **{"capacita.engine": engine}))
        manager = transaction.TransactionManager(explicit=True)
        with manager:
            session = Session(bind=engine)
            zope.sqlalchemy.register(session, transaction_manager=manager)
            env = prepare(registry=app.registry)
            request = env["request"]
            request.environ.update({"tm.active": True, "tm.manager": manager, "app.dbsession": session})
            region = Region(country="PE", name="Lima", city="Lima", timezone="America/Lima")
            print(f"rows in file: {rows} ({len(content) / 1024:.0f} KiB, Windows-1252, semicolons)")
            # First into an empty registry (everyone new), then the same list into another
            # training (everyone already in the registry).
            for label in ("empty registry", "same people again"):
                training = Training(title=f"Taller de prueba ({label})", kind=TrainingKind.workshop, region=region,
                                    language=Language.es, capacity=2500, status=TrainingStatus.published,
                                    starts_on=dt.date.today(), ends_on=dt.date.today())
                session.add(training)
                session.flush()
                _measure(request, session, training, content, label)
            env["closer"]()


def _measure(request, session, training, content: bytes, label: str) -> None:
    started = time.perf_counter()
    header, parsed = parse("lista.csv", content)
    planned = preview(session, training, header, parsed)
    preview_seconds = time.perf_counter() - started
    upload = store_upload(session, training, "lista.csv", content, None)
    started = time.perf_counter()
    result = commit(request, upload, training, notify=True)
    commit_seconds = time.perf_counter() - started
    print(f"[{label}] preview: {preview_seconds:.2f} s — {planned.count('create')} new, "
          f"{planned.count('match')} existing, {planned.count('duplicate')} duplicates, "
          f"{planned.count('rejected')} rejected")
    print(f"[{label}] commit:  {commit_seconds:.2f} s — {result.created + result.matched} registered "
          f"({', '.join(f'{n} {s}' for s, n in sorted(result.by_status.items()))}), one email each queued, "
          f"{len(result.rejected)} rejected rows in the report")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3000)
