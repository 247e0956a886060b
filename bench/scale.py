"""Every main page at programme scale on PostgreSQL: median, p95 and SQL statements, then a
bounded load mix against real waitress processes.

    .venv/bin/python bench/scale.py --url postgresql+psycopg://capacita@127.0.0.1:55442/capacita_scale \\
        [--scale 1.0] [--reuse] [--keep] [--build-only] [--requests 30] [--load-seconds 30]

The dataset (bench/scale_data.py: 5,000 trainings, 50,000 sessions, 300,000 persons, 1,000,000
registrations, 3,000,000 attendance rows and 500,000 certificates at scale 1) is built with
set-based SQL. `--reuse` keeps a dataset built earlier at the same scale, `--build-only` builds
it and stops, `--keep` leaves it in the database afterwards (otherwise the schema is emptied).
Pages are requested in-process (WebTest, no network); the load mix runs `--servers` waitress
processes on 127.0.0.1 and `--clients` client threads for at most `--load-seconds` seconds and
`--load-requests` requests. Not part of the test run; figures depend on the machine.
"""
from __future__ import annotations

import argparse
import html as html_module
import http.cookiejar
import json
import logging
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import sqlalchemy as sa
import transaction
import webtest

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))
from scale_data import build_dataset, token_for  # noqa: E402

# bench/reports.py would shadow the reports package once the application imports its models
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != BENCH_DIR]

from trainings import make_app  # noqa: E402
from trainings.db import make_engine  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SECRET = "bench-scale-secret"
HTML_MEDIAN_MS, HTML_P95_MS, SEARCH_MS, PRIVATE_MS, FEED_304_MS, LOAD_PER_SECOND = 50, 120, 100, 15, 5, 80


def settings_for(url: str, var_dir: str) -> dict:
    return {"sqlalchemy.url": url, "sqlalchemy.pool_size": "20", "session.secret": SECRET,
            "pyramid.default_locale_name": "es", "jinja2.directories": str(ROOT / "templates"),
            "app.public_url": "http://capacita.bench", "app.var_dir": var_dir, "throttle.storage": "memory://",
            "mail.file_path": f"{var_dir}/mail", "mail.default_sender": "Capacita <no-reply@capacita.bench>",
            # Every request of the bench comes from one address, where in life each visitor has their
            # own: the per-address limits on verifying codes and signing up would refuse the bench.
            "throttle.verify": "1000000/minute", "throttle.registration": "1000000/hour"}


class Counter:
    """SQL statements issued, counted on the engine."""

    def __init__(self, engine):
        self.count = 0
        sa.event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, *args):
        self.count += 1


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(max(int(round(len(ordered) * share)) - 1, 0), len(ordered) - 1)]


class Bench:
    def __init__(self, url: str, requests: int, only: str | None = None):
        self.only = re.compile(only, re.IGNORECASE) if only else None
        var_dir = f"/tmp/capacita-bench-scale-{os.getpid()}"
        self.settings = settings_for(url, var_dir)
        self.engine = make_engine(self.settings)
        self.counter = Counter(self.engine)
        self.app = webtest.TestApp(
            make_app(dict(self.settings, **{"capacita.engine": self.engine})),
            extra_environ={"HTTP_HOST": "capacita.bench"})
        self.requests = requests
        self.results: list[tuple] = []

    def log_in(self, email: str, password: str) -> None:
        login = self.app.get("/login")
        login.forms["form"]["email"], login.forms["form"]["password"] = email, password
        login.forms["form"].submit("submit").follow()

    def measure(self, label: str, path: str, *, kind: str = "html", requests: int | None = None, before=None,
                call=None, status: int = 200) -> None:
        if self.only and not self.only.search(label):
            return
        call = call or (lambda: self.app.get(path, status=status))
        if before:
            before()
        call()  # warm: templates compiled, statements cached
        timings, statements = [], []
        for _ in range(requests or self.requests):
            if before:
                before()
            start_count = self.counter.count
            started = time.perf_counter()
            response = call()
            timings.append((time.perf_counter() - started) * 1000)
            statements.append(self.counter.count - start_count)
        size = len(response.body)
        row = (label, kind, statistics.median(timings), percentile(timings, 0.95), max(statements), size)
        self.results.append(row)
        print(f"{label:<46} {row[2]:>8.1f} ms {row[3]:>8.1f} ms {row[4]:>5} {size / 1024:>8.0f} KB", flush=True)


