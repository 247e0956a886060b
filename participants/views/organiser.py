"""Organisers' pages about the registrations of one training."""
from __future__ import annotations

import colander
from pyramid.httpexceptions import HTTPBadRequest, HTTPFound
from pyramid.view import view_config
from slugify import slugify

from trainings.audit import record
from trainings.forms import handle_form, make_form
from trainings.i18n import _
from trainings.paging import LIST_PAGE_SIZE, Page, clamp_page, requested_page, row_path
from trainings.resources import get_by_id
from trainings.security import Permission

from .. import exports, labels, listing
from ..models import Person, RegistrationStatus
from ..notifications import send_registration_mail
from ..people import search_people
from ..registrations import AlreadyRegistered, CannotMove, approve, cancel, move, move_targets
from ..schemas import DirectRegistrationSchema
from ..scoping import people_scope
from ..signup import register_directly
from ..spreadsheets import Download


@view_config(route_name="organiser_registrations", renderer="participants/organiser/registrations.jinja2",
             permission=Permission.read)
def registrations_view(request):
    training = request.context.training
    filters = listing.Filters.from_params(request.params)
    total = listing.count_registrations(request.dbsession, training.id, filters)
    number = clamp_page(requested_page(request.params), total, LIST_PAGE_SIZE)
    found = listing.registrations(request.dbsession, training.id, filters, limit=LIST_PAGE_SIZE,
                                  offset=(number - 1) * LIST_PAGE_SIZE)
    return {
        "training": training, "filters": filters, "page": Page(found, number, LIST_PAGE_SIZE, total),
        "registrations": found, "counts": listing.counts_by_status(request.dbsession, training.id),
        "person_path": row_path(request, "person", "id"), "status_css": STATUS_CSS,
        **{f"{name}_label": _translated(request, values) for name, values in
           (("role", labels.ROLE), ("source", labels.SOURCE), ("status", labels.STATUS))},
        "action_path": {action: row_path(request, "registration_action", "registration_id", id=training.id,
                                         action=action) for action in ("approve", "move", "cancel")},
    }


STATUS_CSS = {"unverified": "light", "confirmed": "success", "waitlisted": "warning", "pending": "info",
              "cancelled": "secondary"}


def _translated(request, messages: dict) -> dict:
    return {value: request.localizer.translate(message) for value, message in messages.items()}


@view_config(route_name="registrations_export", renderer="spreadsheet", permission=Permission.read)
def registrations_export(request):
    training = request.context.training
    filters = listing.Filters.from_params(request.params)
    registrations = listing.registrations(request.dbsession, training.id, filters)
    table = exports.registrations_table(request, training, registrations)
    record(request, "registrations.export", training,
           summary=f"{len(registrations)} registrations, {request.matchdict['format']}")
    return Download(table, f"{slugify(training.title)[:60]}-{training.id}", request.matchdict["format"])


def _back(request, training):
    return HTTPFound(location=request.route_path("organiser_registrations", id=training.id,
                                                 _query=listing.Filters.from_params(request.POST).as_query()))


@view_config(route_name="registration_action", request_method="POST", match_param=("action=approve",),
             permission=Permission.manage)
def approve_view(request):
    registration = request.context.registration(request.matchdict["registration_id"])
    if registration.status != RegistrationStatus.pending:
        raise HTTPBadRequest(request.localizer.translate(_("Only pending registrations can be approved.")))
    approve(request, registration)
    request.session.flash(request.localizer.translate(
        _("${name} approved: ${status}.", mapping={"name": registration.person.full_name,
                                                  "status": request.localizer.translate(
                                                      _status(registration))})), "success")
    return _back(request, request.context.training)


def _status(registration):
    from ..labels import STATUS

    return STATUS[registration.status]


@view_config(route_name="registration_action", request_method="POST", match_param=("action=cancel",),
             permission=Permission.manage)
def cancel_view(request):
    registration = request.context.registration(request.matchdict["registration_id"])
    promoted = cancel(request, registration)
    message = _("Registration of ${name} cancelled.", mapping={"name": registration.person.full_name})
    request.session.flash(request.localizer.translate(message), "success")
    for other in promoted:
        request.session.flash(request.localizer.translate(
            _("${name} was promoted from the waiting list and emailed.", mapping={"name": other.person.full_name})),
            "info")
    return _back(request, request.context.training)


@view_config(route_name="registration_action", match_param=("action=move",),
             renderer="participants/organiser/move.jinja2", permission=Permission.manage)
def move_view(request):
    training = request.context.training
    registration = request.context.registration(request.matchdict["registration_id"])
    targets = move_targets(request, training)
    error = None
    if request.method == "POST":
        target_id = request.POST.get("target", "")
        target = next((t for t in targets if str(t.id) == target_id), None)
        if target is None:
            error = _("Choose the training to move this registration to.")
        else:
            try:
                moved, token = move(request, registration, target)
            except AlreadyRegistered:
                error = _("This person is already registered for that training.")
            except CannotMove:
                error = _("Choose the training to move this registration to.")
            else:
                send_registration_mail(request, moved, token, reason="moved")
                request.session.flash(request.localizer.translate(_(
                    "${name} moved to ${training}: ${status}.",
                    mapping={"name": registration.person.full_name, "training": target.title,
                             "status": request.localizer.translate(_status(moved))})), "success")
                return HTTPFound(location=request.route_path("organiser_registrations", id=training.id))
        request.response.status_int = 400
    return {"training": training, "registration": registration, "targets": targets, "error": error}


@view_config(route_name="registration_new", renderer="participants/organiser/register_person.jinja2",
             permission=Permission.manage)
def register_person_view(request):
    training = request.context.training
    chosen = get_by_id(request.dbsession, Person, request.params.get("person"))
    action = request.route_path("registration_new", id=training.id, _query={"person": chosen.id} if chosen else {})
    form = make_form(request, DirectRegistrationSchema(), submit_label=_("Register this person"), action=action)

    def registered(values):
        registration, _token = register_directly(request, training, values, person=chosen)
        return request.route_path("organiser_registrations", id=training.id)

    appstruct = {}
    if chosen is not None:
        appstruct = {"given_names": chosen.given_names, "family_names": chosen.family_names,
                     "email": chosen.email or "", "position": chosen.position or "",
                     "institution": str(chosen.institution_id or ""), "sex": str(chosen.sex or ""),
                     "country": chosen.country or "", "preferred_language": str(chosen.preferred_language),
                     "id_document": chosen.id_document or "", "role": "participant", "send_email": True}
    result = handle_form(request, form, registered, appstruct=appstruct or colander.null,
                         success_message=_("Registered."))
    if isinstance(result, dict):
        query = request.params.get("q", "").strip()
        result.update(training=training, chosen=chosen, q=query,
                      found=search_people(request.dbsession, query, scope=people_scope(request)) if query else [])
    return result
