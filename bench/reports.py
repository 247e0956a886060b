"""How fast the donor report answers on a database of programme size.

    .venv/bin/python bench/reports.py DATABASE_URL [--runs 5]
    .venv/bin/python bench/reports.py DATABASE_URL --populate --persons 30000 --registrations 100000

Times, against the database the URL names (PostgreSQL; the schema at head): the report over
everything (every figure and breakdown, as the page computes them), the same with a few filters
(a country, a year, an institution kind, an indicator), the first evidence page behind a
number, and the JSON export. Prints the median and the slowest of `--runs` runs, in
milliseconds, and the data's size. `--pages` (on a dataset built by `bench/scale.py`, whose
organiser it logs in as) also times what users open through the whole application: the report
page, with a country and with an indicator, an evidence page, the JSON download and the
indicators' list. Target: ≤ 1 s for the report over everything at 300,000
persons and 1,000,000 registrations (`bench/scale.py` builds that dataset).

`--populate` first fills an EMPTY database (migrated here) with set-based SQL: regions,
institutions, programmes, trainings of five two-hour sessions, persons, registrations, about
four attendance rows per registration (most complete) and a certificate for about half the confirmed
participants. It refuses a database that already has persons.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from participants.models import InstitutionKind, Person, Registration  # noqa: E402
from reports.exports import report_json  # noqa: E402
from reports.facts import refresh_facts  # noqa: E402
from reports.figures import evidence, figures  # noqa: E402
from reports.filters import ReportFilters  # noqa: E402
from reports.models import Indicator  # noqa: E402
from trainings import make_configurator  # noqa: E402
from trainings.db import make_engine, migrate  # noqa: E402
from trainings.models import Training  # noqa: E402

POPULATE = """
INSERT INTO region (country, name, city, timezone, updated_at)
SELECT CASE WHEN n <= 8 THEN 'PE' ELSE 'PY' END, 'Región ' || n, 'Ciudad ' || n,
       CASE WHEN n <= 8 THEN 'America/Lima' ELSE 'America/Asuncion' END, now()
FROM generate_series(1, 12) AS n;

INSERT INTO programme (name, donor, description, updated_at)
SELECT 'Programa ' || n, 'Donante', '', now() FROM generate_series(1, 4) AS n;

INSERT INTO institution (name, kind, country, reviewed, updated_at)
SELECT 'Institución ' || n,
       (ARRAY['prosecution','police','judiciary','government','local_government','ombudsman','ngo',
              'international','academia','other'])[1 + n % 10],
       CASE WHEN n % 3 = 0 THEN 'PY' ELSE 'PE' END, true, now()
FROM generate_series(1, :institutions) AS n;

INSERT INTO training (title, description, kind, programme_id, region_id, language, offered_languages, capacity,
                      confirmed_count, requires_approval, attendance_threshold, late_after_minutes, status,
                      starts_on, ends_on, created_at, updated_at, cancel_reason)
SELECT 'Taller ' || n || CASE WHEN n % 7 = 0 THEN ' de identificación de víctimas' ELSE '' END, '',
       (ARRAY['seminar','workshop','course','conference','other'])[1 + n % 5], 1 + n % 4, 1 + n % 12, 'es', 'es',
       100000, 0, false, 80, 15,
       CASE WHEN n % 25 = 0 THEN 'cancelled' WHEN n % 40 = 0 THEN 'draft' ELSE 'published' END,
       DATE '2025-01-06' + (n % 700), DATE '2025-01-07' + (n % 700), now(), now(), ''
FROM generate_series(1, :trainings) AS n;

INSERT INTO session (training_id, title, topic, starts_at, ends_at, room, position, cancelled, sequence, uid,
                     created_at, updated_at)
SELECT t.id, 'Sesión ' || k, '', t.starts_on + TIME '14:00' + (k * INTERVAL '150 minutes'),
       t.starts_on + TIME '16:00' + (k * INTERVAL '150 minutes'), '', k, (t.id + k) % 20 = 0, 0,
       'bench-' || t.id || '-' || k || '@capacita', now(), now()
FROM training AS t CROSS JOIN generate_series(0, 4) AS k;

INSERT INTO person (given_names, family_names, email, phone, sex, position, institution_id, country, home_region,
                    year_of_birth, preferred_language, created_at, updated_at)
