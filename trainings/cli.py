"""`capacita` — the command line. Each package adds its subcommands from its `commands`
module (a `register(subparsers)` function); every subcommand takes the ini file with -c."""
from __future__ import annotations

import argparse
import contextlib
import importlib
import sys

from pyramid.paster import bootstrap, get_appsettings, setup_logging

from .settings import apply_environment

COMMAND_MODULES = ("trainings.commands", "participants.commands", "certificates.commands",
                   "evaluations.commands", "reports.commands")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="capacita", description="Run capacity-building programmes.")
    parser.add_argument("-c", "--config", default="development.ini",
                        help="the ini file (default: development.ini)")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as error:
            if error.name != name:
                raise
            continue
        module.register(subparsers)
    return parser


def settings_of(config_uri: str) -> dict:
    return apply_environment(get_appsettings(config_uri))


@contextlib.contextmanager
def application(config_uri: str):
    """The application's request (with `dbsession` and `tm`) outside a web request."""
    setup_logging(config_uri)
    with bootstrap(config_uri) as env:
        # Whoever runs a command runs the installation: what it reads is not narrowed to the
        # organisations of a logged-in user (see trainings.scoping).
        env["request"].is_command_line = True
        yield env["request"]


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.handler(args) or 0
    except CommandError as error:
        print(f"capacita {args.command}: {error}", file=sys.stderr)
        return 2


class CommandError(Exception):
    """A command could not do what was asked; the message says why."""
