"""The check-in code of a registration: a signed token, not a database id.

The token names the registration and its training and is signed with the application's
secret, so a code typed by hand, copied from another training or altered in any way is
refused. It carries no expiry: a badge printed weeks before the training must still work; a
cancelled registration is refused at the door by its status, not by its code.
"""
from __future__ import annotations

import io
from dataclasses import dataclass

import segno
from itsdangerous import BadSignature, URLSafeSerializer
from markupsafe import Markup

SALT = "capacita.checkin"


@dataclass(frozen=True)
class CheckinCode:
    registration_id: int
    training_id: int


def _serializer(secret: str) -> URLSafeSerializer:
    return URLSafeSerializer(secret, salt=SALT)


def secret_of(request) -> str:
    return request.registry.settings["session.secret"]


def make_token(secret: str, registration) -> str:
    return _serializer(secret).dumps({"r": registration.id, "t": registration.training_id})


def read_token(secret: str, token: str) -> CheckinCode | None:
    """The registration and training a token names, or None when it is not one of ours."""
    if not isinstance(token, str) or not token or len(token) > 200:
        return None
    try:
        payload = _serializer(secret).loads(token.strip())
    except BadSignature:
        return None
    if not isinstance(payload, dict):
        return None
    registration_id, training_id = payload.get("r"), payload.get("t")
    if not isinstance(registration_id, int) or not isinstance(training_id, int):
        return None
    return CheckinCode(registration_id, training_id)


def qr_svg(content: str, scale: int = 4, title: str | None = None, standalone: bool = False) -> str:
    """An SVG QR code; dark modules on white so that any scanner reads it.

    Inline in HTML the element needs no namespace; served as a file (an <img> source) it must
    declare the SVG namespace or browsers refuse to draw it."""
    out = io.BytesIO()
    segno.make(content, error="m").save(out, kind="svg", xmldecl=False, svgns=standalone, nl=False,
                                        scale=scale, border=2, dark="#000", light="#fff", title=title)
    return out.getvalue().decode("utf-8")


def checkin_qr_svg(request, registration, scale: int = 4) -> Markup:
    """The registration's check-in QR code as inline SVG markup, for pages and emails."""
    token = make_token(secret_of(request), registration)
    # segno writes the SVG itself from the token's URL-safe characters: nothing to escape.
    return Markup(qr_svg(token, scale=scale))  # noqa: S704
