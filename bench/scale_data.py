"""The programme-scale dataset on PostgreSQL, built with set-based SQL (INSERT … SELECT over
generate_series), for bench/scale.py and any other benchmark that needs it:

    from scale_data import build_dataset, Dataset
    dataset = build_dataset("postgresql+psycopg://…/capacita_scale", scale=1.0, reuse=True)

At scale 1: 5,000 trainings, 50,000 sessions, 300,000 persons, 1,000,000 registrations,
3,000,000 attendance rows and 500,000 certificates; a fraction scales every count. Training 1
is "the big one": 3,000 persons (fewer at small scales), sessions yesterday, today and tomorrow,
attendance and certificates, and a session open now for check-in. Private-link tokens are
derived from registration ids (`token_for`), so benchmarks can open any private page.
"""
from __future__ import annotations

import csv
import datetime as dt
import hashlib
import time
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from trainings.db import make_engine, migrate

ROOT = Path(__file__).resolve().parent.parent
FULL = {"trainings": 5_000, "persons": 300_000, "registrations": 1_000_000, "attendance": 3_000_000,
        "certificates": 500_000}
SESSIONS_PER_TRAINING = 10
BIG_TRAINING_PERSONS = 3_000
ORGANISER_EMAIL, ORGANISER_PASSWORD = "bench@capacita.test", "correct horse battery staple"

GIVEN = ["María", "José", "Luis", "Ana", "Jesús", "Rosa", "Juan", "Carmen", "Víctor", "Sofía", "Andrés", "Lucía",
         "Raúl", "Inés", "Héctor", "Mónica", "Julián", "Verónica", "Martín", "Ángela", "Ramón", "Begoña",
         "Nicolás", "Iñaki", "Óscar", "Zoila", "Elías", "Flor", "César", "Noemí", "Tomás", "Yolanda",
         "Germán", "Maribel", "Rubén", "Pilar", "Joaquín", "Dalia", "Sebastián", "Esther"]
FAMILY = ["Quispe", "Huamán", "Núñez", "Mamani", "Pérez", "Rodríguez", "García", "Fernández", "López",
          "Sánchez", "Ramírez", "Gutiérrez", "Chávez", "Flores", "Vásquez", "Rojas", "Díaz", "Gómez",
          "Córdova", "Benítez", "Giménez", "Ibáñez", "Cáceres", "Montaño", "Peña", "Muñoz", "Álvarez",
          "Villalba", "Ortíz", "Condorí", "Apaza", "Ccori", "Huaylla", "Yupanqui", "Ticona", "Zárate",
          "Acuña", "Espínola", "Ruíz Díaz", "Báez", "Domínguez", "Martínez", "Romero", "Torres", "Agüero"]
TOPICS = ["Investigación del delito de trata de personas", "Atención a víctimas de trata",
          "Identificación de víctimas en fronteras", "Tráfico ilícito de migrantes",
          "Cooperación judicial internacional", "Enfoque de género y derechos humanos",
          "Protección de niñas, niños y adolescentes", "Explotación laboral: inspección y sanción",
          "Entrevista a víctimas sin revictimización", "Lavado de activos vinculado a la trata"]
KINDS = ["workshop", "seminar", "course", "conference", "other"]
# What translate() folds in SQL to build the same accent-free text as participants.text in Python.
# A verification code as certificates.codes writes them (hex digits are in its alphabet).
CODE = ("substr({source}, 1, 4) || '-' || substr({source}, 5, 4) || '-' || substr({source}, 9, 4) || '-' "
        "|| substr({source}, 13, 2)")
ACCENTED, PLAIN = "ÁÉÍÓÚÜÑáéíóúüñ", "AEIOUUNaeiouun"


@dataclass
class Dataset:
    url: str
    scale: float
    counts: dict
    big_training_id: int = 1

    @property
    def organiser(self) -> tuple[str, str]:
        return ORGANISER_EMAIL, ORGANISER_PASSWORD


def token_for(registration_id: int) -> str:
    """The private-link token of a dataset registration (only benchmark data is made this way)."""
    return f"bench-private-link-{registration_id:010d}-scale"


