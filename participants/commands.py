"""Subcommands of the participants package: import-participants, retention."""
from __future__ import annotations

import os

from trainings.cli import CommandError, application
from trainings.models import Training

from .imports import CREATE, DUPLICATE, MATCH, REJECTED, ImportRefused, commit, max_bytes, parse, preview, store_upload
from .privacy import apply_retention, retention_years


def register(subparsers):
    command = subparsers.add_parser(
        "import-participants", help="register a participant list (CSV or XLSX) for a training",
        description="Same rules as the organisers' import page: rows are checked, valid rows are registered "
                    "in one transaction, rejected rows are listed with their reasons.")
    command.add_argument("training_id", type=int, metavar="TRAINING_ID")
    command.add_argument("file", metavar="FILE")
    command.add_argument("--dry-run", action="store_true", help="only show what would happen")
    command.add_argument("--no-email", action="store_true",
                         help="do not email the private links nor the calendar invitations")
    command.add_argument("--report", metavar="CSV", help="write the rejected rows to this file")
    command.set_defaults(handler=run_import)
    command = subparsers.add_parser(
        "retention", help="anonymise persons with no activity for retention.years years",
        description="Persons whose record, registrations and trainings have not changed or taken place for "
                    "the number of years in the setting retention.years (or --years) are anonymised: personal "
                    "details erased, registrations and attendance kept for the totals.")
    command.add_argument("--years", type=int, help="instead of the setting retention.years")
    command.add_argument("--dry-run", action="store_true", help="only list who would be anonymised")
    command.set_defaults(handler=run_retention)


class _DryRunDone(Exception):
    """Leaves the import's transaction by the way that aborts it: nothing of a dry run is kept."""


def run_import(args):
    if not os.path.isfile(args.file):
        raise CommandError(f"no such file: {args.file}")
    try:
        return _import(args)
    except _DryRunDone:
        return 0


def _import(args):
    with application(args.config) as request, request.tm:
        limit = max_bytes(request.registry.settings)
        if os.path.getsize(args.file) > limit:
            raise CommandError(f"the file is larger than {limit // (1024 * 1024)} MB")
        with open(args.file, "rb") as handle:
            content = handle.read()
        training = request.dbsession.get(Training, args.training_id)
        if training is None:
            raise CommandError(f"no training {args.training_id}")
        translate = request.localizer.translate
        try:
            header, rows = parse(os.path.basename(args.file), content)
        except ImportRefused as refusal:
            raise CommandError(translate(refusal.message)) from refusal
        planned = preview(request.dbsession, training, header, rows)
        for outcome in planned.outcomes:
            if outcome.action in (DUPLICATE, REJECTED):
                print(f"row {outcome.number}: {' '.join(translate(reason) for reason in outcome.reasons)}")
        print(f"{training.title}: {planned.count(CREATE)} new, {planned.count(MATCH)} existing, "
              f"{planned.count(DUPLICATE)} duplicates, {planned.count(REJECTED)} rejected")
        if args.dry_run:
            # Dooming the transaction would make leaving `with request.tm` raise on its commit.
            raise _DryRunDone()
        upload = store_upload(request.dbsession, training, os.path.basename(args.file), content, None)
        result = commit(request, upload, training, notify=not args.no_email)
        statuses = ", ".join(f"{count} {status}" for status, count in sorted(result.by_status.items()))
        print(f"registered {result.created + result.matched} ({statuses}); rejected {len(result.rejected)}")
        if args.report:
            # With a BOM, like the download: Excel then reads the accents as UTF-8.
            with open(args.report, "w", encoding="utf-8-sig", newline="") as handle:
                handle.write(result.report)
    return 0


def run_retention(args):
    with application(args.config) as request, request.tm:
        years = args.years if args.years is not None else retention_years(request.registry.settings)
        if not years or years < 1:
            raise CommandError("set retention.years in the ini file (or give --years N)")
        people = apply_retention(request, years, dry_run=args.dry_run)
        for person in people:
            print(f"person {person.id}: {'would be anonymised' if args.dry_run else 'anonymised'}")
        verb = "would anonymise" if args.dry_run else "anonymised"
        print(f"{verb} {len(people)} person(s) with no activity for {years} years")
    return 0
