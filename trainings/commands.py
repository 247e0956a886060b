"""Subcommands of the trainings package: migrate, create-user, demo, send-mail."""
from __future__ import annotations

import getpass
import importlib
import os
import time

from sqlalchemy import func, make_url, select

from . import accounts
from .cli import CommandError, application, settings_of
from .db import migrate
from .mail import default_sender, deliver_pending, delivery_from_settings
from .models import Training, UserRole

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


def run_migrate(args):
    migrate(settings_of(args.config)["sqlalchemy.url"], args.revision)
    print("database schema is up to date")


def run_create_user(args):
    with application(args.config) as request, request.tm:
        database = _database_name(request.registry.settings["sqlalchemy.url"])
        if args.if_none and accounts.count_users(request.dbsession):
            _show_remembered_login(args.remember, database)
            return 0
        if accounts.find_user(request.dbsession, args.email) is not None:
            raise CommandError(f"an account for {args.email} exists already")
        generate = args.generate or args.if_none or not os.isatty(0)
        password = accounts.generate_password() if generate else _ask_password()
        try:
            accounts.create_user(request.dbsession, args.email, password, UserRole(args.role), args.name)
        except ValueError as error:
            raise CommandError(str(error)) from error
    login = f"email {args.email}  password {password}" if generate else f"email {args.email}"
    print(f"created an account with the {args.role} role — log in at /login with {login}")
    if args.remember and generate:
        _remember_login(args.remember, args.email, password, database)


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
    with application(args.config) as request, request.tm:
        dbsession = request.dbsession
        if args.if_empty and dbsession.scalar(select(func.count()).select_from(Training)):
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


def run_send_mail(args):
    settings = settings_of(args.config)
    delivery = delivery_from_settings(settings)
    sender = default_sender(settings)
    with application(args.config) as request:
        while True:
            sent = deliver_pending(request.tm, request.dbsession, delivery, sender)
            if sent or not args.watch:
                print(f"{sent} email(s) sent")
            if not args.watch:
                return 0
            time.sleep(args.interval)
