"""Organisers create, edit, publish, cancel, delete (drafts) and duplicate trainings."""
from __future__ import annotations

import datetime as dt

from pyramid.httpexceptions import HTTPFound
from pyramid.view import view_config

from ..events import TrainingDuplicated
from ..forms import CSRFSchema, FieldErrors, make_form
from ..i18n import _
from ..models import Region, Venue
from ..resources import TrainingContext
from ..schemas import CancelSchema, DuplicateSchema, TrainingSchema
from ..scoping import trainings_scope
from ..security import Permission
from ..services import catalogue, schedule
from ..services.duplicate import duplicate_training
from . import flash_refusal, form_page

DETAIL_FIELDS = ("organisation_id",
                 "title", "kind", "region_id", "starts_on", "ends_on", "capacity", "programme_id", "venue_id",
                 "language", "requires_approval", "attendance_threshold", "late_after_minutes", "description",
                 "registration_deadline", "institution_quota", "reminder_days")


def _details(values: dict) -> schedule.TrainingDetails:
    return schedule.TrainingDetails(**{name: values[name] for name in DETAIL_FIELDS},
                                    offered_languages=tuple(sorted(values["offered_languages"])))


def _appstruct(training) -> dict:
    values = {name: getattr(training, name) for name in DETAIL_FIELDS}
    values["kind"], values["language"] = str(training.kind), str(training.language)
    values["offered_languages"] = {code for code in training.languages if code != str(training.language)}
    return values


TRAINING_RULE_FIELDS = {"starts_on", "ends_on", "capacity", "region_id", "venue_id"}


def _check(request, training=None):
    """The service's rules on the fields that are valid, so that they show in the same round as
    the form's own errors (a wrong capacity and a venue of another region, at once)."""
    def check(values: dict) -> dict:
        if TRAINING_RULE_FIELDS <= values.keys():
            defaults = {"title": "", "kind": "workshop", "programme_id": None, "language": "es",
                        "requires_approval": False, "attendance_threshold": 80, "late_after_minutes": 15,
                        "description": "", "registration_deadline": None, "institution_quota": None,
                        "reminder_days": None}
            details = schedule.TrainingDetails(**{**defaults, **{name: values[name] for name in DETAIL_FIELDS
                                                                 if name in values}})
            return schedule.training_errors(request.dbsession, details, training)
        return schedule.date_errors(values.get("starts_on"), values.get("ends_on"), values.get("registration_deadline"))
    return check


def _organiser_url(request, training) -> str:
    return request.route_path("organiser_training", id=training.id)


@view_config(route_name="training_new", renderer="trainings/organiser/form.jinja2", permission=Permission.manage)
def training_new(request):
    form = make_form(request, TrainingSchema(), submit_label=_("Create the training"))

    def create(values):
        training = schedule.create_training(request.dbsession, _details(values))
        return request.route_path("session_new", id=training.id)

    return form_page(request, form, create, page={"heading": _("New training"), "training": None},
                     success_message=_("Training created as a draft. Now add its sessions."), check=_check(request))


@view_config(route_name="training_edit", context=TrainingContext, renderer="trainings/organiser/form.jinja2",
             permission=Permission.manage)
def training_edit(context, request):
    training = context.training
    form = make_form(request, TrainingSchema(), submit_label=_("Save"))

    def save(values):
        schedule.update_training(request, training, _details(values))
        return _organiser_url(request, training)

    return form_page(request, form, save, appstruct=_appstruct(training), success_message=_("Changes saved."),
                     page={"heading": _("Edit the training"), "training": training},
                     check=_check(request, training))


@view_config(route_name="organiser_training", context=TrainingContext,
             renderer="trainings/organiser/training.jinja2", permission=Permission.read)
def training_overview(context, request):
    training = catalogue.load_training_page(request.dbsession, context.training.id)
    return {
        "training": training,
        "timetable": catalogue.timetable(training),
        "registrations": schedule.registration_count(request.dbsession, training.id),
        "deletable": schedule.deletable_sessions(request.dbsession, training),
    }


@view_config(route_name="training_publish", context=TrainingContext, request_method="POST",
             permission=Permission.manage)
def training_publish(context, request):
    try:
        schedule.publish_training(request, context.training)
    except FieldErrors as refusal:
        flash_refusal(request, refusal)
    else:
        request.session.flash(request.localizer.translate(_("Published: the training is now on the public site.")),
                              "success")
    return HTTPFound(location=_organiser_url(request, context.training))


@view_config(route_name="training_cancel", context=TrainingContext, renderer="trainings/organiser/form.jinja2",
             permission=Permission.manage)
def training_cancel(context, request):
    training = context.training
    form = make_form(request, CancelSchema(), submit_label=_("Cancel the training"))

    def cancel(values):
        schedule.cancel_training(request, training, values["reason"])
        return _organiser_url(request, training)

    return form_page(request, form, cancel, success_message=_(
        "The training is cancelled. Its registrations and history are kept."), page={
        "heading": _("Cancel the training"), "training": training, "intro": _(
            "The training stays on the public site marked as cancelled; registrations, attendance and "
            "certificates are kept. This cannot be undone.")})


@view_config(route_name="training_delete", context=TrainingContext, renderer="trainings/organiser/form.jinja2",
             permission=Permission.manage)
def training_delete(context, request):
    """A confirmation page first; only drafts (the service refuses the rest, with the reason)."""
    training = context.training
    form = make_form(request, CSRFSchema(), submit_label=_("Delete the draft"))

    def delete(values):
        schedule.delete_draft(request.dbsession, training)
        return request.route_path("organiser_trainings")

    return form_page(request, form, delete, success_message=_("The draft is deleted."), page={
        "heading": _("Delete the draft"), "training": training, "intro": _(
            "The draft, its timetable and its speakers' places in it are deleted for good. "
            "Only a draft can be deleted: a published training is cancelled instead.")})


@view_config(route_name="training_duplicate", context=TrainingContext,
             renderer="trainings/organiser/form.jinja2", permission=Permission.manage)
def training_duplicate(context, request):
    source = context.training
    form = make_form(request, DuplicateSchema(), submit_label=_("Duplicate"))

    def duplicate(values):
        region = request.dbsession.get(Region, values["region_id"])
        if region is None:
            raise FieldErrors({"region_id": _("Choose a region.")})
        venue = request.dbsession.get(Venue, values["venue_id"]) if values["venue_id"] else None
        copy = duplicate_training(request.dbsession, source, region=region, starts_on=values["starts_on"],
                                  title=values["title"], venue=venue)
        request.registry.notify(TrainingDuplicated(request, source, copy))
        return _organiser_url(request, copy)

    # The usual case: the same workshop four weeks later, on the same weekday.
    suggestion = {"region_id": source.region_id, "title": "", "starts_on": source.starts_on + dt.timedelta(days=28)}
    return form_page(request, form, duplicate, appstruct=suggestion,
                     success_message=_("Duplicated as a draft: check the timetable, then publish."), page={
                         "heading": _("Duplicate the training"), "training": source, "intro": _(
                             "Copies the description, settings, timetable and speakers into a new draft. Sessions "
                             "keep their local clock time in the new region.")})


@view_config(route_name="organiser_trainings", renderer="trainings/organiser/trainings.jinja2",
             permission=Permission.read)
def all_trainings(request):
    return {"page": catalogue.all_trainings(request.dbsession, request.params.get("page", "1"),
                                           scope=trainings_scope(request))}
