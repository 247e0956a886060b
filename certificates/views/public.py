"""Public pages: verifying a certificate, and a participant downloading their own."""
from __future__ import annotations

from pyramid.httpexceptions import HTTPFound, HTTPNotFound
from pyramid.renderers import render_to_response
from pyramid.view import view_config
from sqlalchemy import select

from participants.tokens import registration_by_token
from trainings.i18n import _
from trainings.resources import get_or_404
from trainings.security import Permission
from trainings.throttle import client_address

from .. import documents, verification
from ..codes import looks_like_serial, normalise_code
from ..models import Certificate
from . import pdf_response

TEMPLATE = "certificates/verify.jinja2"


def _throttled(request) -> dict | None:
    """None while the client may look up codes; the 429 page's values once it may not."""
    throttle = request.throttle("verify")
    key = client_address(request)
    if throttle.hit(key):
        return None
    request.response.status_int = 429
    request.response.headers["Retry-After"] = str(throttle.retry_after_seconds(key))
    translate = request.localizer.translate
    return {"status": 429, "title": translate(_("Too many lookups")),
            "message": translate(_("You have checked many codes in a short time. "
                                   "Please wait a minute and try again."))}


@view_config(route_name="verify", renderer=TEMPLATE, permission=Permission.view)
def verify_form(request):
    typed = request.params.get("code", "").strip()
    if not typed:
        return {"typed": "", "certificate": None, "not_found": False}
    code = normalise_code(typed)
    if code is not None:
        return HTTPFound(location=request.route_path("verify_code", code=code))
    refused = _throttled(request)  # malformed codes count too: guessing is guessing
    if refused:
        return _refused(request, refused)
    request.response.status_int = 404
    return {"typed": typed, "certificate": None, "not_found": True, "serial_typed": looks_like_serial(typed)}


@view_config(route_name="verify_code", renderer=TEMPLATE, permission=Permission.view)
def verify_code(request):
    typed = request.matchdict["code"]
    refused = _throttled(request)
    if refused:
        return _refused(request, refused)
    code = normalise_code(typed)
    if code is not None and code != typed:  # one address per certificate
        return HTTPFound(location=request.route_path("verify_code", code=code))
    certificate = verification.find(request.dbsession, typed)
    if certificate is None:
        request.response.status_int = 404
        return {"typed": typed, "certificate": None, "not_found": True}
    return {"typed": certificate.verification_code, "not_found": False,
            "certificate": verification.public_view(certificate)}


def _refused(request, values: dict):
    response = render_to_response("errors/error.jinja2", values, request=request)
    response.status_int = 429
    response.headers["Retry-After"] = request.response.headers["Retry-After"]
    return response


@view_config(route_name="my_certificate", permission=Permission.view)
def my_certificate(request):
    """A participant's own certificate, through their private link."""
    registration = registration_by_token(request.dbsession, request.matchdict["token"])
    if registration is None:
        raise HTTPNotFound()
    certificate = get_or_404(request.dbsession, Certificate, request.matchdict["certificate_id"])
    if certificate.registration_id != registration.id:
        raise HTTPNotFound()
    return pdf_response(documents.render_certificate(request, certificate), documents.file_name(certificate))


def my_certificates(request, registration) -> list[Certificate]:
    """The certificates the private page lists (valid ones only)."""
    return list(request.dbsession.scalars(
        select(Certificate).where(Certificate.registration_id == registration.id, Certificate.revoked_at.is_(None))
        .order_by(Certificate.issued_at, Certificate.id)))
