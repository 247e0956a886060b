"""`capacita evaluations send-due`: queue the questionnaire invitations and reminders due now
(safe to run as often as wanted; `capacita worker` runs it every ten minutes)."""
from __future__ import annotations

import sys

from trainings.cli import application
from trainings.models import utcnow


def register(subparsers):
    command = subparsers.add_parser("evaluations", help="questionnaire invitations and reminders")
    actions = command.add_subparsers(dest="action", required=True, metavar="ACTION")
    send_due = actions.add_parser("send-due", help="queue the invitations and reminders due now (never twice)")
    send_due.set_defaults(handler=run_send_due)


def run_send_due(args, out=None):
    from .scheduling import queue_due_messages

    out = out or sys.stdout
    with application(args.config) as request, request.tm:
        queued = queue_due_messages(request.dbsession, request, utcnow())
    print(f"{queued} questionnaire email(s) queued", file=out)