def counts_for(scale: float) -> dict:
    counts = {name: max(int(value * scale), 1) for name, value in FULL.items()}
    counts["trainings"] = max(counts["trainings"], 20)
    counts["persons"] = max(counts["persons"], 500)
    counts["big"] = min(BIG_TRAINING_PERSONS, counts["persons"] // 2)
    counts["sessions"] = counts["trainings"] * SESSIONS_PER_TRAINING
    return counts


def _csv_rows(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as stream:
        return list(csv.DictReader(stream))


def _sql_array(values: list[str]) -> str:
    return "(ARRAY[" + ",".join("'" + value.replace("'", "''") + "'" for value in values) + "])"


def _fold(expression: str) -> str:
    return f"lower(translate({expression}, '{ACCENTED}', '{PLAIN}'))"


def _sql(connection, statement: str):
    """Runs SQL written here (no outside values: the statements below are built from constants
    and counts), with psycopg's placeholder character escaped."""
    return connection.exec_driver_sql(statement.replace("%", "%%"))  # noqa: S608


def existing(engine) -> dict | None:
    with engine.connect() as connection:
        if not sa.inspect(connection).has_table("bench_dataset"):
            return None
        row = connection.execute(sa.text("SELECT scale, counts FROM bench_dataset")).first()
    return None if row is None else {"scale": row.scale, "counts": row.counts}


def build_dataset(url: str, scale: float = 1.0, *, reuse: bool = True, log=print) -> Dataset:
    """The dataset at `url` (a PostgreSQL database given to benchmarks): reused when it was built
    at this scale, else the schema is dropped, migrated and filled anew."""
    engine = make_engine({"sqlalchemy.url": url})
    if engine.dialect.name != "postgresql":
        raise SystemExit("the programme-scale dataset is built on PostgreSQL")
    found = existing(engine) if reuse else None
    if found is not None and abs(found["scale"] - scale) < 1e-9:
        log(f"reusing the dataset at scale {scale} in {engine.url.database} (migrated to the head)")
        migrate(engine)
        engine.dispose()
        return Dataset(url, scale, found["counts"])
    counts = counts_for(scale)
    started = time.perf_counter()
    with engine.begin() as connection:
        _sql(connection, "DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    migrate(engine)
    with engine.begin() as connection:
        for label, step in STEPS:
            step_started = time.perf_counter()
            step(connection, counts)
            log(f"  {label:<44} {time.perf_counter() - step_started:6.1f} s")
    _create_organiser(engine)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        step_started = time.perf_counter()
        _sql(connection, "VACUUM ANALYZE")
        log(f"  {'vacuum analyze':<44} {time.perf_counter() - step_started:6.1f} s")
    with engine.begin() as connection:
        _sql(connection, "CREATE TABLE bench_dataset (scale float NOT NULL, counts json NOT NULL)")
        actual = {table: connection.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one()
                  for table in ("training", "session", "person", "registration", "attendance", "certificate")}
        connection.execute(sa.text("INSERT INTO bench_dataset VALUES (:scale, CAST(:counts AS json))"),
                           {"scale": scale, "counts": __import__("json").dumps(dict(counts, actual=actual))})
    log(f"built in {time.perf_counter() - started:.0f} s: " + ", ".join(f"{v:,} {k}" for k, v in actual.items()))
    engine.dispose()
    return Dataset(url, scale, dict(counts, actual=actual))


def _places(connection, counts) -> None:
    regions = _csv_rows(ROOT / "trainings/demo_data/regions.csv")
    connection.execute(sa.text(
        "INSERT INTO region (id, country, name, city, timezone, updated_at) "
        "VALUES (:id, :country, :region, :city, :timezone, now() - interval '400 days')"),
        [dict(row, id=number) for number, row in enumerate(regions, 1)])
    # One country office runs the whole programme (venues, programmes and trainings belong to it).
    _sql(connection, "INSERT INTO organisation (id, name, created_at) VALUES (1, 'OIM', now() - interval '400 days')")
    _sql(connection, "SELECT setval('organisation_id_seq', 1)")
    _sql(connection,
        "INSERT INTO venue (id, region_id, name, address, updated_at, organisation_id) "
        "SELECT r.id * 2 - k, r.id, CASE k WHEN 0 THEN 'Auditorio del Ministerio Público — ' || r.city "
        "ELSE 'Centro de Convenciones de ' || r.city END, 'Av. Principal ' || (r.id * 10 + k), "
        "now() - interval '400 days', 1 FROM region r CROSS JOIN generate_series(0, 1) k")
    _sql(connection,
        "INSERT INTO programme (id, name, donor, description, updated_at, organisation_id) "
        "SELECT n, 'Programa ' || n || ': lucha contra la trata — ' "
        "|| (ARRAY['Perú','Paraguay','Colombia'])[n % 3 + 1], "
        "(ARRAY['OIM','UNODC','Unión Europea','INL'])[n % 4 + 1], '', now() - interval '400 days', 1 "
        "FROM generate_series(1, 12) n")
    institutions = _csv_rows(ROOT / "participants/demo_data/institutions.csv")
    # Reviewed by an organiser, as a running programme's are: only those are offered on the public form.
    connection.execute(sa.text("INSERT INTO institution (name, kind, country, reviewed, updated_at) "
                               "VALUES (:name, :kind, :country, true, now() - interval '400 days')"), institutions)
    _sql(connection,
        "INSERT INTO institution (name, kind, country, reviewed, updated_at) "
        "SELECT 'Fiscalía Provincial Penal de ' || city, 'prosecution', country, true, now() - interval '400 days' "
        "FROM region ON CONFLICT DO NOTHING")


def _trainings(connection, counts) -> None:
    """Spread over two years past and one ahead; training 1 is the big one, running today."""
    topics = _sql_array(TOPICS)
    _sql(connection,
        f"INSERT INTO training (id, title, description, kind, programme_id, region_id, venue_id, language, "
        f"offered_languages, capacity, confirmed_count, requires_approval, attendance_threshold, "
        f"late_after_minutes, status, starts_on, ends_on, created_at, updated_at, published_at, cancel_reason, "
        f"organisation_id) "
        f"SELECT n, {topics}[n % 10 + 1] || ' — ' || r.city || ' ' || (2024 + n % 3), "
        f"'Dos jornadas de trabajo con fiscales, policías y operadores de justicia.', "
        f"(ARRAY{KINDS})[n % 5 + 1], n % 12 + 1, r.id, r.id * 2 - n % 2, "
        f"CASE WHEN n % 10 = 7 THEN 'en' ELSE 'es' END, 'es', "
        f"CASE WHEN n = 1 THEN {counts['big'] + 100} ELSE 400 END, 0, n % 9 = 4, 80, 15, "
        f"CASE WHEN n = 1 THEN 'published' WHEN n % 20 = 3 THEN 'draft' WHEN n % 20 = 11 THEN 'cancelled' "
        f"ELSE 'published' END, d, d + CASE WHEN n = 1 THEN 2 ELSE 1 END, now() - interval '400 days', "
        f"now() - interval '300 days', "
        f"now() - interval '300 days', '', 1 "
        f"FROM generate_series(1, {counts['trainings']}) n "
        f"JOIN region r ON r.id = n % (SELECT count(*) FROM region) + 1 "
        f"CROSS JOIN LATERAL (SELECT CASE WHEN n = 1 THEN current_date - 1 "
        f"ELSE current_date - 730 + (n * 7919) % 1095 END AS d) day")
    _sql(connection, f"SELECT setval('training_id_seq', {counts['trainings']})")


def _sessions(connection, counts) -> None:
    """Ten per training: five a day from 08:00 Lima time (13:00 UTC); the big training's are
    spread over yesterday, today and tomorrow, with one open now for check-in."""
    _sql(connection,
        f"INSERT INTO session (id, training_id, title, topic, starts_at, ends_at, room, position, cancelled, "
        f"sequence, uid, created_at, updated_at) "
        f"SELECT (t.id - 1) * {SESSIONS_PER_TRAINING} + k + 1, t.id, 'Sesión ' || (k + 1) || ': ' || "
        f"(ARRAY['Marco normativo','Casos prácticos','Trabajo en grupos','Protocolos de actuación',"
        f"'Coordinación interinstitucional'])[k % 5 + 1], 'Tema de la sesión', s.starts, "
        f"s.starts + interval '105 minutes', 'Sala ' || (k % 3 + 1), k, false, 0, "
        f"'bench-' || t.id || '-' || k || '@capacita', now() - interval '300 days', now() - interval '300 days' "
        f"FROM training t CROSS JOIN generate_series(0, {SESSIONS_PER_TRAINING - 1}) k "
        f"CROSS JOIN LATERAL (SELECT CASE WHEN t.id = 1 AND k = 4 "
        f"THEN date_trunc('minute', now()) - interval '5 minutes' "
        f"ELSE ((t.starts_on + (k / 5) + CASE WHEN t.id = 1 AND k >= 5 THEN 1 ELSE 0 END)::timestamp "
        f"+ interval '13 hours' + (k % 5) * interval '2 hours') AT TIME ZONE 'UTC' END AS starts) s")
    _sql(connection, f"SELECT setval('session_id_seq', {counts['sessions']})")


def _persons(connection, counts) -> None:
    """Spanish names with accents; about one in a hundred repeats the name and institution of
    another person (the duplicates review has work); document numbers unique per country."""
    given, family = _sql_array(GIVEN), _sql_array(FAMILY)
    g, f = len(GIVEN), len(FAMILY)
    # One in a hundred takes the name and institution of someone anywhere in the registry.
    name = f"(CASE WHEN n % 100 = 0 THEN 1 + abs(hashtext(n::text)) % {counts['persons']} ELSE n END)"
    search_text = _fold("p.given || ' ' || p.family || ' ' || p.email || ' ' || (10000000 + n)::text")
    name_key = "replace(" + _fold("p.given || ' ' || p.family") + ", ' ', '')"
    sort_name = _fold("p.family || ' ' || p.given")
    institutions = _sql(connection, "SELECT array_agg(id ORDER BY id) FROM institution").scalar_one()
    _sql(connection,
        f"INSERT INTO person (id, given_names, family_names, email, phone, sex, position, institution_id, "
        f"country, preferred_language, id_document, created_at, updated_at, search_text, name_key, sort_name) "
        f"SELECT n, p.given, p.family, p.email, '+51 9' || lpad((n * 7 % 100000000)::text, 8, '0'), "
        f"(ARRAY['female','male','female','male','female','male','female','male','other','undisclosed'])[n % 10 + 1], "
        f"(ARRAY['Fiscal provincial','Fiscal adjunto','Suboficial PNP','Inspector de trabajo','Asistente en "
        f"función fiscal','Defensora pública','Especialista legal'])[n % 7 + 1], p.institution, "
        f"CASE WHEN n % 3 = 2 THEN 'PY' ELSE 'PE' END, CASE WHEN n % 25 = 0 THEN 'en' ELSE 'es' END, "
        f"(10000000 + n)::text, now() - interval '500 days', now() - interval '500 days', "
        f"{search_text}, {name_key}, {sort_name} "
        f"FROM generate_series(1, {counts['persons']}) n CROSS JOIN LATERAL ("
        f"SELECT {given}[({name} * 31) % {g} + 1] || CASE WHEN {name} % 3 = 0 "
        f"THEN ' ' || {given}[({name} * 17 / {g}) % {g} + 1] ELSE '' END AS given, "
        f"{family}[({name} * 13) % {f} + 1] || ' ' || {family}[({name} * 7 / {f}) % {f} + 1] AS family, "
        f"'persona' || n || '@' || (ARRAY['mpfn.gob.pe','ministeriopublico.gov.py','policia.gob.pe',"
        f"'mimp.gob.pe','gmail.com'])[n % 5 + 1] AS email, "
        f"(ARRAY{institutions})[({name} * 11) % {len(institutions)} + 1] AS institution) p")
    _sql(connection, f"SELECT setval('person_id_seq', {counts['persons']})")


def _registrations(connection, counts) -> None:
    """The big training takes the first persons; the rest spread over every other training.
    Statuses: mostly confirmed, some waitlisted, pending and cancelled; about 1% speakers."""
    big, others = counts["big"], counts["trainings"] - 1
    rest = counts["registrations"] - big
    columns = ("id, training_id, person_id, role, status, source, token_hash, consent_at, created_at, updated_at, "
               "confirmed_at, note")
    status = ("CASE WHEN n % 20 = 1 THEN 'cancelled' WHEN n % 20 = 2 THEN 'waitlisted' "
              "WHEN n % 20 = 3 THEN 'pending' ELSE 'confirmed' END")
    token = "encode(sha256(convert_to('bench-private-link-' || lpad(n::text, 10, '0') || '-scale', 'UTF8')), 'hex')"
    _sql(connection,
        f"INSERT INTO registration ({columns}) SELECT n, 1, n, 'participant', 'confirmed', "
        f"(ARRAY['web','import','organiser'])[n % 3 + 1], {token}, now() - interval '30 days', "
        f"now() - interval '30 days' + n * interval '1 second', now() - interval '30 days', "
        f"now() - interval '30 days', '' "
        f"FROM generate_series(1, {big}) n")
    _sql(connection,
        f"INSERT INTO registration ({columns}) SELECT n, 2 + (n - {big} - 1) % {others}, "
        f"1 + ((n * 7919::bigint) % {counts['persons']}), CASE WHEN n % 100 = 5 THEN 'speaker' ELSE 'participant' END, "
        f"{status}, (ARRAY['web','import','organiser'])[n % 3 + 1], {token}, now() - interval '300 days', "
        f"now() - interval '300 days' + n * interval '1 second', now() - interval '300 days', "
        f"CASE WHEN n % 20 NOT IN (1, 2, 3) THEN now() - interval '300 days' END, '' "
        f"FROM generate_series({big + 1}, {big + rest}) n ON CONFLICT DO NOTHING")
    _sql(connection, "SELECT setval('registration_id_seq', (SELECT max(id) FROM registration))")
    _sql(connection,
        "UPDATE registration SET cancelled_at = updated_at WHERE status = 'cancelled'")
    _sql(connection,
        "UPDATE training t SET confirmed_count = c.taken, capacity = greatest(t.capacity, c.taken) "
        "FROM (SELECT training_id, count(*) AS taken FROM registration WHERE status = 'confirmed' "
        "GROUP BY training_id) c WHERE c.training_id = t.id")
    # Speakers: one registered speaker (or participant) per session of each training.
    _sql(connection,
        "INSERT INTO session_speaker (session_id, person_id, role) "
        "SELECT s.id, (SELECT person_id FROM registration r WHERE r.training_id = s.training_id "
        "ORDER BY r.role DESC, r.id LIMIT 1), CASE WHEN s.position = 0 THEN 'moderator' ELSE 'speaker' END "
        "FROM session s WHERE s.position % 5 = 0 "
        "AND EXISTS (SELECT 1 FROM registration r WHERE r.training_id = s.training_id) "
        "ON CONFLICT DO NOTHING")


def _attendance(connection, counts) -> None:
    """Past sessions of confirmed registrations, until the count is reached: mostly present."""
    for training, limit in (("= 1", "ALL"), ("<> 1", "{} - (SELECT count(*) FROM attendance)".format(
            counts["attendance"]))):
        _sql(connection,
            f"INSERT INTO attendance (registration_id, session_id, status, method, recorded_at) "
            f"SELECT r.id, s.id, (ARRAY['present','present','present','present','late','present','absent',"
            f"'present','excused','present'])[(r.id + s.position) % 10 + 1], "
            f"(ARRAY['qr','manual','sheet','qr'])[(r.id + s.position) % 4 + 1], s.starts_at + interval '3 minutes' "
            f"FROM registration r JOIN session s ON s.training_id = r.training_id "
            f"WHERE r.training_id {training} AND r.status = 'confirmed' AND s.starts_at < now() - interval '1 hour' "
            f"LIMIT greatest({limit}, 0)".replace("greatest(ALL, 0)", "ALL"))


def _certificates(connection, counts) -> None:
    """Issued to confirmed participants of finished trainings (the big one first); one in a
    hundred revoked."""
    code = CODE.format(source="upper(md5('code' || r.id))")
    for training, limit in (("= 1", "ALL"), ("<> 1", "greatest({} - (SELECT count(*) FROM certificate), 0)"
                                              .format(counts["certificates"]))):
        _sql(connection,
            f"INSERT INTO certificate (registration_id, kind, serial, verification_code, language, issued_at, "
            f"manual_reason, revoked_at, revoke_reason, given_names, family_names, training_title, programme_name, "
            f"city, country, starts_on, ends_on, minutes, spoke_as_moderator, session_titles) "
            f"SELECT r.id, CASE WHEN r.role = 'speaker' THEN 'speaker' ELSE 'attendance' END, "
            f"rg.country || '-' || extract(year FROM t.starts_on) || '-' || lpad(r.id::text, 7, '0'), "
            f"{code}, p.preferred_language, t.ends_on + time '18:00', '', "
            f"CASE WHEN r.id % 100 = 7 THEN t.ends_on + time '20:00' END, "
            f"CASE WHEN r.id % 100 = 7 THEN 'Error en el nombre' ELSE '' END, p.given_names, p.family_names, t.title, "
            f"coalesce(pr.name, ''), rg.city, rg.country, t.starts_on, t.ends_on, 1050, false, '[]' "
            f"FROM registration r JOIN training t ON t.id = r.training_id JOIN person p ON p.id = r.person_id "
            f"JOIN region rg ON rg.id = t.region_id LEFT JOIN programme pr ON pr.id = t.programme_id "
            f"WHERE t.id {training} AND r.status = 'confirmed' AND (t.ends_on < current_date OR t.id = 1) "
            f"LIMIT {limit}")


def _create_organiser(engine) -> None:
    from trainings.accounts import create_user
    from trainings.db import make_session_factory
    from trainings.models import UserRole

    with make_session_factory(engine)() as session:
        create_user(session, ORGANISER_EMAIL, ORGANISER_PASSWORD, role=UserRole.admin, display_name="Bench")
        session.commit()


STEPS = [("regions, venues, programmes, institutions", _places), ("trainings", _trainings),
         ("sessions", _sessions), ("persons", _persons), ("registrations and speakers", _registrations),
         ("attendance", _attendance), ("certificates", _certificates)]


def now_utc() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def private_token_hash(registration_id: int) -> str:
    return hashlib.sha256(token_for(registration_id).encode()).hexdigest()
