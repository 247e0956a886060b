"""A person's transcript (page and PDF) and the cross-training export."""
from __future__ import annotations

import datetime as dt

from pyramid.response import Response
from pyramid.view import view_config
from slugify import slugify

from participants.scoping import registrations_scope
from participants.spreadsheets import Download
from trainings.audit import record
from trainings.security import Permission

from ..exports import evidence_table
from ..transcripts import transcript, transcript_pdf
from .report import filters_or_400


@view_config(route_name="person_transcript", renderer="reports/transcript.jinja2", permission=Permission.read,
             request_method="GET")
def transcript_page(context, request):
    person = context.object
    lines = transcript(request.dbsession, person, registrations_scope(request))
    return {"person": person, "lines": lines,
            "hours": round(sum(line.attended.total_seconds() for line in lines) / 3600, 2),
            "completed": sum(line.completed for line in lines)}


@view_config(route_name="person_transcript_pdf", permission=Permission.read, request_method="GET")
def transcript_download(context, request):
    person = context.object
    body = transcript_pdf(request, person, transcript(request.dbsession, person, registrations_scope(request)))
    name = f"transcript-{person.id}-{slugify(person.full_name)[:40]}.pdf"
    return Response(body=body, content_type="application/pdf", content_disposition=f'inline; filename="{name}"')


@view_config(route_name="transcripts_export", renderer="spreadsheet", permission=Permission.read,
             request_method="GET")
def transcripts_export(request):
    """Person × training × hours × completion × certificates, for the report's filters."""
    filters = filters_or_400(request)
    record(request, "report.export", summary=f"transcripts {request.matchdict['format']}: {request.query_string}"[:500])
    return Download(evidence_table(request, filters), f"transcripts-{dt.date.today().isoformat()}",
                    request.matchdict["format"])
