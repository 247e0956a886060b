"""Private-link tokens: 256 random bits given once to their owner, stored only as a hash.

A registration has its current link and may have earlier ones (each email that carries a link
needs a new token, since only hashes are kept); all of them open the registration, until the
person revokes them (`revoke_links`): then only the link emailed next works."""
from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import select, union_all


def new_token() -> tuple[str, str]:
    """A fresh (token, hash) pair; the token goes in the email, the hash in the database."""
    token = secrets.token_urlsafe(32)
    return token, hash_token(token)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def give_new_link(dbsession, registration) -> str:
    """A fresh token for `registration`, to be sent now; the earlier links keep working."""
    from .models import EarlierPrivateLink

    token, token_hash = new_token()
    if registration.token_hash:
        dbsession.add(EarlierPrivateLink(registration_id=registration.id, token_hash=registration.token_hash))
    registration.token_hash = token_hash
    return token


def revoke_links(dbsession, registration) -> str:
    """Every link of `registration` stops working (the current one and the earlier ones); returns
    the token of the one new link, to be emailed now."""
    from sqlalchemy import delete

    from .models import EarlierPrivateLink

    dbsession.execute(delete(EarlierPrivateLink).where(EarlierPrivateLink.registration_id == registration.id))
    token, registration.token_hash = new_token()
    dbsession.flush()
    return token


def registration_by_token(dbsession, token, *options):
    """The registration a private link opens (its current token or an earlier one), or None."""
    from .models import EarlierPrivateLink, Registration

    if not isinstance(token, str) or not 20 <= len(token) <= 100:
        return None
    digest = hash_token(token)
    # Two lookups by unique index, united: an OR across the two tables would read every registration.
    matching = union_all(select(Registration.id).where(Registration.token_hash == digest),
                         select(EarlierPrivateLink.registration_id).where(EarlierPrivateLink.token_hash == digest))
    return dbsession.scalar(select(Registration).where(Registration.id.in_(matching)).limit(1).options(*options))
