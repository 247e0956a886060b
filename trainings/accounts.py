"""Organiser accounts: password hashing, authentication, invitations, set-password links,
memberships and deactivation. See docs/accounts.md."""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from .models import (
    AccountToken,
    MemberRole,
    Membership,
    Organisation,
    TokenPurpose,
    User,
    UserRole,
    utcnow,
)
from .models.organisations import default_organisation

password_hasher = PasswordHasher()

# Hash of a random password, verified against when the email is unknown so that a wrong
# email and a wrong password take the same time.
_DUMMY_HASH = password_hasher.hash(secrets.token_urlsafe(16))

MIN_PASSWORD_LENGTH = 10


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def find_user(dbsession: Session, email: str) -> User | None:
    return dbsession.scalar(select(User).where(User.email == normalise_email(email)))


def authenticate(dbsession: Session, email: str, password: str) -> User | None:
    """The active user with this email and password, or None."""
    user = find_user(dbsession, email)
    stored_hash = user.password_hash if user is not None else _DUMMY_HASH
    try:
        password_hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None or not user.active:
        return None
    if password_hasher.check_needs_rehash(user.password_hash):
        user.password_hash = password_hasher.hash(password)
    user.last_login_at = utcnow()
    return user


def generate_password() -> str:
    return secrets.token_urlsafe(12)


def create_user(
    dbsession: Session, email: str, password: str, role: UserRole = UserRole.organiser, display_name: str = "",
    organisations: list[Organisation] | None = None, member_role: MemberRole = MemberRole.manager,
) -> User:
    """An account; an organiser is a member (`member_role`) of `organisations`, by default of the
    default organisation (see `default_organisation`)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")
    user = User(
        email=normalise_email(email),
        password_hash=password_hasher.hash(password),
        role=role,
        display_name=display_name,
    )
    dbsession.add(user)
    dbsession.flush()
    if role != UserRole.admin:
        organisations = organisations if organisations is not None else [default_organisation(dbsession)]
        dbsession.flush()
        for organisation in organisations:
            set_membership(dbsession, user, organisation.id, member_role)
    return user


def set_password(user: User, password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")
    user.password_hash = password_hasher.hash(password)


def count_users(dbsession: Session) -> int:
    return dbsession.scalar(select(func.count()).select_from(User))


# Set-password links: an invitation leaves time to answer over a weekend; a reset is asked for
# by someone waiting for it.
TOKEN_LIFETIMES = {TokenPurpose.invitation: dt.timedelta(hours=72), TokenPurpose.password_reset: dt.timedelta(hours=2)}


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(dbsession: Session, user: User, purpose: TokenPurpose, now: dt.datetime | None = None) -> str:
    """A new set-password link's token (only its hash is stored); earlier unused links of the
    same purpose stop working, so that only the latest email counts."""
    now = now or utcnow()
    dbsession.execute(update(AccountToken).where(
        AccountToken.user_id == user.id, AccountToken.purpose == purpose, AccountToken.used_at.is_(None))
        .values(used_at=now))
    token = secrets.token_urlsafe(32)
    dbsession.add(AccountToken(user_id=user.id, purpose=purpose, token_hash=hash_token(token),
                               created_at=now, expires_at=now + TOKEN_LIFETIMES[purpose]))
    dbsession.flush()
    return token


def valid_token(dbsession: Session, token: str, now: dt.datetime | None = None) -> AccountToken | None:
    """The unused, unexpired link of an active account that `token` names, or None."""
    if not token or len(token) > 100:
        return None
    found = dbsession.scalar(select(AccountToken).where(AccountToken.token_hash == hash_token(token)))
    if found is None or found.used_at is not None or found.expires_at <= (now or utcnow()):
        return None
    if not found.user.active:
        return None
    return found


def set_password_with_token(dbsession: Session, account_token: AccountToken, password: str) -> User:
    """Use the link once: the new password is set and every session of the account ends."""
    user = account_token.user
    set_password(user, password)
    account_token.used_at = utcnow()
    user.session_epoch += 1
    return user


def change_password(user: User, current: str, new: str) -> bool:
    """False when `current` is wrong; otherwise the password is changed and other sessions end."""
    try:
        password_hasher.verify(user.password_hash, current)
    except (VerificationError, InvalidHashError):
        return False
    set_password(user, new)
    user.session_epoch += 1
    return True


def unusable_password_hash() -> str:
    """The hash of a password nobody knows: an invited account cannot log in before it sets one."""
    return password_hasher.hash(secrets.token_urlsafe(32))


def invite(dbsession: Session, email: str, display_name: str, organisation: Organisation, role: MemberRole,
           language: str) -> tuple[User, bool]:
    """The account for `email` with `role` in `organisation`, and whether it is new (and must be
    sent an invitation). An existing account gets the membership (or its new role)."""
    user = find_user(dbsession, email)
    created = user is None
    if created:
        user = User(email=normalise_email(email), display_name=display_name.strip(),
                    password_hash=unusable_password_hash(), role=UserRole.organiser, preferred_language=language)
        dbsession.add(user)
        dbsession.flush()
    set_membership(dbsession, user, organisation.id, role)
    return user, created


def set_membership(dbsession: Session, user: User, organisation_id: int, role: MemberRole | None) -> None:
    """Give `user` `role` in the organisation, or take the membership away with None."""
    membership = next((m for m in user.memberships if m.organisation_id == organisation_id), None)
    if role is None:
        if membership is not None:
            user.memberships.remove(membership)
    elif membership is None:
        user.memberships.append(Membership(organisation_id=organisation_id, role=role))
    else:
        membership.role = role
    dbsession.flush()


def set_active(user: User, active: bool) -> None:
    """Deactivate (or reactivate) an account: a deactivated one cannot log in, and its sessions
    end at once (the session epoch moves on)."""
    if user.active and not active:
        user.session_epoch += 1
    user.active = active
