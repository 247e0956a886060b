"""`capacita report`: the report page's figures as JSON, XLSX or CSV, for scripts and dashboards."""
from __future__ import annotations

import sys
from pathlib import Path

from trainings.cli import CommandError, application

FORMATS = ("json", "xlsx", "csv")


def register(subparsers):
    command = subparsers.add_parser("report", help="print or write the donor report (same figures as the page)")
    command.add_argument("--from", dest="from_", metavar="YYYY-MM-DD", help="trainings starting on or after")
    command.add_argument("--to", metavar="YYYY-MM-DD", help="trainings starting on or before")
    command.add_argument("--country", help="the trainings' country (two letters, e.g. PE)")
    command.add_argument("--region", metavar="ID", help="the trainings' region (its id)")
    command.add_argument("--programme", metavar="ID", help="the programme (its id)")
    command.add_argument("--kind", help="the training kind (seminar, workshop, course, conference, other)")
    command.add_argument("--institution-kind", help="the people's institution kind (prosecution, police, …)")
    command.add_argument("--role", help="participant, speaker or moderator")
    command.add_argument("--indicator", metavar="ID", help="count as this indicator defines")
    command.add_argument("--language", default="es", choices=("es", "en", "fr"), help="labels and CSV conventions")
    command.add_argument("--format", default="json", choices=FORMATS)
    command.add_argument("--output", type=Path, help="write to this file instead of printing")
    command.set_defaults(handler=run_report)


def _params(args) -> dict[str, str]:
    return {"from": args.from_ or "", "to": args.to or "", "country": args.country or "",
            "region": args.region or "", "programme": args.programme or "", "kind": args.kind or "",
            "institution_kind": args.institution_kind or "", "role": args.role or "",
            "indicator": args.indicator or ""}


def run_report(args, out=None) -> int:
    from .exports import report_download
    from .filters import InvalidFilters
    from .views.report import filters_from_params

    out = out or sys.stdout
    if args.format == "xlsx" and args.output is None and getattr(out, "isatty", lambda: False)():
        raise CommandError("XLSX is a binary file: give --output FILE")
    with application(args.config) as request, request.tm:
        request.is_command_line = True  # the operator's report covers every organisation
        request.locale_name = args.language
        try:
            filters = filters_from_params(request, _params(args))
        except InvalidFilters as invalid:
            messages = "; ".join(f"--{name.replace('_', '-')}: {request.localizer.translate(message)}"
                                 for name, message in invalid.errors.items())
            raise CommandError(messages) from None
        body = report_download(request, filters, args.format)
    if args.output:
        args.output.write_bytes(body)
        print(f"wrote {args.output}", file=sys.stderr)
    elif args.format == "xlsx":
        getattr(out, "buffer", out).write(body)
    else:
        out.write(body.decode("utf-8-sig"))
    return 0
