"""Organiser accounts. Participants never log in: they use private links."""
from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, Language, UTCDateTime, enum_column, utcnow


class UserRole(enum.StrEnum):
    admin = "admin"
    organiser = "organiser"


class User(Base):
    __tablename__ = "user_account"
    __table_args__ = (
        sa.UniqueConstraint("email"),
        sa.CheckConstraint("email = lower(trim(email))", name="email_normalised"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254))
    display_name: Mapped[str] = mapped_column(sa.String(200), default="")
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    role: Mapped[UserRole] = mapped_column(enum_column(UserRole, "role"), default=UserRole.organiser)
    active: Mapped[bool] = mapped_column(sa.Boolean, default=True)
    preferred_language: Mapped[Language] = mapped_column(
        enum_column(Language, "preferred_language"), default=Language.es
    )
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # Sessions live in signed cookies, which the server cannot delete: each session records the
    # epoch it began in, and logging out moves the epoch on, so a copied cookie stops working.
    session_epoch: Mapped[int] = mapped_column(sa.Integer, default=0, server_default="0")
    # Second factor (administrators may enrol): the TOTP secret, and one-time recovery codes
    # stored as argon2 hashes, one per line.
    totp_secret: Mapped[str | None] = mapped_column(sa.String(64))
    # The time step (RFC 6238's counter) of the last code accepted: a code is accepted once.
    totp_last_step: Mapped[int | None] = mapped_column(sa.BigInteger)
    recovery_code_hashes: Mapped[str] = mapped_column(sa.Text, default="", server_default="")

    memberships: Mapped[list[Membership]] = relationship(  # noqa: F821 (organisations.py)
        back_populates="user", cascade="all, delete-orphan", order_by="Membership.organisation_id"
    )

    @property
    def is_admin(self) -> bool:
        return self.role == UserRole.admin

    @property
    def name(self) -> str:
        return self.display_name or self.email


class TokenPurpose(enum.StrEnum):
    invitation = "invitation"  # a new account sets its first password
    password_reset = "password_reset"  # noqa: S105 (a purpose, not a password)


class AccountToken(Base):
    """A set-password link sent by email: only its SHA-256 is stored; it expires and is used once."""

    __tablename__ = "account_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[TokenPurpose] = mapped_column(enum_column(TokenPurpose, "purpose"))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()
