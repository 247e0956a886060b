"""Subcommands of the trainings package: migrate, create-user, demo, prepare, send-mail, worker."""
from __future__ import annotations

import argparse
import getpass
import importlib
import logging
import os
import signal
import time

from sqlalchemy import func, make_url, select

from . import accounts
from .audit import record
from .cli import CommandError, application, settings_of
from .db import migrate
from .mail import DeliveryReport, default_sender, deliver_pending, delivery_from_settings
from .models import MemberRole, Organisation, Training, UserRole

# Demo loaders in dependency order; each adds what its package knows about.
DEMO_LOADERS = ("trainings.demo", "participants.demo", "certificates.demo", "evaluations.demo")
DEFAULT_ORGANISER = "organiser@capacita.example"


def register(subparsers):
    command = subparsers.add_parser("migrate", help="create or upgrade the database schema")
    command.add_argument("revision", nargs="?", default="head")
    command.set_defaults(handler=run_migrate)

    command = subparsers.add_parser("create-user", help="create an organiser account")
    command.add_argument("email", nargs="?", default=DEFAULT_ORGANISER)
    command.add_argument("--role", choices=[role.value for role in UserRole], default=UserRole.organiser.value)
    command.add_argument("--name", default="")
    command.add_argument("--organisation", action="append", metavar="NAME",
                         help="an organiser's organisation (repeatable; default: the default organisation)")
    command.add_argument("--member-role", choices=[role.value for role in MemberRole], default="manager",
                         help="an organiser's role in those organisations")
    command.add_argument("--generate", action="store_true", help="generate the password instead of asking")
    command.add_argument("--if-none", action="store_true",
                         help="only when there is no account yet (generates the password)")
    command.add_argument("--remember", metavar="FILE",
                         help="development: keep the generated login in FILE (mode 600) and show it again")
    command.set_defaults(handler=run_create_user)

    command = subparsers.add_parser("demo", help="load the demonstration programme")
    command.add_argument("--if-empty", action="store_true", help="only when there are no trainings yet")
    command.set_defaults(handler=run_demo)

    command = subparsers.add_parser("send-mail", help="deliver queued email")
    command.add_argument("--watch", action="store_true", help="keep delivering every few seconds")
    command.add_argument("--interval", type=float, default=10.0)
    command.set_defaults(handler=run_send_mail)

    command = subparsers.add_parser("worker", help="deliver mail and run background jobs and tasks until stopped")
    command.add_argument("--interval", type=float, default=5.0, help="seconds between rounds when idle")
    command.add_argument("--once", action="store_true", help="one round, then stop")
    command.set_defaults(handler=run_worker)

    command = subparsers.add_parser(
        "serve", help="development: prepare, then serve with a worker beside (what `make run` does)")
    command.add_argument("--port", default="6543")
    command.add_argument("--remember", metavar="FILE", help="keep the generated login in FILE (mode 600)")
    command.add_argument("--worker-interval", type=float, default=2.0)
    command.set_defaults(handler=run_serve)

    command = subparsers.add_parser(
        "prepare", help="migrate, load the demo if empty and make an account if none (what `make run` needs)")
    command.add_argument("--remember", metavar="FILE", help="keep the generated login in FILE (mode 600)")
    command.set_defaults(handler=run_prepare)


