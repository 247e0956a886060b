"""Times the public listing and a training's page with 1,000 trainings and 10,000 sessions.

    .venv/bin/python bench/pages.py [--requests 200]

Builds a throw-away SQLite database in a temporary directory, fills it with bulk inserts,
then requests each page through the WSGI application (WebTest, no network) and prints the
median and 95th percentile of the server time per request, with the number of SQL queries.
Not part of the test run; figures depend on the machine.
"""
from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import tempfile
import time
import uuid
from pathlib import Path

import webtest
from sqlalchemy import event, insert, select

from trainings import make_app
from trainings.db import make_engine, migrate
from trainings.models import Programme, Region, SessionSpeaker, Training, TrainingSession, Venue
from trainings.timezones import combine_local

TRAININGS, SESSIONS_PER_TRAINING = 1_000, 10
ZONES = ["America/Lima", "America/Asuncion", "America/Bogota", "Europe/Madrid"]


def fill(engine) -> int:
    from participants.models import Institution, Person

    rng = random.Random(7)
    today = dt.date.today()
    now = dt.datetime.now(dt.UTC)
    with engine.begin() as connection:
        connection.execute(insert(Region), [
            {"id": n + 1, "country": "PE" if n < 12 else "PY", "name": f"Región {n}", "city": f"Ciudad {n}",
             "timezone": ZONES[n % len(ZONES)], "updated_at": now} for n in range(16)])
        connection.execute(insert(Venue), [
            {"id": n + 1, "region_id": n % 16 + 1, "name": f"Auditorio {n}", "address": "Av. Principal 123",
             "updated_at": now} for n in range(48)])
        connection.execute(insert(Programme), [
            {"id": n + 1, "name": f"Programa {n}", "donor": "OIM", "description": "", "updated_at": now}
            for n in range(5)])
        connection.execute(insert(Institution), [
            {"id": n + 1, "name": f"Fiscalía {n}", "kind": "prosecution", "country": "PE", "updated_at": now}
            for n in range(50)])
        connection.execute(insert(Person), [
            {"id": n + 1, "given_names": f"Nombre{n}", "family_names": f"Apellido{n}", "email": f"p{n}@mp.gob.pe",
             "phone": "", "position": "", "institution_id": n % 50 + 1, "preferred_language": "es",
             "created_at": now, "updated_at": now} for n in range(400)])
        trainings, sessions, speakers = [], [], []
        for n in range(TRAININGS):
            region = n % 16 + 1
            starts_on = today + dt.timedelta(days=rng.randint(-365, 365))
            trainings.append({
                "id": n + 1, "title": f"Taller regional contra la trata de personas {n}",
                "description": "Dos jornadas.",
                "kind": "workshop", "programme_id": n % 5 + 1, "region_id": region, "venue_id": (n % 48) + 1
                if (n % 48) % 16 + 1 == region else None, "language": "es", "offered_languages": "es",
                "capacity": 40, "confirmed_count": rng.randint(0, 40), "requires_approval": False,
                "attendance_threshold": 80, "late_after_minutes": 15,
                "status": rng.choice(["published"] * 8 + ["draft", "cancelled"]),
                "starts_on": starts_on, "ends_on": starts_on + dt.timedelta(days=1), "created_at": now,
                "updated_at": now, "cancel_reason": ""})
            zone = ZONES[(region - 1) % len(ZONES)]
            for k in range(SESSIONS_PER_TRAINING):
                session_id = n * SESSIONS_PER_TRAINING + k + 1
                day = starts_on + dt.timedelta(days=k // 5)
                hour = 8 + k % 5 * 2
                sessions.append({
                    "id": session_id, "training_id": n + 1, "title": f"Sesión {k}", "topic": "Tema",
                    "starts_at": combine_local(day, dt.time(hour), zone),
                    "ends_at": combine_local(day, dt.time(hour + 1, 45), zone),
                    "room": f"Sala {k % 3}", "position": k, "cancelled": False, "sequence": 0,
                    "uid": f"{uuid.uuid4()}@capacita", "created_at": now, "updated_at": now})
                speakers.append({"session_id": session_id, "person_id": rng.randint(1, 400), "role": "speaker"})
        connection.execute(insert(Training), trainings)
        connection.execute(insert(TrainingSession.__table__), sessions)
        connection.execute(insert(SessionSpeaker), speakers)
    return len(sessions)


def measure(app, engine, path: str, requests: int) -> tuple[float, float, int]:
    queries = []
    event.listen(engine, "before_cursor_execute", lambda *args: queries.append(1))
    app.get(path)  # warm caches (templates, compiled statements)
    timings = []
    queries.clear()
    for _ in range(requests):
        started = time.perf_counter()
        app.get(path)
        timings.append((time.perf_counter() - started) * 1000)
    per_request = len(queries) // requests
    timings.sort()
    return statistics.median(timings), timings[int(len(timings) * 0.95) - 1], per_request


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        url = f"sqlite:///{Path(directory) / 'bench.sqlite'}"
        settings = {"sqlalchemy.url": url, "session.secret": "bench", "pyramid.default_locale_name": "es",
                    "jinja2.directories": str(Path(__file__).resolve().parent.parent / "templates"),
                    "app.public_url": "http://capacita.bench", "throttle.storage": "memory://",
                    "mail.file_path": str(Path(directory) / "mail")}
        engine = make_engine(settings)
        migrate(engine)
        sessions = fill(engine)
        app = webtest.TestApp(make_app(dict(settings, **{"capacita.engine": engine})),
                              extra_environ={"HTTP_HOST": "capacita.bench"})
        with engine.connect() as connection:  # a published training, so that the page is really shown
            training_id = connection.execute(select(Training.id).where(Training.status == "published")
                                             .order_by(Training.id).offset(TRAININGS // 2).limit(1)).scalar_one()
        print(f"{TRAININGS} trainings, {sessions} sessions, SQLite; {args.requests} requests per page")
        print(f"{'page':<34} {'median':>9} {'p95':>9} {'queries':>8}")
        month = f"{dt.date.today():%Y-%m}"
        for label, path in [("listing /trainings", "/trainings"),
                            ("listing, filtered by country+month", f"/trainings?country=PE&month={month}"),
                            ("listing, page 5", "/trainings?page=5"),
                            ("training page", f"/trainings/{training_id}"),
                            ("API /api/trainings", "/api/trainings"),
                            ("API /api/trainings/{id}", f"/api/trainings/{training_id}")]:
            app.get(path)  # a 404 or an error stops the benchmark here
            median, p95, queries = measure(app, engine, path, args.requests)
            print(f"{label:<34} {median:>7.1f}ms {p95:>7.1f}ms {queries:>8}")
        engine.dispose()


if __name__ == "__main__":
    main()