def find(engine, dataset) -> dict:
    """Ids and codes the pages are asked with: typical rows, not the first ones."""
    with engine.connect() as connection:
        def one(sql, **params):
            return connection.execute(sa.text(sql), params).scalar_one()

        def middle(sql):
            found = connection.execute(sa.text(sql)).scalars().all()
            return found[len(found) // 2]

        training = middle("SELECT id FROM training WHERE status = 'published' AND ends_on >= current_date "
                          "AND id > 1 ORDER BY id")
        upcoming = one("SELECT count(*) FROM training WHERE status IN ('published', 'cancelled') "
                       "AND ends_on >= current_date")
        registration = one("SELECT id FROM registration WHERE training_id <> 1 ORDER BY id "
                           "OFFSET (SELECT count(*) / 2 FROM registration) LIMIT 1")
        big_registration = middle("SELECT id FROM registration WHERE training_id = 1 ORDER BY id")
        code = one("SELECT verification_code FROM certificate WHERE revoked_at IS NULL ORDER BY id OFFSET 250 LIMIT 1")
        open_session = one("SELECT id FROM session WHERE training_id = 1 AND position = 4")
        checkin = [row.id for row in connection.execute(sa.text(
            "SELECT id, training_id FROM registration WHERE training_id = 1 AND status = 'confirmed' ORDER BY id"))]
    return {"training": training, "deep_page": max(upcoming // 20 // 2, 1), "registration": registration,
            "big_registration": big_registration, "code": code, "open_session": open_session,
            "checkin": checkin}


def open_checkin_session(engine, session_id: int) -> None:
    """The big training's check-in session starts five minutes ago, whenever the bench runs."""
    with engine.begin() as connection:
        connection.execute(sa.text("UPDATE session SET starts_at = date_trunc('minute', now()) - interval '5 minutes', "
                                   "ends_at = date_trunc('minute', now()) + interval '100 minutes' WHERE id = :id"),
                           {"id": session_id})
        connection.execute(sa.text("DELETE FROM attendance_event WHERE attendance_id IN "
                                   "(SELECT id FROM attendance WHERE session_id = :id)"), {"id": session_id})
        connection.execute(sa.text("DELETE FROM attendance WHERE session_id = :id"), {"id": session_id})


def pages(bench: Bench, ids: dict, dataset) -> None:
    from participants.attendance.qr import make_token

    app, big = bench.app, dataset.big_training_id
    print(f"{'page':<46} {'median':>11} {'p95':>11} {'SQL':>5} {'size':>11}")
    bench.measure("public listing, first page", "/trainings")
    bench.measure(f"public listing, page {ids['deep_page']}", f"/trainings?page={ids['deep_page']}")
    bench.measure("public listing, unknown filters ignored", "/trainings?language=xx&kind=zz&region=abc")
    bench.measure("training page", f"/trainings/{ids['training']}")
    bench.measure("training page, the 3,000-person one", f"/trainings/{big}")
    bench.measure("API list /api/trainings", "/api/trainings", kind="api")
    bench.measure("API detail /api/trainings/{id}", f"/api/trainings/{ids['training']}", kind="api")
    bench.measure("private page /me/{token}", f"/me/{token_for(ids['registration'])}", kind="private")
    bench.measure("private page, big training", f"/me/{token_for(ids['big_registration'])}", kind="private")
    bench.measure("certificate verification /verify/{code}", f"/verify/{ids['code']}")
    bench.measure("feed all.ics, cold (built)", "/calendar/all.ics", kind="feed-cold", requests=3,
                  before=lambda: app.app.registry["calendar.cache"].clear())
    etag = app.get("/calendar/all.ics").headers["ETag"]
    bench.measure("feed all.ics, 304", "/calendar/all.ics", kind="feed-304",
                  call=lambda: app.get("/calendar/all.ics", headers={"If-None-Match": etag}, status=304))
    training_feed = f"/calendar/trainings/{ids['training']}.ics"
    bench.measure("feed of a training", training_feed, kind="feed")
    feed_etag = app.get(training_feed).headers["ETag"]
    bench.measure("feed of a training, 304", training_feed, kind="feed-304",
                  call=lambda: app.get(training_feed, headers={"If-None-Match": feed_etag}, status=304))
    email, password = dataset.organiser
    bench.log_in(email, password)
    bench.measure("organiser dashboard", "/organiser", kind="organiser")
    bench.measure("organiser trainings", "/organiser/trainings", kind="organiser")
    for tab in ("registrations", "attendance", "certificates"):
        bench.measure(f"big training: {tab} tab", f"/organiser/trainings/{big}/{tab}", kind="organiser")
    bench.measure("big training: registrations, page 20", f"/organiser/trainings/{big}/registrations?page=20",
                  kind="organiser")
    bench.measure("big training: registrations, search", f"/organiser/trainings/{big}/registrations?q=quispe",
                  kind="organiser")
    bench.measure("people, first page", "/organiser/people", kind="search")
    bench.measure("people search 'huaman'", "/organiser/people?q=huaman", kind="search")
    bench.measure("people search 'Núñez'", "/organiser/people?q=N%C3%BA%C3%B1ez", kind="search")
    bench.measure("people search 'maría quispe'", "/organiser/people?q=mar%C3%ADa+quispe", kind="search")
    bench.measure("people search, no match", "/organiser/people?q=zzyzx", kind="search")
    bench.measure("duplicates review", "/organiser/people/duplicates", kind="search")
    open_checkin_session(bench.engine, ids["open_session"])
    page = app.get(f"/organiser/trainings/{big}/checkin")
    csrf = re.search(r'data-csrf="([^"]+)"', page.text).group(1)
    codes = iter(make_token(SECRET, type("Registration", (), {"id": rid, "training_id": big}))
                 for rid in ids["checkin"])

    def scan():
        return app.post_json(f"/organiser/trainings/{big}/checkin/scan",
                             {"code": next(codes), "session": ids["open_session"]}, headers={"X-CSRF-Token": csrf})

    bench.measure("QR check-in (a new person each scan)", "", kind="checkin", call=scan)
    transaction.abort()


def targets(results: list[tuple]) -> list[str]:
    """Which figures miss the issue's targets."""
    missed = []
    for label, kind, median, p95, statements, _size in results:
        if kind in ("html", "organiser") and (median > HTML_MEDIAN_MS or p95 > HTML_P95_MS):
            missed.append(f"{label}: median {median:.1f} ms / p95 {p95:.1f} ms (targets 50 / 120)")
        if kind == "search" and median > SEARCH_MS:
            missed.append(f"{label}: median {median:.1f} ms (target 100)")
        if kind == "private" and median > PRIVATE_MS:
            missed.append(f"{label}: median {median:.1f} ms (target 15)")
        if kind == "feed-304" and median > FEED_304_MS:
            missed.append(f"{label}: median {median:.1f} ms (target 5)")
        if kind in ("organiser", "search") and statements > 8:
            missed.append(f"{label}: {statements} SQL statements (target 8)")
        if kind == "checkin" and statements > 6:
            missed.append(f"{label}: {statements} SQL statements (target 6)")
    return missed


# --- The load mix -------------------------------------------------------------------------

def serve(url: str, port: int, threads: int) -> None:
    """One web process (run by the bench as a child): the application in waitress on 127.0.0.1."""
    import waitress

    # The mix has more clients than threads on purpose: requests wait in waitress's queue, which
    # it would report on every one of them.
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    settings = settings_for(url, f"/tmp/capacita-bench-scale-{os.getpid()}")
    waitress.serve(make_app(settings), listen=f"127.0.0.1:{port}", threads=threads,
                   _quiet=True)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for(port: int, process) -> None:
    for _ in range(300):
        if process.poll() is not None:
            raise SystemExit(f"the server on port {port} stopped")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/static/app/capacita.css", timeout=2):
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"the server on port {port} did not answer")


class FormFields:
    """The fields of the public registration form, read from its HTML: hidden values kept,
    the person's filled in."""

    INPUT = re.compile(r"<input\b[^>]*>", re.S)
    NAME, VALUE = re.compile(r'\bname="([^"]+)"'), re.compile(r'\bvalue="([^"]*)"')

    @classmethod
    def registration(cls, html: str, number: int) -> list[tuple[str, str]]:
        form = html[html.index('<form'):html.index('</form>')]
        fields = []
        for tag in cls.INPUT.findall(form):
            name, value = cls.NAME.search(tag), cls.VALUE.search(tag)
            if name is None:
                continue
            name, value = name.group(1), html_module.unescape(value.group(1)) if value else ""
            if name in ("given_names", "family_names", "email", "position", "id_document", "new_institution",
                        "consent"):
                continue
            fields.append((name, value))
        names = {name for name, _ in fields}
        fields += [("given_names", "Nadia"), ("family_names", f"Ñaupari Cóndor {number}"),
                   ("email", f"carga{number}-{os.getpid()}-{time.time_ns()}@mpfn.gob.pe"),
                   ("position", "Fiscal adjunta"), ("consent", "true")]
        institutions = re.search(r'(?s)<select name="institution"[^>]*>(.*?)</select>', form)
        choices = re.findall(r'<option value="(\d+)"', institutions.group(1)) if institutions else []
        if choices:
            fields.append(("institution", choices[number % len(choices)]))
        else:
            fields.append(("new_institution", "Fiscalía Provincial de Huancayo"))
        for name, value in (("sex", "female"), ("country", "PE"), ("preferred_language", "es")):
            if name not in names:
                fields.append((name, value))
        fields.append(("submit", "submit"))
        return fields


class Client(threading.Thread):
    """One browser or calendar client: its own cookies, polling feeds with their ETag."""

    def __init__(self, ports, plan, deadline, record):
        super().__init__(daemon=True)
        self.ports, self.plan, self.deadline, self.record = ports, plan, deadline, record
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        self.etags: dict[str, str] = {}
        self.last_url = ""

    def fetch(self, path, data=None, headers=None):
        port = random.choice(self.ports)
        request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=data, headers=headers or {})
        started = time.perf_counter()
        try:
            with self.opener.open(request, timeout=60) as response:
                body, status = response.read(), response.status
                etag, self.last_url = response.headers.get("ETag"), response.url
        except urllib.error.HTTPError as error:
            body, status, etag, self.last_url = error.read(), error.code, error.headers.get("ETag"), ""
        return status, body, etag, (time.perf_counter() - started) * 1000

    def run(self):
        for kind, path in self.plan:
            if time.monotonic() > self.deadline:
                return
            if kind == "feed":
                headers = {"If-None-Match": self.etags[path]} if path in self.etags else {}
                status, _body, etag, elapsed = self.fetch(path, headers=headers)
                if etag:
                    self.etags[path] = etag
                self.record(kind + ("-304" if status == 304 else f"-{status}"), elapsed, status)
            elif kind == "register":
                status, body, _etag, elapsed = self.fetch(path)
                self.record("register-form", elapsed, status)
                fields = FormFields.registration(body.decode(), random.randrange(10**9))
                status, _body, _etag, elapsed = self.fetch(path, data=urllib.parse.urlencode(fields).encode())
                # Registered: redirected to the "done" page (a form shown again means refused).
                self.record("register-post" if self.last_url.endswith("/done") else "register-REFUSED",
                            elapsed, status)
            else:
                status, _body, _etag, elapsed = self.fetch(path)
                self.record(kind, elapsed, status)


