"""Optional second factor for administrators: TOTP (RFC 6238, with `pyotp`) and one-time
recovery codes stored as argon2 hashes. Enrolment confirms one code before it takes effect."""
from __future__ import annotations

import datetime as dt
import secrets

import pyotp
import segno
from argon2.exceptions import InvalidHashError, VerificationError
from pyotp.utils import strings_equal

from .accounts import password_hasher
from .models import User

RECOVERY_CODES = 8
ISSUER = "Capacita"


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_qr_svg(user: User, secret: str) -> str:
    """The QR code an authenticator app scans, as inline SVG (no image leaves the server)."""
    uri = pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)
    return segno.make(uri, error="m").svg_inline(scale=4)


def matching_step(secret: str | None, code: str, now: dt.datetime | None = None) -> int | None:
    """The time step of a six-digit code of now or of the 30 seconds before or after (clocks
    drift), or None when `code` is none of them."""
    code = (code or "").replace(" ", "")
    if not secret or not code.isdigit() or len(code) != 6:
        return None
    totp, now = pyotp.TOTP(secret), now or dt.datetime.now(dt.UTC)
    for drift in (0, -1, 1):
        moment = now + dt.timedelta(seconds=drift * totp.interval)
        if strings_equal(totp.at(moment), code):
            return totp.timecode(moment)
    return None


def accept_code(user: User, code: str, now: dt.datetime | None = None) -> bool:
    """A valid code not older than the last one accepted: a code read over a shoulder, or
    captured on its way, cannot be used a second time (RFC 6238, section 5.2)."""
    step = matching_step(user.totp_secret, code, now)
    if step is None or (user.totp_last_step is not None and step <= user.totp_last_step):
        return False
    user.totp_last_step = step
    return True


def enrol(user: User, secret: str, code: str) -> list[str] | None:
    """Turn the second factor on once `code` proves the app holds `secret`; the recovery codes
    (shown once), or None when the code is wrong."""
    step = matching_step(secret, code)
    if step is None:
        return None
    user.totp_secret, user.totp_last_step = secret, step
    return new_recovery_codes(user)


def new_recovery_codes(user: User) -> list[str]:
    codes = [f"{secrets.token_hex(3)}-{secrets.token_hex(3)}" for _ in range(RECOVERY_CODES)]
    user.recovery_code_hashes = "\n".join(password_hasher.hash(code) for code in codes)
    return codes


def use_recovery_code(user: User, code: str) -> bool:
    """True when `code` is one of the user's unused recovery codes, which is then spent."""
    code = (code or "").strip().lower()
    hashes = [line for line in (user.recovery_code_hashes or "").splitlines() if line]
    for stored in hashes:
        try:
            password_hasher.verify(stored, code)
        except (VerificationError, InvalidHashError):
            continue
        hashes.remove(stored)
        user.recovery_code_hashes = "\n".join(hashes)
        return True
    return False


def second_factor_passes(user: User, code: str) -> bool:
    return accept_code(user, code) or use_recovery_code(user, code)


def disable(user: User) -> None:
    user.totp_secret, user.totp_last_step = None, None
    user.recovery_code_hashes = ""
