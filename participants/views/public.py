"""What participants see: the registration form, its confirmation, their private page, and the
lost-link request."""
from __future__ import annotations

import datetime

from pyramid.httpexceptions import HTTPFound, HTTPNotFound
from pyramid.view import view_config

from trainings.forms import FieldErrors, handle_form, make_form
from trainings.i18n import _
from trainings.models import TrainingStatus
from trainings.security import Permission
from trainings.throttle import client_address

from ..confirmation import ConfirmationExpired, QuotaReached, confirm_address, confirm_hours, is_waiting
from ..lost_links import lost_link_key, send_lost_links
from ..models import RegistrationStatus
from ..notifications import send_registration_mail
from ..registrations import cancel, waitlist_position
from ..schemas import LostLinkSchema, RegistrationSchema
from ..signup import accepts_registrations, register_from_form
from ..tokens import revoke_links


def _public_training(request):
    training = request.context.training
    if training.status == TrainingStatus.draft:
        raise HTTPNotFound()
    return training


@view_config(route_name="register", renderer="participants/register.jinja2", permission=Permission.view)
def register_view(request):
    training = _public_training(request)
    if not accepts_registrations(training):
        request.response.status_int = 410 if training.status == TrainingStatus.cancelled else 200
        return {"training": training, "closed": True}
    form = make_form(request, RegistrationSchema(), submit_label=_("Register"),
                     action=request.route_path("register", id=training.id))

    def registered(values):
        throttle = request.throttle("registration")
        if not throttle.hit(client_address(request)):
            raise FieldErrors({None: _("Too many registrations from your connection. Try again later.")})
        check_registration_limits(request, training, values.get("email") or "")
        registration, _token = register_from_form(request, training, values)
        request.session["registered"] = registration.id
        return request.route_path("register_done", id=training.id)

    result = handle_form(request, form, registered, appstruct={"country": training.region.country})
    if isinstance(result, dict):
        result.update(training=training, closed=False)
    return result


def check_registration_limits(request, training, email: str) -> None:
    """Per training and per address: a flood of sign-ups cannot bury a training in unconfirmed
    registrations nor an inbox in confirmation emails."""
    if not request.throttle("registration_training").hit(str(training.id)):
        raise FieldErrors({None: _("This training is receiving too many registrations right now. "
                                   "Try again in a few minutes.")})
    if email and not request.throttle("registration_address").hit(lost_link_key(email)):
        raise FieldErrors({"email": _("This address was registered several times in the last hour. Check your "
                                      "inbox (and your spam folder) for the confirmation email, or try again later.")})


@view_config(route_name="register_done", renderer="participants/register_done.jinja2", permission=Permission.view)
def register_done(request):
    training = _public_training(request)
    from ..models import Registration

    registration_id = request.session.get("registered")
    registration = request.dbsession.get(Registration, registration_id) if registration_id else None
    if registration is None or registration.training_id != training.id:
        return HTTPFound(location=request.route_path("register", id=training.id))
    return {"training": training, "registration": registration,
            "hours": confirm_hours(request.registry.settings),
            "position": waitlist_position(request.dbsession, registration)}


def _unknown_link(request):
    request.response.status_int = 404
    return {"registration": None}


@view_config(route_name="my_registration", renderer="participants/my_registration.jinja2",
             permission=Permission.view)
def my_registration(request):
    registration = request.context.registration
    if registration is None:
        return _unknown_link(request)
    request.response.headers["Referrer-Policy"] = "no-referrer"
    request.response.headers["Cache-Control"] = "private, no-store"
    expired = registration.status == RegistrationStatus.unverified and not is_waiting(registration)
    return {"registration": registration, "confirm_expired": expired, "training": registration.training,
            "person": registration.person, "token": request.context.token,
            "position": waitlist_position(request.dbsession, registration),
            "can_cancel": can_cancel(registration)}


def can_cancel(registration) -> bool:
    return (registration.status not in (RegistrationStatus.cancelled, RegistrationStatus.unverified)
            and registration.training.ends_on >= datetime.date.today())


@view_config(route_name="my_registration_cancel", request_method="POST",
             renderer="participants/my_registration.jinja2", permission=Permission.view)
def my_registration_cancel(request):
    registration = request.context.registration
    if registration is None:
        return _unknown_link(request)
    if not can_cancel(registration):
        request.session.flash(request.localizer.translate(
            _("This training has ended: its registrations can no longer be cancelled.")), "warning")
    else:
        cancel(request, registration)
        request.session.flash(request.localizer.translate(_("Your registration is cancelled.")), "info")
    return HTTPFound(location=request.route_path("my_registration", token=request.context.token))


@view_config(route_name="my_registration_confirm", request_method="POST",
             renderer="participants/my_registration.jinja2", permission=Permission.view)
def my_registration_confirm(request):
    """The person confirms their address: their registration now takes a place (or waits)."""
    registration = request.context.registration
    if registration is None:
        return _unknown_link(request)
    try:
        if confirm_address(request, registration):
            request.session.flash(request.localizer.translate(_("Thank you: your email address is confirmed.")),
                                  "success")
    except ConfirmationExpired:
        request.session.flash(request.localizer.translate(
            _("This confirmation link has expired. Register again to receive a new one.")), "warning")
        return HTTPFound(location=request.route_path("register", id=registration.training_id))
    except QuotaReached as reached:
        request.session.flash(request.localizer.translate(reached.refusal), "warning")
    return HTTPFound(location=request.route_path("my_registration", token=request.context.token))


@view_config(route_name="my_registration_revoke", request_method="POST", permission=Permission.view)
def my_registration_revoke(request):
    """The person revokes their private link (shared or forwarded by mistake): every link of the
    registration stops working and a new one goes to their address."""
    registration = request.context.registration
    if registration is None or not registration.person.email:
        return HTTPNotFound()
    token = revoke_links(request.dbsession, registration)
    send_registration_mail(request, registration, token, reason="new_link")
    request.session.flash(request.localizer.translate(_(
        "Your private link is revoked: the links you had no longer work. We have emailed you a new one.")), "success")
    return HTTPFound(location=request.route_path("lost_link"))


@view_config(route_name="lost_link", renderer="participants/lost_link.jinja2", permission=Permission.view)
def lost_link(request):
    form = make_form(request, LostLinkSchema(), submit_label=_("Send me my link"),
                     action=request.route_path("lost_link"))

    def requested(values):
        throttle = request.throttle("lost_link")
        if not throttle.hit(client_address(request)):
            raise FieldErrors({None: _("Too many requests from your connection. Try again in an hour.")})
        # Counted per address asked for, known or not (the answer must not tell them apart), so
        # that nobody can fill a participant's inbox from many connections.
        if not request.throttle("lost_link_recipient").hit(lost_link_key(values["email"])):
            raise FieldErrors({"email": _("Links were sent to this address several times today already. "
                                          "Check your inbox and your spam folder, or try again tomorrow.")})
        send_lost_links(request, values["email"])
        return request.route_path("lost_link")

    return handle_form(request, form, requested, success_message=_(
        "If this address is registered for a training, we have just sent it an email with the private links. "
        "Check your inbox, and your spam folder."))