SELECT 'Nombre ' || n, 'Apellido ' || (n % 997), 'persona' || n || '@bench.test', '',
       CASE WHEN n % 20 < 9 THEN 'female' WHEN n % 20 < 18 THEN 'male' WHEN n % 20 = 18 THEN 'other' ELSE NULL END,
       '', 1 + n % :institutions, CASE WHEN n % 3 = 0 THEN 'PY' ELSE 'PE' END,
       CASE WHEN n % 11 = 0 THEN '' ELSE 'Región ' || (1 + n % 12) END,
       CASE WHEN n % 6 = 0 THEN NULL ELSE 1955 + n % 45 END, 'es', now(), now()
FROM generate_series(1, :persons) AS n;

INSERT INTO registration (training_id, person_id, role, status, source, token_hash, created_at, updated_at, note)
SELECT 1 + ((n % :trainings) + (n / :persons) * 13) % :trainings, 1 + n % :persons,
       CASE WHEN n % 50 = 0 THEN 'speaker' WHEN n % 50 = 1 THEN 'moderator' ELSE 'participant' END,
       CASE WHEN n % 10 = 9 THEN 'cancelled' WHEN n % 20 = 8 THEN 'waitlisted' ELSE 'confirmed' END,
       'import', md5(n::text) || md5('r' || n), now(), now(), ''
FROM generate_series(0, :registrations - 1) AS n
ON CONFLICT DO NOTHING;

INSERT INTO attendance (registration_id, session_id, status, method, recorded_at)
SELECT r.id, s.id,
       CASE WHEN (r.id * 7 + s.position * 3) % 100 < 80 THEN 'present'
            WHEN (r.id * 7 + s.position * 3) % 100 < 88 THEN 'late'
            WHEN (r.id * 7 + s.position * 3) % 100 < 92 THEN 'excused' ELSE 'absent' END,
       'manual', now()
FROM registration AS r JOIN session AS s ON s.training_id = r.training_id
WHERE r.status = 'confirmed' AND (r.id + s.position) % 7 <> 0;

INSERT INTO certificate (registration_id, kind, serial, verification_code, language, issued_at, manual_reason,
                         revoke_reason, given_names, family_names, training_title, programme_name, city, country,
                         starts_on, ends_on, minutes, spoke_as_moderator, session_titles)
SELECT r.id, 'attendance', 'B-' || r.id, 'V-' || r.id, 'es', now(), '', '', p.given_names, p.family_names,
       t.title, '', 'Ciudad', 'PE', t.starts_on, t.ends_on, 600, false, '[]'
