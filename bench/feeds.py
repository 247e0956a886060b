"""How fast a 1,000-session calendar feed is served: cold (built), from cache, and 304.

    .venv/bin/python bench/feeds.py [--sessions 1000] [--runs 30]

A throw-away SQLite database gets one programme whose training has N sessions (with speakers
and their institutions); the WSGI application answers in-process, so the times printed are
server times (median, milliseconds). Targets: cached under 20 ms, 304 under 5 ms.
"""
from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path

import transaction
import webtest
from sqlalchemy.orm import Session

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from participants.models import Institution, Person  # noqa: E402
from trainings import make_app  # noqa: E402
from trainings.db import make_engine, migrate  # noqa: E402
from trainings.models import (  # noqa: E402
    Programme,
    Region,
    SessionSpeaker,
    Training,
    TrainingKind,
    TrainingSession,
    TrainingStatus,
    Venue,
)
from trainings.timezones import combine_local  # noqa: E402


def populate(engine, sessions: int) -> int:
    with Session(engine) as dbsession, dbsession.begin():
        region = Region(country="PY", name="Central", city="Asunción", timezone="America/Asuncion")
        venue = Venue(region=region, name="Centro de Convenciones «Mariscal López»", address="Av. España 1234",
                      latitude=-25.28, longitude=-57.6)
        programme = Programme(name="Programa regional contra la trata de personas", donor="OIM")
        first_day = dt.date(2025, 3, 3)
        training = Training(title="Diplomado: investigación de la trata, con enfoque de derechos",
                            kind=TrainingKind.course, programme=programme, region=region, venue=venue, capacity=40,
                            status=TrainingStatus.published, starts_on=first_day,
                            ends_on=first_day + dt.timedelta(days=sessions // 4 + 1))
        institution = Institution(name="Ministerio Público, Unidad Especializada", country="PY")
        speakers = [Person(given_names=f"Ponente {n}", family_names="Benítez Ñandutí", institution=institution,
                           email=f"ponente{n}@ministeriopublico.gov.py") for n in range(10)]
        dbsession.add_all([training, *speakers])
        for index in range(sessions):
            day = first_day + dt.timedelta(days=index // 4)
            start = dt.time(8 + 2 * (index % 4))
            session = TrainingSession(
                training=training, title=f"Módulo {index + 1}: marco legal, casos; práctica",
                topic="Identificación de víctimas, asistencia y protección.\nTrabajo en grupos.",
                starts_at=combine_local(day, start, region.timezone),
                ends_at=combine_local(day, dt.time(start.hour + 1, 45), region.timezone),
                room=f"Sala {index % 3 + 1}", position=index)
            session.speakers = [SessionSpeaker(person=speakers[index % 10])]
            dbsession.add(session)
        dbsession.flush()
        return programme.id


class ServerClock:
    """WSGI middleware timing the application alone, from the call to the last byte."""

    def __init__(self, application):
        self.application, self.last = application, 0.0

    def __call__(self, environ, start_response):
        started = time.perf_counter()
        result = self.application(environ, start_response)
        body = b"".join(result)
        if hasattr(result, "close"):
            result.close()
        self.last = (time.perf_counter() - started) * 1000
        return [body]


def timed(app, clock: ServerClock, url: str, headers: dict, status: int, runs: int, before=None) -> list[float]:
    times = []
    for _ in range(runs):
        if before:
            before()
        app.get(url, headers=headers, status=status)
        times.append(clock.last)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        settings = {"sqlalchemy.url": f"sqlite:///{directory}/bench.sqlite", "session.secret": "bench",
                    "app.public_url": "https://capacita.example", "app.var_dir": directory,
                    "jinja2.directories": str(ROOT / "templates"), "throttle.storage": "memory://"}
        engine = make_engine(settings)
        migrate(engine)
        programme_id = populate(engine, args.sessions)
        wsgi = make_app(dict(settings, **{"capacita.engine": engine}))
        clock = ServerClock(wsgi)
        app = webtest.TestApp(clock, extra_environ={"HTTP_HOST": "capacita.example"}, lint=False)
        cache = wsgi.registry["calendar.cache"]
        url = f"/calendar/programmes/{programme_id}.ics"
        first = app.get(url)
        etag = first.headers["ETag"]
        cold = timed(app, clock, url, {}, 200, max(args.runs // 5, 3), before=cache.clear)
        cached = timed(app, clock, url, {}, 200, args.runs)
        not_modified = timed(app, clock, url, {"If-None-Match": etag}, 304, args.runs)
        transaction.manager.abort()
        engine.dispose()
    print(f"feed of {args.sessions} sessions: {len(first.body) / 1024:.0f} KiB; server time, milliseconds")
    for label, values in (("cold (built)", cold), ("cached", cached), ("304 Not Modified", not_modified)):
        print(f"{label:>18}: median {statistics.median(values):8.2f} ms  (min {min(values):.2f}, "
              f"max {max(values):.2f}, {len(values)} runs)")


if __name__ == "__main__":
    main()
