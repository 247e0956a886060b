"""The organisers' dashboard and the month view of all trainings across regions."""
import datetime as dt

from pyramid.view import view_config

from ..models import utcnow
from ..scoping import trainings_scope
from ..security import Permission
from ..services import dashboard, outbox


@view_config(route_name="dashboard", renderer="trainings/dashboard.jinja2", permission=Permission.read)
def organiser_dashboard(request):
    dbsession = request.dbsession
    today = dt.date.today()
    scope = trainings_scope(request)
    grouped = dashboard.current_trainings(dbsession, today, scope=scope)
    ids = [training.id for trainings in grouped.values() for training in trainings]
    return {
        "summary": dashboard.trainings_by_status(dbsession, scope),
        "grouped": grouped,
        "registrations": dashboard.registration_counts(dbsession, ids),
        "next_sessions": dashboard.next_sessions(dbsession, utcnow(), scope=scope),
        "mail_is_late": outbox.mail_is_late(dbsession, utcnow()),
    }


@view_config(route_name="organiser_calendar", renderer="trainings/calendar.jinja2", permission=Permission.read)
def organiser_calendar(request):
    today = dt.date.today()
    first = dashboard.parse_month(request.params.get("month"), today)
    return {"month": dashboard.month_view(request.dbsession, first, trainings_scope(request)), "today": today}
