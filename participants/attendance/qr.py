"""The check-in code of a registration: a signed token, not a database id.

The token names the registration and its training and is signed with the application's
secret, so a code typed by hand, copied from another training or altered in any way is
refused. It carries no expiry: a badge printed weeks before the training must still work; a
cancelled registration is refused at the door by its status, not by its code.

A person cannot read a QR code out, and nobody types a 40-character token: each registration
also has a short code (`short_code`, e.g. ``4821-7KQM``), printed under the QR code. It is the
registration id and four check characters signed like the token (over the id and the
training), so it is unique, a typo or an id typed alone is refused, and a code of another
training is recognised as such. Typed codes are only read behind an organiser's login and CSRF,
which is why four check characters are enough.
"""
from __future__ import annotations

import hashlib
import hmac
import io
import re
from dataclasses import dataclass

import segno
from itsdangerous import BadSignature, URLSafeSerializer
from markupsafe import Markup

SALT = "capacita.checkin"
# Crockford's base 32: no I, L, O or U, so nothing is mistaken for 1, 0 or V when read out.
SHORT_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
SHORT_CHECK_LENGTH = 4
# Letters people type for the digits they look like.
_LOOKALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})
_SHORT_CODE = re.compile(rf"([0-9]{{1,9}})[\s\-]*([{SHORT_ALPHABET}]{{{SHORT_CHECK_LENGTH}}})")


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


@dataclass(frozen=True)
class ShortCode:
    registration_id: int
    check: str

    def __str__(self) -> str:
        return f"{self.registration_id}-{self.check}"


def _short_check(secret: str, registration_id: int, training_id: int) -> str:
    message = f"{SALT}.short:{registration_id}:{training_id}".encode()
    number = int.from_bytes(hmac.new(secret.encode("utf-8"), message, hashlib.sha256).digest()[:4], "big")
    return "".join(SHORT_ALPHABET[(number >> (5 * place)) & 31] for place in range(SHORT_CHECK_LENGTH))


def short_code(secret: str, registration) -> str:
    """The code printed under the QR code, for reading out or typing: ``ID-CHECK``."""
    return str(ShortCode(registration.id, _short_check(secret, registration.id, registration.training_id)))


def read_short_code(value: str) -> ShortCode | None:
    """A typed short code, whatever its case or the blanks around it and its dash; None when it has
    not its shape."""
    if not isinstance(value, str) or len(value) > 40:
        return None
    match = _SHORT_CODE.fullmatch(value.strip().upper().translate(_LOOKALIKES))
    if match is None:
        return None
    return ShortCode(int(match.group(1)), match.group(2))


def short_code_matches(secret: str, code: ShortCode, registration) -> bool:
    """Whether `code` was made for `registration` (in whichever training it is)."""
    expected = _short_check(secret, registration.id, registration.training_id)
    return hmac.compare_digest(expected, code.check)


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