FEEDS_POLLED = 21  # all.ics and 20 trainings' feeds


def load_plan(ids: dict, trainings: list[int], count: int) -> list[tuple[str, str]]:
    """Public pages, feeds polled, and registrations (about one request in eight)."""
    rng = random.Random(13)
    plan = []
    for _ in range(count):
        roll = rng.random()
        if roll < 0.30:
            plan.append(("page", rng.choice(["/trainings", f"/trainings?page={rng.randint(2, ids['deep_page'])}",
                                             "/trainings?when=past", "/trainings?country=PE"])))
        elif roll < 0.55:
            plan.append(("page", f"/trainings/{rng.choice(trainings)}"))
        elif roll < 0.63:
            plan.append(("api", rng.choice(["/api/trainings", f"/api/trainings/{rng.choice(trainings)}"])))
        elif roll < 0.88:
            feeds = ["/calendar/all.ics", f"/calendar/trainings/{rng.choice(trainings[:FEEDS_POLLED - 1])}.ics"]
            plan.append(("feed", rng.choice(feeds)))
        else:
            plan.append(("register", f"/register/{rng.choice(trainings)}"))
    return plan


def load(url: str, ids: dict, args) -> list[str]:
    engine = make_engine({"sqlalchemy.url": url})
    with engine.begin() as connection:
        trainings = list(connection.execute(sa.text(
            "SELECT id FROM training WHERE status = 'published' AND ends_on >= current_date AND id > 1 "
            "AND NOT requires_approval AND capacity - confirmed_count > 100 ORDER BY id LIMIT 200")).scalars())
    engine.dispose()
    ports = [_free_port() for _ in range(args.servers)]
    servers = [subprocess.Popen([sys.executable, __file__, "--serve", str(port), "--url", url,  # noqa: S603
                                 "--threads", str(args.threads)]) for port in ports]
    try:
        for port, process in zip(ports, servers, strict=True):
            _wait_for(port, process)
        # Every process builds all.ics once (its cache is its own); the mix then polls.
        for port in ports:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/calendar/all.ics", timeout=120).read()
        per_client = args.load_requests // args.clients
        lock, records = threading.Lock(), []

        def record(kind, elapsed, status):
            with lock:
                records.append((kind, elapsed, status))

        deadline = time.monotonic() + args.load_seconds
        clients = [Client(ports, load_plan(ids, trainings, per_client), deadline, record)
                   for _ in range(args.clients)]
        random.seed(5)
        started = time.perf_counter()
        for client in clients:
            client.start()
        for client in clients:
            client.join()
        elapsed = time.perf_counter() - started
    finally:
        for process in servers:
            process.terminate()
        for process in servers:
            process.wait(timeout=30)
    return report_load(records, elapsed, args)


