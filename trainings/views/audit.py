"""The audit log page (administrators): read and filtered, never edited — there is no view
that changes or deletes an entry."""
from __future__ import annotations

import datetime as dt

from pyramid.view import view_config
from sqlalchemy import select

from ..audit import ACTIONS, OBJECT_TYPES, AuditFilter, entries
from ..models import AuditEntry, User
from ..paging import requested_page
from ..resources import parse_id
from ..security import Permission


def _date(text) -> dt.date | None:
    try:
        return dt.date.fromisoformat((text or "").strip())
    except ValueError:
        return None


def audit_filter_from(params) -> AuditFilter:
    """The filters of the query string; unknown values are ignored, never an error."""
    action = params.get("action") or None
    target_type = (params.get("object") or "").strip() or None
    return AuditFilter(action=action if action in ACTIONS else None, user_id=parse_id(params.get("user")),
                       target_type=target_type if target_type and len(target_type) <= 60 else None,
                       target_id=parse_id(params.get("id")), since=_date(params.get("from")),
                       until=_date(params.get("to")))


@view_config(route_name="audit", renderer="trainings/audit.jinja2", permission=Permission.administer,
             request_method="GET")
def audit_page(request):
    audit_filter = audit_filter_from(request.GET)
    page = entries(request.dbsession, audit_filter, requested_page(request.GET))
    query = {name: value for name, value in request.GET.items() if name != "page" and value}
    users = request.dbsession.execute(select(User.id, User.email).order_by(User.email)).all()
    object_types = request.dbsession.scalars(select(AuditEntry.target_type).distinct()
                                             .where(AuditEntry.target_type != "").order_by(AuditEntry.target_type))
    return {"page": page, "filter": audit_filter, "query": query, "actions": ACTIONS, "users": users,
            "object_types": list(object_types), "object_labels": OBJECT_TYPES}
