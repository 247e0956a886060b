"""Organisers import a participant list: upload, preview, commit, rejected-rows report."""
from __future__ import annotations

from pyramid.httpexceptions import HTTPFound
from pyramid.response import Response
from pyramid.view import view_config

from trainings.i18n import _
from trainings.security import Permission

from ..imports import ImportRefused, commit, max_bytes, parse, preview, store_upload
from ..upload_limit import close_body

CHUNK = 64 * 1024


def _read_limited(upload, limit: int) -> bytes | None:
    """The uploaded file's bytes, or None when it is over `limit` (never more than limit+1 read)."""
    handle = upload.file
    parts, size = [], 0
    try:
        while True:
            chunk = handle.read(CHUNK)
            if not chunk:
                return b"".join(parts)
            size += len(chunk)
            if size > limit:
                return None
            parts.append(chunk)
    finally:
        handle.close()


@view_config(route_name="participant_import", renderer="participants/organiser/import.jinja2",
             permission=Permission.manage)
def import_upload(request):
    training = request.context.training
    limit = max_bytes(request.registry.settings)
    error = None
    if request.method == "POST":
        request.add_finished_callback(close_body)
        # Refused on its declared size before the body is parsed, when the client declares it.
        if request.content_length and request.content_length > limit + CHUNK:
            error = _("The file is larger than ${size} MB.", mapping={"size": limit // (1024 * 1024)})
        else:
            upload = request.POST.get("file")
            if upload is None or not hasattr(upload, "file"):
                error = _("Choose a file to import.")
            else:
                content = _read_limited(upload, limit)
                if content is None:
                    error = _("The file is larger than ${size} MB.", mapping={"size": limit // (1024 * 1024)})
                else:
                    try:
                        parse(upload.filename, content)
                    except ImportRefused as refusal:
                        error = refusal.message
                    else:
                        user_id = request.identity.id if request.identity else None
                        stored = store_upload(request.dbsession, training, upload.filename, content, user_id)
                        return HTTPFound(location=request.route_path("participant_import_preview", id=training.id,
                                                                     import_id=stored.id))
        request.response.status_int = 400
    return {"training": training, "error": error, "limit_mb": limit // (1024 * 1024)}


@view_config(route_name="participant_import_preview", renderer="participants/organiser/import_preview.jinja2",
             permission=Permission.manage)
def import_preview(request):
    training = request.context.training
    upload = request.context.participant_import(request.matchdict["import_id"])
    if upload.committed_at is not None:
        return {"training": training, "upload": upload, "result": None, "planned": None}
    if request.method == "POST":
        result = commit(request, upload, training, notify=request.POST.get("notify") == "on")
        translate = request.localizer.translate
        request.session.flash(translate(_(
            "Imported: ${count} (new people: ${created}; already in the registry: ${matched}). "
            "Not imported (rejected or repeated): ${rejected}.",
            mapping={"count": result.created + result.matched, "created": result.created,
                     "matched": result.matched, "rejected": len(result.rejected)})), "success")
        waiting = result.by_status.get("waitlisted", 0)
        if waiting:
            request.session.flash(request.localizer.pluralize(
                "The training is full: ${count} person joined the waiting list.",
                "The training is full: ${count} people joined the waiting list.", waiting,
                domain="capacita", mapping={"count": waiting}), "warning")
        return HTTPFound(location=request.route_path("participant_import_preview", id=training.id,
                                                     import_id=upload.id))
    header, rows = parse(upload.filename, upload.content)
    return {"training": training, "upload": upload, "planned": preview(request.dbsession, training, header, rows)}


@view_config(route_name="participant_import_report", permission=Permission.manage)
def import_report(request):
    training = request.context.training
    upload = request.context.participant_import(request.matchdict["import_id"])
    return Response(body=("\ufeff" + upload.rejected_report).encode("utf-8"), content_type="text/csv",
                    charset="utf-8",
                    content_disposition=f'attachment; filename="rejected-{training.id}-{upload.id}.csv"')
