"""How long a QR check-in takes on the server, with 300 participants and 10 sessions.

Runs the real WSGI application on a temporary SQLite database, logs an organiser in, and times
N scan requests (each one commits its own transaction, as in production), then prints the
median and 95th percentile. The time measured includes WebTest's own overhead, so the server's
share is a little lower than printed.

    .venv/bin/python bench/checkin.py [N]
"""
from __future__ import annotations

import datetime as dt
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

import transaction
import webtest

from participants.attendance.qr import make_token
from participants.models import Institution, Person, Registration, RegistrationStatus
from participants.tokens import new_token
from trainings import make_app
from trainings.accounts import create_user
from trainings.db import make_engine, make_session_factory, migrate
from trainings.models import Region, Training, TrainingKind, TrainingSession, TrainingStatus, utcnow

ROOT = Path(__file__).resolve().parent.parent
SECRET = "bench-secret"
PEOPLE, SESSIONS = 300, 10


def build(engine) -> tuple[int, list[int], list[str]]:
    session = make_session_factory(engine)()
    region = Region(country="PE", name="Cusco", city="Cusco", timezone="America/Lima")
    institution = Institution(name="Ministerio Público — Fiscalía de la Nación", country="PE")
    now = utcnow()
    training = Training(title="Taller de banco de pruebas", kind=TrainingKind.workshop, region=region,
                        capacity=PEOPLE, confirmed_count=PEOPLE, status=TrainingStatus.published,
                        starts_on=now.date(), ends_on=now.date() + dt.timedelta(days=4))
    for number in range(SESSIONS):
        starts = now - dt.timedelta(minutes=5) + dt.timedelta(hours=4 * number)
        training.sessions.append(TrainingSession(title=f"Sesión {number + 1}", starts_at=starts,
                                                 ends_at=starts + dt.timedelta(hours=2)))
    registrations = []
    for number in range(PEOPLE):
        person = Person(given_names=f"Participante {number}", family_names=f"Quispe Núñez {number:03d}",
                        email=f"persona{number}@mpfn.gob.pe", institution=institution, country="PE")
        registrations.append(Registration(training=training, person=person, status=RegistrationStatus.confirmed,
                                          token_hash=new_token()[1]))
    session.add_all([training, *registrations])
    create_user(session, "bench@capacita.test", "correct horse battery")
    session.commit()
    codes = [make_token(SECRET, registration) for registration in registrations]
    result = training.id, [s.id for s in training.sessions], codes
    session.close()
    return result


def main(count: int = 200) -> None:
    with tempfile.TemporaryDirectory() as directory:
        settings = {
            "sqlalchemy.url": f"sqlite:///{directory}/bench.sqlite", "session.secret": SECRET,
            "jinja2.directories": str(ROOT / "templates"), "app.public_url": "http://capacita.test",
            "app.var_dir": directory, "mail.file_path": f"{directory}/mail", "throttle.storage": "memory://",
            "mail.default_sender": "Capacita <no-reply@capacita.test>",
        }
        engine = make_engine(settings)
        migrate(engine)
        training_id, session_ids, codes = build(engine)
        app = webtest.TestApp(make_app(dict(settings, **{"capacita.engine": engine})),
                              extra_environ={"HTTP_HOST": "capacita.test"})
        login = app.get("/login")
        login.forms["form"]["email"], login.forms["form"]["password"] = "bench@capacita.test", "correct horse battery"
        login.forms["form"].submit("submit")
        page = app.get(f"/organiser/trainings/{training_id}/checkin")
        csrf = re.search(r'data-csrf="([^"]+)"', page.text).group(1)
        timings, results = [], {}
        for number in range(count):
            code = codes[number % len(codes)]  # past 300, the same codes again: "already"
            session_id = session_ids[number // len(codes) % len(session_ids)]
            started = time.perf_counter()
            response = app.post_json(f"/organiser/trainings/{training_id}/checkin/scan",
                                     {"code": code, "session": session_id}, headers={"X-CSRF-Token": csrf})
            timings.append((time.perf_counter() - started) * 1000)
            results[response.json["result"]] = results.get(response.json["result"], 0) + 1
        transaction.abort()
        engine.dispose()
    timings.sort()
    p95 = timings[max(int(len(timings) * 0.95) - 1, 0)]
    print(f"{count} QR check-ins, {PEOPLE} participants, {SESSIONS} sessions (SQLite): "
          f"median {statistics.median(timings):.1f} ms, p95 {p95:.1f} ms; results {results}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
