"""Organiser accounts. Participants never log in: they use private links."""
from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

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

    @property
    def name(self) -> str:
        return self.display_name or self.email
