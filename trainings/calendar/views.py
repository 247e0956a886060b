"""The public calendar feeds. Anyone may subscribe; no cookie is needed."""
from __future__ import annotations

from pyramid.httpexceptions import HTTPNotFound
from pyramid.view import view_config

from ..i18n import _
from ..models import Programme, Region, Training, TrainingSession
from ..security import Permission
from . import feeds, ics
from .web import rendering, serve_feed


def _get(request, model):
    found = request.dbsession.get(model, int(request.matchdict["id"]))
    if found is None:
        raise HTTPNotFound()
    return found


@view_config(route_name="calendar_session", renderer="ics", permission=Permission.view, request_method="GET")
def session_calendar(request):
    session = _get(request, TrainingSession)
    if session.training.status not in feeds.PUBLIC_STATUSES:
        raise HTTPNotFound()
    how = rendering(request, request.locale_name, ics.summary(session))
    return serve_feed(request, feeds.session_feed(session.id), how, f"session-{session.id}.ics")


@view_config(route_name="calendar_training", renderer="ics", permission=Permission.view, request_method="GET")
def training_calendar(request):
    training = _get(request, Training)
    if training.status not in feeds.PUBLIC_STATUSES:
        raise HTTPNotFound()
    how = rendering(request, request.locale_name, training.title)
    return serve_feed(request, feeds.training_feed(training), how, f"training-{training.id}.ics")


@view_config(route_name="calendar_region", renderer="ics", permission=Permission.view, request_method="GET")
def region_calendar(request):
    region = _get(request, Region)
    how = rendering(request, request.locale_name, _("Trainings in ${region}", mapping={"region": region.name}))
    return serve_feed(request, feeds.region_feed(region), how, f"region-{region.id}.ics")


@view_config(route_name="calendar_programme", renderer="ics", permission=Permission.view, request_method="GET")
def programme_calendar(request):
    programme = _get(request, Programme)
    how = rendering(request, request.locale_name, programme.name)
    return serve_feed(request, feeds.programme_feed(programme), how, f"programme-{programme.id}.ics")


@view_config(route_name="calendar_all", renderer="ics", permission=Permission.view, request_method="GET")
def all_calendar(request):
    how = rendering(request, request.locale_name, _("All Capacita trainings"))
    return serve_feed(request, feeds.all_feed(), how, "capacita.ics")
