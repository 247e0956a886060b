"""Translated error pages. Anonymous visitors to organiser pages are sent to log in."""
import logging

from pyramid.csrf import new_csrf_token
from pyramid.exceptions import BadCSRFOrigin, BadCSRFToken
from pyramid.httpexceptions import HTTPClientError, HTTPFound
from pyramid.view import forbidden_view_config, notfound_view_config, view_config

from ..i18n import _
from ..settings import as_bool

log = logging.getLogger(__name__)
TEMPLATE = "errors/error.jinja2"


def error_page(request, status: int, title, message) -> dict:
    # Translated here, not with `_()` in the template: new-style gettext marks its result safe,
    # and an exception's detail may carry text from the request.
    request.response.status_int = status
    translate = request.localizer.translate
    return {"status": status, "title": translate(title), "message": translate(message or "")}


@notfound_view_config(path_info=r"^/api/", renderer="json")
def api_not_found(request):
    """The JSON API answers in JSON even for an address it does not know (`/api/trainings/abc`)."""
    request.response.status_int = 404
    return {"error": "not found"}


@notfound_view_config(renderer=TEMPLATE)
def not_found(request):
    return error_page(request, 404, _("Page not found"),
                      _("The address may be mistyped, or the page may have moved or never existed."))


@forbidden_view_config(renderer=TEMPLATE)
def forbidden(request):
    if request.identity is None:
        request.session.flash(request.localizer.translate(_("Please log in to continue.")), "warning")
        next_path = request.path_qs if request.method == "GET" else request.path
        return HTTPFound(location=request.route_path("login", _query={"next": next_path}))
    return error_page(request, 403, _("Not allowed"), _("Your account may not open this page."))


@view_config(context=BadCSRFToken, renderer=TEMPLATE)
@view_config(context=BadCSRFOrigin, renderer=TEMPLATE)
def bad_csrf(request):
    new_csrf_token(request)
    return error_page(request, 400, _("This form has expired"),
                      _("For your security the form was not accepted and nothing was saved. "
                        "Go back, reload the page and send it again."))


@view_config(context=UnicodeDecodeError, renderer=TEMPLATE)
def undecodable_address(request):
    """A query string or form that is not UTF-8 (a hand-edited or forged address)."""
    return error_page(request, 400, _("This address is not valid"),
                      _("It holds characters that cannot be read. Check the address and try again."))


@view_config(context=HTTPClientError, renderer=TEMPLATE)
def client_error(exc, request):
    return error_page(request, exc.status_int, exc.title, exc.detail or exc.explanation)


@view_config(context=Exception, renderer=TEMPLATE)
def server_error(exc, request):
    if as_bool(request.registry.settings.get("app.show_errors", False)):
        raise exc
    log.exception("unhandled error on %s", request.path, exc_info=exc)
    return error_page(request, 500, _("Something went wrong"),
                      _("The error has been logged and nothing was saved. Please try again in a moment."))
