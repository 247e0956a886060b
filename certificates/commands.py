"""`capacita certificates issue TRAINING_ID` and `capacita certificates export TRAINING_ID OUT`."""
from __future__ import annotations

import os
import sys
from pathlib import Path

from trainings.cli import CommandError, application
from trainings.models import Training


def register(subparsers):
    command = subparsers.add_parser("certificates", help="issue and export certificates")
    actions = command.add_subparsers(dest="action", required=True, metavar="ACTION")
    issue = actions.add_parser("issue", help="issue every certificate a training's people earn (and email them)")
    issue.add_argument("training_id", type=int)
    issue.add_argument("--no-mail", action="store_true", help="do not email the people")
    issue.set_defaults(handler=run_issue)
    export = actions.add_parser("export", help="write a training's valid certificates to OUT.zip or OUT.pdf")
    export.add_argument("training_id", type=int)
    export.add_argument("out", type=Path)
    export.set_defaults(handler=run_export)


class Progress:
    """A progress bar on a terminal, a line per tenth otherwise (logs stay readable)."""

    def __init__(self, total: int, label: str, stream=None):
        self.total, self.label = max(total, 1), label
        self.stream = stream or sys.stderr
        self.tty = hasattr(self.stream, "isatty") and self.stream.isatty()
        self.last_tenth = -1

    def __call__(self, done: int) -> None:
        if self.tty:
            filled = int(30 * done / self.total)
            self.stream.write(f"\r{self.label} [{'#' * filled}{'.' * (30 - filled)}] {done}/{self.total}")
            if done >= self.total:
                self.stream.write("\n")
        else:
            tenth = int(10 * done / self.total)
            if tenth != self.last_tenth or done >= self.total:
                self.last_tenth = tenth
                self.stream.write(f"{self.label}: {done}/{self.total}\n")
        self.stream.flush()


def _training(request, training_id: int) -> Training:
    training = request.dbsession.get(Training, training_id)
    if training is None:
        raise CommandError(f"no training with id {training_id}")
    return training


def run_issue(args, out=None):
    from . import services
    out = out or sys.stdout
    with application(args.config) as request, request.tm:
        training = _training(request, args.training_id)
        if not training.has_ended():
            raise CommandError(f"training {training.id} has not ended yet: certificates are issued after its "
                               "last session")
        pending = len(services.to_issue(request, training))
        progress = Progress(pending, "emails") if pending and not args.no_mail else None
        issued = services.issue_eligible(request, training, notify=not args.no_mail, progress=progress)
        print(f"{len(issued)} certificate(s) issued for training {training.id}", file=out)


def run_export(args, out=None):
    from . import documents, exports

    out = out or sys.stdout
    suffix = args.out.suffix.lower()
    if suffix not in (".zip", ".pdf"):
        raise CommandError("the output file must end in .zip or .pdf")
    with application(args.config) as request, request.tm:
        training = _training(request, args.training_id)
        certificates = documents.training_certificates(request.dbsession, training, valid_only=True)
        if not certificates:
            raise CommandError(f"training {training.id} has no valid certificates")
        renderer = documents.renderer_for(request.dbsession, training)
        contents = documents.contents_for(request, training, certificates)
        title = training.title
        author = training.programme.name if training.programme else "Capacita"
    progress = Progress(len(contents), "certificates")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".zip":
        with open(args.out, "wb") as stream:
            processes = min(os.cpu_count() or 1, 4) if len(contents) >= 200 else 1
            for chunk in exports.zip_stream(renderer, contents, progress=progress, processes=processes):
                stream.write(chunk)
    else:
        exports.write_merged_pdf(renderer, contents, args.out, title=title, author=author, progress=progress)
    print(f"{len(contents)} certificate(s) written to {args.out}", file=out)