def report_load(records, elapsed, args) -> list[str]:
    """Prints the mix's figures; returns the targets it misses."""
    timings = [ms for _kind, ms, _status in records]
    errors = [(kind, status) for kind, _ms, status in records if status >= 500]
    by_kind: dict[str, list[float]] = {}
    for kind, ms, _status in records:
        by_kind.setdefault(kind, []).append(ms)
    print(f"\nload mix: {args.servers} waitress processes × {args.threads} threads on 127.0.0.1, "
          f"{args.clients} clients, {len(records)} requests in {elapsed:.1f} s")
    print(f"  {len(records) / elapsed:.1f} requests/s; p50 {percentile(timings, 0.5):.1f} ms, "
          f"p95 {percentile(timings, 0.95):.1f} ms, p99 {percentile(timings, 0.99):.1f} ms; "
          f"{len(errors)} server errors {sorted(set(errors))[:5]}")
    for kind, values in sorted(by_kind.items()):
        print(f"  {kind:<22} {len(values):>6}  p50 {percentile(values, 0.5):>7.1f} ms  "
              f"p95 {percentile(values, 0.95):>7.1f} ms")
    polls = [kind for kind, _ms, _status in records if kind.startswith("feed-")]
    answered_304 = sum(kind == "feed-304" for kind in polls)
    print(f"  feed polls answered 304: {answered_304} of {len(polls)} (each client's first poll of each "
          f"of the {FEEDS_POLLED} feeds has no ETag yet: at most {args.clients * FEEDS_POLLED} of those)")
    missed = []
    if len(records) / elapsed < LOAD_PER_SECOND:
        missed.append(f"load mix: {len(records) / elapsed:.1f} requests/s (target {LOAD_PER_SECOND})")
    if not by_kind.get("register-post") or by_kind.get("register-REFUSED"):
        missed.append(f"load mix: {len(by_kind.get('register-REFUSED', []))} registrations refused, "
                      f"{len(by_kind.get('register-post', []))} went through")
    if len(polls) - answered_304 > args.clients * FEEDS_POLLED:
        missed.append(f"load mix: {len(polls) - answered_304} feed polls rebuilt (a registration changed a feed?)")
    if errors:
        missed.append(f"load mix: {len(errors)} server errors")
    return missed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=os.environ.get("SCALE_DATABASE_URL"),
                        help="a PostgreSQL database given to the bench (its schema is replaced)")
    parser.add_argument("--scale", type=float, default=1.0, help="a fraction of the full dataset, e.g. 0.1")
    parser.add_argument("--reuse", action="store_true", help="use the dataset already built at this scale")
    parser.add_argument("--keep", action="store_true", help="leave the dataset in the database afterwards")
    parser.add_argument("--build-only", action="store_true", help="build the dataset (kept) and stop")
    parser.add_argument("--requests", type=int, default=30, help="requests per page")
    parser.add_argument("--only", metavar="REGEX", help="time only the pages whose label matches (case-insensitive)")
    parser.add_argument("--no-load", action="store_true", help="pages only, no load mix")
    parser.add_argument("--servers", type=int, default=2, help="waitress processes in the load mix")
    parser.add_argument("--threads", type=int, default=4, help="threads per waitress process")
    parser.add_argument("--clients", type=int, default=8, help="client threads in the load mix")
    parser.add_argument("--load-seconds", type=float, default=30)
    parser.add_argument("--load-requests", type=int, default=3000)
    parser.add_argument("--serve", type=int, metavar="PORT", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if not args.url:
        parser.error("--url (or SCALE_DATABASE_URL) is required: a PostgreSQL database for the dataset")
    if args.serve:
        serve(args.url, args.serve, args.threads)
        return
    dataset = build_dataset(args.url, args.scale, reuse=args.reuse)
    if args.build_only:
        return
    try:
        bench = Bench(args.url, args.requests, args.only)
        ids = find(bench.engine, dataset)
        print(f"\nPostgreSQL, scale {args.scale}: " + json.dumps(dataset.counts.get("actual", dataset.counts)))
        pages(bench, ids, dataset)
        bench.engine.dispose()
        missed = targets(bench.results)
        if not args.no_load:
            missed += load(args.url, ids, args)
        print("\ntargets: " + ("all met" if not missed else "NOT met:\n  " + "\n  ".join(missed)))
    finally:
        if not args.keep:
            engine = make_engine({"sqlalchemy.url": args.url})
            with engine.begin() as connection:
                connection.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
            engine.dispose()


if __name__ == "__main__":
    main()
