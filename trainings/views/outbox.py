"""The outbox page (administrators): is mail getting out? Recipients, subjects, dates and
errors only — never the bodies, which hold private links."""
from pyramid.httpexceptions import HTTPFound
from pyramid.view import view_config

from ..i18n import _
from ..models import utcnow
from ..security import Permission
from ..services import outbox


@view_config(route_name="outbox", renderer="trainings/outbox.jinja2", permission=Permission.administer,
             request_method="GET")
def outbox_page(request):
    now = utcnow()
    summary = outbox.summary(request.dbsession)
    return {
        "summary": summary,
        "waiting_for": summary.waiting_for(now),
        "late": summary.is_late(now),
        "failed": outbox.failed_messages(request.dbsession),
        "pending": outbox.pending_messages(request.dbsession),
    }


@view_config(route_name="outbox_retry", permission=Permission.administer, request_method="POST")
def retry(request):
    """One failed message (`message` in the form) or, without it, every failed message."""
    raw = request.POST.get("message", "")
    message_id = int(raw) if raw.isdigit() else None
    count = outbox.retry_failed(request.dbsession, utcnow(), message_id)
    request.session.flash(request.localizer.translate(_(
        "${count} email(s) queued again; the worker sends them within a minute.", mapping={"count": count})),
        "success" if count else "info")
    return HTTPFound(location=request.route_path("outbox"))