def migrate_if_behind(url: str) -> bool:
    """Upgrade only when the database is not at the head revision (checking is much quicker
    than alembic's upgrade, which loads every script's environment)."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    from .db import alembic_config, make_engine

    heads = set(ScriptDirectory.from_config(alembic_config(url)).get_heads())
    engine = make_engine({"sqlalchemy.url": url})
    try:
        with engine.connect() as connection:
            current = set(MigrationContext.configure(connection).get_current_heads())
        if current == heads:
            return False
        migrate(engine, "head")
        return True
    finally:
        engine.dispose()


def run_migrate(args):
    migrate(settings_of(args.config)["sqlalchemy.url"], args.revision)
    print("database schema is up to date")


def run_create_user(args):
    with application(args.config) as request:
        create_user(request, args)


def create_user(request, args):
    with request.tm:
        database = _database_name(request.registry.settings["sqlalchemy.url"])
        if args.if_none and accounts.count_users(request.dbsession):
            _show_remembered_login(args.remember, database)
            return 0
        if accounts.find_user(request.dbsession, args.email) is not None:
            raise CommandError(f"an account for {args.email} exists already")
        generate = args.generate or args.if_none or not os.isatty(0)
        password = accounts.generate_password() if generate else _ask_password()
        try:
            user = accounts.create_user(request.dbsession, args.email, password, UserRole(args.role), args.name,
                                        _organisations(request.dbsession, getattr(args, "organisation", None)),
                                        MemberRole(getattr(args, "member_role", "manager")))
            request.dbsession.flush()
            record(request, "account.create", user, summary=f"{user.email} ({args.role}), from the command line")
        except ValueError as error:
            raise CommandError(str(error)) from error
    login = f"email {args.email}  password {password}" if generate else f"email {args.email}"
    print(f"created an account with the {args.role} role — log in at /login with {login}")
    if args.remember and generate:
        _remember_login(args.remember, args.email, password, database)


def _organisations(dbsession, names: list[str] | None) -> list[Organisation] | None:
    if not names:
        return None
    found = {o.name: o for o in dbsession.scalars(select(Organisation).where(Organisation.name.in_(names)))}
    missing = [name for name in names if name not in found]
    if missing:
        raise CommandError(f"no organisation named {', '.join(missing)}")
    return [found[name] for name in names]


def _ask_password() -> str:
    password = getpass.getpass("Password (at least 10 characters): ")
    if password != getpass.getpass("Again: "):
        raise CommandError("the two passwords differ")
    return password


def _database_name(url: str) -> str:
    """The database a login belongs to, without its password."""
    return make_url(url).render_as_string(hide_password=True)


def _remember_login(path: str, email: str, password: str, database: str) -> None:
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(f"email {email}  password {password}\ndatabase {database}\n")


def _show_remembered_login(path: str | None, database: str) -> None:
    """The remembered login, if it was made for this database (`make run DATABASE_URL=…` may
    point at another one, whose accounts the file knows nothing of)."""
    lines = []
    if path and os.path.exists(path):
        with open(path) as handle:
            lines = handle.read().splitlines()
    if len(lines) >= 2 and lines[1] == f"database {database}":
        print(f"organiser login — {lines[0].strip()}  (kept in {path})")
    else:
        print("an organiser account exists already (use `capacita create-user` to add one)")


def run_demo(args):
    with application(args.config) as request:
        load_demo(request, args.if_empty)


def load_demo(request, if_empty: bool):
    with request.tm:
        dbsession = request.dbsession
        if if_empty and dbsession.scalar(select(func.count()).select_from(Training)):
            print("the database has trainings already; demo data not loaded")
            return 0
        for name in DEMO_LOADERS:
            try:
                loader = importlib.import_module(name)
            except ModuleNotFoundError as error:
                if error.name != name:
                    raise
                continue
            loader.load(request)
    print("demo data loaded")


def describe(report: DeliveryReport) -> str:
    words = [f"{report.sent} email(s) sent"]
    if report.retried:
        words.append(f"{report.retried} to be retried")
    if report.given_up:
        words.append(f"{report.given_up} given up (see the outbox page)")
    if report.unavailable:
        words.append(f"stopped: {report.unavailable}")
    return ", ".join(words)


def run_send_mail(args):
    """Exit status 1 when messages were given up or the server could not be reached."""
    settings = settings_of(args.config)
    delivery = delivery_from_settings(settings)
    sender = default_sender(settings)
    total = DeliveryReport()
    with application(args.config) as request:
        while True:
            report = deliver_pending(request.tm, request.dbsession, delivery, sender)
            total += report
            if report.sent or report.given_up or report.unavailable or not args.watch:
                print(describe(report), flush=True)
            if not args.watch:
                return 1 if total.given_up or total.unavailable else 0
            time.sleep(args.interval)


def run_worker(args):
    from .worker import Worker

    with application(args.config) as request:
        worker = Worker(request)
        if args.once:
            report = worker.run_round()
            print(f"{describe(report.mail)}; {report.jobs} job(s), {report.tasks} task(s) run", flush=True)
            return 1 if report.mail.given_up or report.mail.unavailable else 0
        for signal_number in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signal_number, worker.stop)
        logging.getLogger(__name__).info("worker started (%s)", describe_delivery(worker.delivery))
        worker.run_forever(args.interval, on_round=_print_round)
    return 0


def describe_delivery(delivery) -> str:
    if hasattr(delivery, "directory"):
        return f"mail written to {delivery.directory}"
    return f"mail sent through {delivery.host}:{delivery.port}"


def _print_round(report) -> None:
    mail = report.mail  # (an unreachable server is logged once by the worker, not every round)
    if mail.sent or mail.given_up or mail.retried or report.jobs or report.tasks:
        print(f"worker: {describe(mail)}; {report.jobs} job(s), {report.tasks} task(s) run", flush=True)


def run_prepare(args):
    """Everything `make run` needs before serving: the schema (only when it is behind), the
    demo when there are no trainings, an account when there is none."""
    if migrate_if_behind(settings_of(args.config)["sqlalchemy.url"]):
        print("database schema upgraded")
    with application(args.config) as request:
        prepare_data(request, args.remember)


def prepare_data(request, remember: str | None) -> None:
    load_demo(request, if_empty=True)
    create_user(request, argparse.Namespace(if_none=True, remember=remember, email=DEFAULT_ORGANISER,
                                            role=UserRole.admin.value, name="", generate=True))


def run_serve(args):
    """`prepare`, then the ini's server with the application it already built, and a
    `capacita worker` process beside it; stopping the server (Ctrl-C) stops the worker. One
    start-up of the application instead of four keeps a second `make run` quick."""
    import subprocess
    import sys

    import plaster
    from pyramid.paster import setup_logging
    from pyramid.scripting import prepare

    setup_logging(args.config)
    if migrate_if_behind(settings_of(args.config)["sqlalchemy.url"]):
        print("database schema upgraded")
    loader = plaster.get_loader(args.config, protocols=["wsgi"])
    defaults = {"http_port": args.port}
    app = loader.get_wsgi_app("main", defaults=defaults)
    env = prepare(registry=app.registry)
    try:
        prepare_data(env["request"], args.remember)
    finally:
        env["closer"]()
    server = loader.get_wsgi_server("main", defaults=defaults)
    # The console script that runs this command, with an argument list (no shell).
    worker = subprocess.Popen(  # noqa: S603
        [sys.argv[0], "-c", args.config, "worker", "--interval", str(args.worker_interval)])
    try:
        server(app)
    except KeyboardInterrupt:
        pass
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=15)
        except subprocess.TimeoutExpired:
            worker.kill()
    return 0
