"""Organiser accounts: password hashing and authentication rules."""
from __future__ import annotations

import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .models import User, UserRole, utcnow

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
    dbsession: Session, email: str, password: str, role: UserRole = UserRole.organiser, display_name: str = ""
) -> User:
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
    return user


def set_password(user: User, password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")
    user.password_hash = password_hasher.hash(password)


def count_users(dbsession: Session) -> int:
    return dbsession.scalar(select(func.count()).select_from(User))
