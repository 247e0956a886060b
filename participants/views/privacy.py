"""Data protection pages: a participant corrects their details and confirms a new address; an
organiser downloads everything held about a person, or anonymises them."""
from __future__ import annotations

import json

from pyramid.httpexceptions import HTTPFound, HTTPNotFound
from pyramid.response import Response
from pyramid.view import view_config

from trainings.audit import record
from trainings.forms import FieldErrors, make_form
from trainings.i18n import _
from trainings.resources import get_by_id
from trainings.security import Permission
from trainings.views import flash_refusal, form_page

from ..models import Registration, RegistrationStatus
from ..privacy import (
    anonymise,
    apply_email_change,
    correct_own_details,
    has_certificate,
    own_details,
    person_data,
    person_data_tables,
    read_email_change,
)
from ..schemas import OwnDetailsSchema
from ..spreadsheets import CONTENT_TYPES, as_xlsx


def _private(request):
    request.response.headers["Referrer-Policy"] = "no-referrer"
    request.response.headers["Cache-Control"] = "private, no-store"


@view_config(route_name="my_details", renderer="participants/my_details.jinja2", permission=Permission.view)
def my_details(request):
    registration = request.context.registration
    if registration is None or registration.status == RegistrationStatus.unverified:
        raise HTTPNotFound()
    _private(request)
    token = request.context.token
    page = {"registration": registration, "person": registration.person, "token": token,
            "locked": has_certificate(request.dbsession, registration.person_id)}
    if page["locked"]:
        return page
    form = make_form(request, OwnDetailsSchema(), submit_label=_("Save my details"),
                     action=request.route_path("my_details", token=token))

    def save(values):
        new_email = correct_own_details(request, registration, values)
        if new_email:
            request.session.flash(request.localizer.translate(_(
                "We sent a link to ${email}: your address changes once you open it.", mapping={"email": new_email})),
                "info")
        return request.route_path("my_registration", token=token)

    return form_page(request, form, save, appstruct=own_details(registration.person), page=page,
                     success_message=_("Your details are saved."))


@view_config(route_name="my_email_confirm", renderer="participants/my_email_confirm.jinja2",
             permission=Permission.view)
def my_email_confirm(request):
    """GET shows a button (mail scanners open links; only a person presses it); POST applies."""
    _private(request)
    change = read_email_change(request, request.matchdict["signed"])
    registration = get_by_id(request.dbsession, Registration, str(change[0])) if change else None
    if registration is None:
        request.response.status_int = 404
        return {"valid": False}
    if request.method == "POST":
        from pyramid.csrf import check_csrf_token

        check_csrf_token(request)
        try:
            apply_email_change(request, registration, change[1])
        except FieldErrors as refusal:
            flash_refusal(request, refusal)
            return HTTPFound(location=request.route_path("lost_link"))
        request.session.flash(request.localizer.translate(_("Your email address is changed.")), "success")
        return HTTPFound(location=request.route_path("lost_link"))
    return {"valid": True, "email": change[1]}


@view_config(route_name="person_data", permission=Permission.manage, request_method="GET")
def person_data_download(request):
    """Everything held about the person (their right of access), as JSON or XLSX."""
    person = request.context.person
    data = person_data(request.dbsession, person)
    file_format = request.matchdict["format"]
    record(request, "person.export", person, summary=file_format)
    name = f"person-{person.id}.{file_format}"
    if file_format == "json":
        body = json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")
        response = Response(body=body, content_type="application/json", charset="utf-8")
    else:
        response = Response(body=as_xlsx(*person_data_tables(request, data)), content_type=CONTENT_TYPES["xlsx"])
    response.content_disposition = f'attachment; filename="{name}"'
    return response


@view_config(route_name="person_anonymise", permission=Permission.manage, request_method="POST")
def person_anonymise(request):
    person = request.context.person
    reason = (request.POST.get("reason") or "").strip()
    if request.POST.get("confirm") != "yes" or not reason:
        request.session.flash(request.localizer.translate(
            _("Tick the box and say why, to anonymise this person.")), "error")
        return HTTPFound(location=request.route_path("person", id=person.id))
    anonymise(request, person, reason=reason)
    request.session.flash(request.localizer.translate(
        _("The person is anonymised: their registrations and attendance still count in the totals.")), "success")
    return HTTPFound(location=request.route_path("person", id=person.id))
