"""Organisers log in and out, change and reset their password, and (administrators) use a
second factor."""
import time

from markupsafe import Markup
from pyramid.csrf import new_csrf_token
from pyramid.httpexceptions import HTTPFound
from pyramid.renderers import render_to_response
from pyramid.security import forget, remember
from pyramid.view import view_config

from .. import second_factor
from ..account_schemas import CodeSchema, PasswordChangeSchema, PasswordForgottenSchema, PasswordSetSchema
from ..accounts import authenticate, change_password, find_user, normalise_email, set_password_with_token, valid_token
from ..forms import FieldErrors, handle_form, make_form
from ..i18n import _, safe_local_path
from ..models import TokenPurpose, User
from ..schemas import LoginSchema
from ..security import Permission
from ..services.account_mail import send_account_link
from ..throttle import client_address


@view_config(route_name="login", renderer="trainings/login.jinja2", permission=Permission.view)
def login(request):
    next_url = safe_local_path(request.params.get("next"), request.route_path("dashboard"))
    if request.identity is not None and request.method == "GET":
        return HTTPFound(location=next_url)
    form = make_form(request, LoginSchema(), submit_label=_("Log in"),
                     action=request.route_path("login", _query={"next": next_url}))

    def log_in(values):
        throttle = request.throttle("login")
        key = (client_address(request), normalise_email(values["email"]))
        if not throttle.allows(*key):
            minutes = max(throttle.retry_after_seconds(*key) // 60, 1)
            raise FieldErrors({None: _("Too many failed attempts. Try again in ${minutes} minutes.",
                                       mapping={"minutes": minutes})})
        user = authenticate(request.dbsession, values["email"], values["password"])
        if user is None:
            throttle.hit(*key)
            raise FieldErrors({None: _("Wrong email or password.")})
        throttle.clear(*key)
        request.session.invalidate()  # a new session at login: no fixation
        new_csrf_token(request)
        if user.totp_secret:  # the password is half of it: the code page finishes the login
            request.session[PENDING_KEY] = {"user": user.id, "at": time.time(), "next": next_url}
            return HTTPFound(location=request.route_path("login_code"))
        return HTTPFound(location=next_url, headers=remember(request, user.id))

    return handle_form(request, form, log_in)


@view_config(route_name="logout", request_method="POST", permission=Permission.view)
def logout(request):
    headers = forget(request)
    request.session.invalidate()
    request.session.flash(request.localizer.translate(_("You have logged out.")), "info")
    return HTTPFound(location=request.route_path("home"), headers=headers)


@view_config(route_name="account", renderer="trainings/accounts/password.jinja2", permission=Permission.read)
def account_password(request):
    """Everyone changes their own password; the current one is asked for (a session left open
    on a shared computer must not be enough), and their other sessions end."""
    user = request.identity
    form = make_form(request, PasswordChangeSchema(), submit_label=_("Change my password"))

    def save(values):
        if not change_password(user, values["current_password"], values["new_password"]):
            raise FieldErrors({"current_password": _("This is not your current password.")})
        return HTTPFound(location=request.route_path("dashboard"), headers=remember(request, user.id))

    return handle_form(request, form, save, success_message=_("Your password is changed. Your other sessions "
                                                               "have ended."))


FORGOTTEN_ANSWER = _("If an account has this address, an email with a link to choose a new password is on its way. "
                     "It expires in 2 hours.")


@view_config(route_name="password_forgotten", renderer="trainings/accounts/forgotten.jinja2",
             permission=Permission.view)
def password_forgotten(request):
    """The same answer whether the account exists or not (no enumeration); throttled per address
    and per client, so that nobody floods a mailbox or probes many addresses."""
    form = make_form(request, PasswordForgottenSchema(), submit_label=_("Send me a link"))

    def send(values):
        email = normalise_email(values["email"])
        by_address, by_client = request.throttle("reset_address"), request.throttle("reset_client")
        if not (by_address.hit(email) and by_client.hit(client_address(request))):
            raise FieldErrors({None: _("Too many requests. Try again later.")})
        user = find_user(request.dbsession, email)
        if user is not None and user.active:
            send_account_link(request, user, TokenPurpose.password_reset)
        return request.route_path("login")

    return handle_form(request, form, send, success_message=FORGOTTEN_ANSWER)


@view_config(route_name="password_set", renderer="trainings/accounts/set_password.jinja2", permission=Permission.view)
def password_set(request):
    """The page of an invitation's or a reset's link: a new password, then logged in."""
    account_token = valid_token(request.dbsession, request.matchdict["token"])
    if account_token is None:
        request.response.status_int = 404
        return {"expired": True}
    form = make_form(request, PasswordSetSchema(), submit_label=_("Save my password"))

    def save(values):
        user = set_password_with_token(request.dbsession, account_token, values["new_password"])
        request.session.invalidate()
        new_csrf_token(request)
        return HTTPFound(location=request.route_path("dashboard"), headers=remember(request, user.id))

    result = handle_form(request, form, save, success_message=_("Your password is saved; you are logged in."))
    if isinstance(result, dict):
        result.update(expired=False, invitation=account_token.purpose == TokenPurpose.invitation)
    return result


PENDING_KEY = "capacita.second_factor_pending"
PENDING_SECONDS = 300
ENROLMENT_KEY = "capacita.second_factor_secret"


@view_config(route_name="login_code", renderer="trainings/accounts/code.jinja2", permission=Permission.view)
def login_code(request):
    """After the password: the authenticator's code (or a recovery code), within 5 minutes,
    throttled like passwords."""
    pending = request.session.get(PENDING_KEY) or {}
    user = request.dbsession.get(User, pending.get("user") or 0)
    if user is None or not user.active or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        request.session.pop(PENDING_KEY, None)
        return HTTPFound(location=request.route_path("login"))
    form = make_form(request, CodeSchema(), submit_label=_("Log in"))

    def check(values):
        throttle = request.throttle("login")
        key = (client_address(request), f"code:{user.id}")
        if not throttle.allows(*key):
            raise FieldErrors({None: _("Too many failed attempts. Try again in ${minutes} minutes.",
                                       mapping={"minutes": max(throttle.retry_after_seconds(*key) // 60, 1)})})
        if not second_factor.second_factor_passes(user, values["code"]):
            throttle.hit(*key)
            raise FieldErrors({"code": _("This code is not valid.")})
        throttle.clear(*key)
        next_url = pending.get("next") or request.route_path("dashboard")
        request.session.invalidate()
        new_csrf_token(request)
        return HTTPFound(location=safe_local_path(next_url, request.route_path("dashboard")),
                         headers=remember(request, user.id))

    return handle_form(request, form, check)


@view_config(route_name="account_two_factor", renderer="trainings/accounts/two_factor.jinja2",
             permission=Permission.administer)
def account_two_factor(request):
    """Administrators turn the second factor on (scan, then confirm one code) or off (a code)."""
    user = request.identity
    form = make_form(request, CodeSchema(), submit_label=_("Turn off") if user.totp_secret else _("Turn on"))
    if user.totp_secret:
        def turn_off(values):
            if not second_factor.second_factor_passes(user, values["code"]):
                raise FieldErrors({"code": _("This code is not valid.")})
            second_factor.disable(user)
            return request.route_path("account")

        result = handle_form(request, form, turn_off, success_message=_("The second factor is off."))
        if isinstance(result, dict):
            result.update(enabled=True)
        return result
    secret = request.session.get(ENROLMENT_KEY) or second_factor.new_secret()
    request.session[ENROLMENT_KEY] = secret

    def turn_on(values):
        codes = second_factor.enrol(user, secret, values["code"])
        if codes is None:
            raise FieldErrors({"code": _("This code is not valid.")})
        request.session.pop(ENROLMENT_KEY, None)
        # The recovery codes are shown this once: only their hashes are kept.
        return render_to_response("trainings/accounts/two_factor.jinja2",
                                  {"enabled": True, "recovery_codes": codes, "form": None}, request=request)

    result = handle_form(request, form, turn_on)
    if not isinstance(result, dict):
        return result
    result.update(enabled=False, secret=secret, qr=Markup(second_factor.provisioning_qr_svg(user, secret)))  # noqa: S704
    return result
