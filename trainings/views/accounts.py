"""Organisers log in and out."""
from pyramid.csrf import new_csrf_token
from pyramid.httpexceptions import HTTPFound
from pyramid.security import forget, remember
from pyramid.view import view_config

from ..accounts import authenticate, normalise_email
from ..forms import FieldErrors, handle_form, make_form
from ..i18n import _, safe_local_path
from ..schemas import LoginSchema
from ..security import Permission
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
