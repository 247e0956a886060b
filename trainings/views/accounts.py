"""Organisers log in and out."""
from pyramid.csrf import new_csrf_token
from pyramid.httpexceptions import HTTPFound
from pyramid.security import forget, remember
from pyramid.view import view_config

from ..account_schemas import PasswordChangeSchema, PasswordForgottenSchema, PasswordSetSchema
from ..accounts import authenticate, change_password, find_user, normalise_email, set_password_with_token, valid_token
from ..forms import FieldErrors, handle_form, make_form
from ..i18n import _, safe_local_path
from ..models import TokenPurpose
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
