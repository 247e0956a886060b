"""The public calendar feeds. Anyone may subscribe; no cookie is needed.

A poll costs one query: the feed's version stamp also tells whether its subject exists and is
public, and the subject itself is loaded only when the feed's body has to be built."""
from __future__ import annotations

from pyramid.httpexceptions import HTTPNotFound
from pyramid.view import view_config

from ..i18n import _
from ..models import Programme, Region, Training, TrainingSession
from ..resources import OfTraining, get_or_404, parse_id
from ..security import Permission
from . import feeds, ics
from .web import rendering, serve_feed


def _id(request) -> int:
    found = parse_id(request.matchdict["id"])
    if found is None:
        raise HTTPNotFound()
    return found


@view_config(route_name="calendar_session", renderer="ics", permission=Permission.view, request_method="GET")
def session_calendar(request):
    session_id = _id(request)
    how = rendering(request, request.locale_name,
                    lambda: ics.summary(request.dbsession.get(TrainingSession, session_id)))
    return serve_feed(request, feeds.session_feed(session_id), how, f"session-{session_id}.ics")


@view_config(route_name="calendar_training", renderer="ics", permission=Permission.view, request_method="GET")
def training_calendar(request):
    training_id = _id(request)
    how = rendering(request, request.locale_name, lambda: request.dbsession.get(Training, training_id).title)
    return serve_feed(request, feeds.training_feed(training_id), how, f"training-{training_id}.ics")


@view_config(route_name="calendar_region", renderer="ics", permission=Permission.view, request_method="GET")
def region_calendar(request):
    region_id = _id(request)

    def name():
        region = request.dbsession.get(Region, region_id)
        return _("Trainings in ${region}", mapping={"region": region.name})

    return serve_feed(request, feeds.region_feed(region_id), rendering(request, request.locale_name, name),
                      f"region-{region_id}.ics")


@view_config(route_name="calendar_programme", renderer="ics", permission=Permission.view, request_method="GET")
def programme_calendar(request):
    programme_id = _id(request)
    how = rendering(request, request.locale_name, lambda: request.dbsession.get(Programme, programme_id).name)
    return serve_feed(request, feeds.programme_feed(programme_id), how, f"programme-{programme_id}.ics")


@view_config(route_name="calendar_all", renderer="ics", permission=Permission.view, request_method="GET")
def all_calendar(request):
    how = rendering(request, request.locale_name, _("All Capacita trainings"))
    return serve_feed(request, feeds.all_feed(), how, "capacita.ics")


class TrainingCalendarResource(OfTraining):
    """The training behind an organiser's calendar tab; unknown ids are 404."""

    def __init__(self, request):
        self.training = get_or_404(request.dbsession, Training, request.matchdict["id"])


@view_config(route_name="organiser_training_calendar", renderer="trainings/calendar/organiser.jinja2",
             permission=Permission.read, request_method="GET")
def organiser_training_calendar(context, request):
    """What an organiser shares with ministries and participants, and the sessions as the
    calendars see them (UID, SEQUENCE, STATUS)."""
    training = context.training
    return {"training": training, "public": training.status in feeds.PUBLIC_STATUSES,
            "sessions": [(session, ics.effective_sequence(session), ics.is_cancelled(session))
                         for session in training.sessions]}