FROM registration AS r JOIN person AS p ON p.id = r.person_id JOIN training AS t ON t.id = r.training_id
WHERE r.status = 'confirmed' AND r.role = 'participant' AND r.id % 2 = 0;
"""


def populate(engine, persons: int, registrations: int) -> None:
    migrate(engine)
    with Session(engine) as dbsession, dbsession.begin():
        if dbsession.scalar(select(func.count()).select_from(Person)):
            raise SystemExit("--populate needs an empty database: this one has persons already")
        values = {"persons": persons, "registrations": registrations, "institutions": max(persons // 75, 10),
                  "trainings": max(registrations // 200, 10)}
        for statement in POPULATE.split(";\n"):
            if statement.strip():
                started = time.perf_counter()
                dbsession.execute(text(statement), {k: v for k, v in values.items() if f":{k}" in statement})
                print(f"  {statement.split()[2]:<13} {time.perf_counter() - started:6.1f} s", flush=True)
    with engine.connect() as connection:
        connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("VACUUM ANALYZE")


def timed(label: str, runs: int, action) -> None:
    times = []
    for _run in range(runs):
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    print(f"{label:<58} median {statistics.median(times):8.0f} ms   slowest {max(times):8.0f} ms", flush=True)


def make_request(engine, dbsession):
    from pyramid.scripting import prepare

    settings = {"sqlalchemy.url": engine.url.render_as_string(hide_password=False), "session.secret": "bench",
                "pyramid.default_locale_name": "es", "capacita.engine": engine,
                "jinja2.directories": str(ROOT / "templates")}
    registry = make_configurator(settings).registry
    request = prepare(registry=registry)["request"]
    request.environ["app.dbsession"] = dbsession
    return request


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("url", help="the database URL, e.g. postgresql+psycopg://user@host:5432/db")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--populate", action="store_true", help="fill an empty database first")
    parser.add_argument("--persons", type=int, default=30_000)
    parser.add_argument("--registrations", type=int, default=100_000)
    parser.add_argument("--pages", action="store_true", help="also time the pages (a bench/scale.py dataset)")
    args = parser.parse_args()
    engine = make_engine({"sqlalchemy.url": args.url})
    if args.populate:
        print(f"populating: {args.persons:,} persons, {args.registrations:,} registrations", flush=True)
        populate(engine, args.persons, args.registrations)
    refresh_first(engine)
    with Session(engine) as dbsession:
        sizes = {name: dbsession.scalar(select(func.count()).select_from(model))
                 for name, model in (("persons", Person), ("registrations", Registration), ("trainings", Training))}
        print(f"{engine.dialect.name}: " + ", ".join(f"{count:,} {name}" for name, count in sizes.items()))
        first = dbsession.scalar(select(func.min(Training.starts_on)))
        year = {"date_from": first.replace(month=1, day=1), "date_to": first.replace(month=12, day=31)} if first else {}
        filtered = {
            "country PE": ReportFilters(country="PE"),
            f"year {first.year if first else ''}": ReportFilters(**year),
            "country PE, year, police": ReportFilters(country="PE", institution_kind=InstitutionKind.police, **year),
        }
        result = figures(dbsession, ReportFilters())
        print(f"report over everything: {result.totals}")
        timed("report over everything (figures and 7 breakdowns)", args.runs,
              lambda: figures(dbsession, ReportFilters()))
        for label, filters in filtered.items():
            timed(f"report, {label}", args.runs, lambda filters=filters: figures(dbsession, filters))
        indicator = dbsession.scalar(select(Indicator).where(Indicator.preset == "people_completed_by_sex"))
        if indicator is not None:
            timed("report, indicator 'people trained who completed'", args.runs,
                  lambda: figures(dbsession, ReportFilters().with_indicator(indicator)))
        timed("evidence: persons who completed, women, page 1", args.runs,
              lambda: evidence(dbsession, ReportFilters(), "sex", "female", "completed"))
        request = make_request(engine, dbsession)
        timed("JSON export over everything", args.runs, lambda: report_json(request, ReportFilters()))
        indicator_id = indicator.id if indicator is not None else ""
    if args.pages:
        time_pages(args.url, args.runs, indicator_id)


def refresh_first(engine) -> None:
    """Rebuild the facts of the trainings changed since, and commit them, as the worker does every
    few minutes: otherwise the first report would rebuild them inside the timed session, which
    is never committed, and every report after would read facts no other transaction can see
    (a freshly built dataset has all its trainings to rebuild). Then VACUUM, as autovacuum does
    after such a bulk write, so that reports read the facts from their index alone."""
    started = time.perf_counter()
    with Session(engine) as dbsession, dbsession.begin():
        rebuilt = refresh_facts(dbsession)
    print(f"facts of {rebuilt:,} trainings rebuilt first, in {time.perf_counter() - started:.1f} s", flush=True)
    if rebuilt and engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM ANALYZE report_registration_fact")


def time_pages(url: str, runs: int, indicator_id) -> None:
    """The pages through the application (WebTest, no network), logged in as the organiser of
    the dataset `bench/scale.py` builds."""
    from scale import Bench  # bench/scale.py
    from scale_data import ORGANISER_EMAIL, ORGANISER_PASSWORD

    bench = Bench(url, runs)
    bench.log_in(ORGANISER_EMAIL, ORGANISER_PASSWORD)
    print(f"{'page':<46} {'median':>11} {'p95':>11} {'SQL':>5} {'size':>11}")
    bench.measure("report page over everything", "/organiser/reports")
    bench.measure("report page, country PE", "/organiser/reports?country=PE")
    bench.measure("report page, indicator", f"/organiser/reports?indicator={indicator_id}")
    bench.measure("evidence: women who completed, page 1",
                  "/organiser/reports/evidence?measure=completed&dimension=sex&key=female")
    bench.measure("JSON download over everything", "/organiser/reports/report.json", kind="api")
    bench.measure("indicators' list", "/organiser/reports/indicators")


if __name__ == "__main__":
    main()
