"""Organisers add, edit, cancel, delete and reorder a training's sessions."""
from __future__ import annotations

import datetime as dt

from pyramid.httpexceptions import HTTPFound
from pyramid.view import view_config

from ..forms import FieldErrors, make_form
from ..i18n import _
from ..resources import SessionContext, TrainingContext
from ..schemas import SessionSchema
from ..security import Permission
from ..services import schedule
from ..timezones import utc_to_local
from . import flash_refusal, form_page


def _details(values: dict) -> schedule.SessionDetails:
    return schedule.SessionDetails(title=values["title"], day=values["day"], start=values["start"],
                                   end=values["end"], topic=values["topic"], room=values["room"])


def _check(request, training, session=None):
    """The schedule's rules (day within the training, end after start, room and speakers free)
    on the fields that are valid, in the same round as the form's own errors."""
    def check(values: dict) -> dict:
        if not {"day", "start", "end"} <= values.keys():
            return {}
        details = schedule.SessionDetails(title=values.get("title", ""), day=values["day"], start=values["start"],
                                          end=values["end"], topic=values.get("topic", ""),
                                          room=values.get("room", ""))
        return schedule.session_errors(request.dbsession, training, details, session)[0]
    return check


def _overview(request, training) -> str:
    return request.route_path("organiser_training", id=training.id)


def _suggestion(training) -> dict:
    """The next free slot: after the last session, else 09:00 on the first day."""
    zone = training.region.timezone
    live = [session for session in training.sessions if not session.cancelled]
    if not live:
        return {"day": training.starts_on, "start": dt.time(9, 0), "end": dt.time(10, 30), "room": ""}
    last = max(live, key=lambda session: session.ends_at)
    end = utc_to_local(last.ends_at, zone)
    length = last.ends_at - last.starts_at
    if end.hour >= 17 and end.date() < training.ends_on:
        day, start = end.date() + dt.timedelta(days=1), dt.time(9, 0)
    else:
        day, start = end.date(), end.time().replace(tzinfo=None)
    finish = (dt.datetime.combine(day, start) + length)
    if finish.date() != day:
        finish = dt.datetime.combine(day, dt.time(23, 55))
    return {"day": day, "start": start, "end": finish.time(), "room": last.room}


@view_config(route_name="session_new", context=TrainingContext, renderer="trainings/organiser/session.jinja2",
             permission=Permission.manage)
def session_new(context, request):
    training = context.training
    form = make_form(request, SessionSchema(), submit_label=_("Add the session"))

    def add(values):
        schedule.add_session(request, training, _details(values))
        if request.POST.get("then") == "another":
            return request.route_path("session_new", id=training.id)
        return _overview(request, training)

    return form_page(request, form, add, appstruct=_suggestion(training), success_message=_("Session added."),
                     page={"training": training, "session": None, "heading": _("New session")},
                     check=_check(request, training))


@view_config(route_name="session_edit", context=SessionContext, renderer="trainings/organiser/session.jinja2",
             permission=Permission.manage)
def session_edit(context, request):
    session = context.session
    form = make_form(request, SessionSchema(), submit_label=_("Save"))

    def save(values):
        schedule.update_session(request, session, _details(values))
        return _overview(request, session.training)

    return form_page(request, form, save, appstruct=schedule.session_local_details(session),
                     success_message=_("Session saved."),
                     page={"training": session.training, "session": session, "heading": _("Edit the session")},
                     check=_check(request, session.training, session))


def _act(request, action, success, training):
    try:
        action()
    except FieldErrors as refusal:
        flash_refusal(request, refusal)
    else:
        if success:
            request.session.flash(request.localizer.translate(success), "success")
    return HTTPFound(location=_overview(request, training))


@view_config(route_name="session_cancel", context=SessionContext, request_method="POST",
             permission=Permission.manage)
def session_cancel(context, request):
    return _act(request, lambda: schedule.cancel_session(request, context.session),
                _("Session cancelled."), context.training)


@view_config(route_name="session_delete", context=SessionContext, request_method="POST",
             permission=Permission.manage)
def session_delete(context, request):
    training = context.training
    return _act(request, lambda: schedule.delete_session(request.dbsession, context.session),
                _("Session deleted."), training)


@view_config(route_name="session_move", context=SessionContext, request_method="POST",
             permission=Permission.manage)
def session_move(context, request):
    direction = -1 if request.POST.get("direction") == "up" else 1
    return _act(request, lambda: schedule.move_session(request, context.session, direction), None, context.training)
