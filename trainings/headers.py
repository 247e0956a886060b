"""Response headers decided in one place (a NewResponse subscriber):

- `Cache-Control: private, no-store` on everything served to a logged-in organiser but static
  files (their pages and downloads hold personal data: neither the browser's disk cache nor a
  shared proxy may keep them); private links' pages set it themselves;
- a Content-Security-Policy on every HTML page: scripts from this site only (`script-src
  'self'`, no inline script or event attribute: trainings/static/app.js does what those did),
  the check-in camera's QR decoder in a blob worker, no plugins, no framing, forms posted here.
"""
from __future__ import annotations

from pyramid.authentication import SessionAuthenticationHelper
from pyramid.events import NewResponse

from .security import SECURITY_HEADERS

CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "worker-src 'self' blob:",
    # The layout editor shows its live preview, a PDF fetched as a blob, in a frame.
    "frame-src 'self' blob:",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "media-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
))
STATIC_PREFIX = "/static/"


def _is_organiser_page(request) -> bool:
    """Served to a logged-in organiser. Read from the signed session alone: the response is
    decided after the request's transaction, when the database is no longer asked."""
    return (not request.path.startswith(STATIC_PREFIX)
            and SessionAuthenticationHelper().authenticated_userid(request) is not None)


def add_headers(event: NewResponse) -> None:
    request, response = event.request, event.response
    if _is_organiser_page(request) and "no-store" not in response.headers.get("Cache-Control", ""):
        response.headers["Cache-Control"] = "private, no-store"
    # Every answer has security.py's base policy (framing, base, plugins); pages get the full one.
    if response.content_type == "text/html" and response.headers.get("Content-Security-Policy") in (
            None, SECURITY_HEADERS["Content-Security-Policy"]):
        response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY


def includeme(config):
    config.add_subscriber(add_headers, NewResponse)
