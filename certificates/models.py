"""Certificates, their layouts, and the counters that number them."""
from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from participants.models import Registration
from trainings.models import Base, Language, Programme, User, UTCDateTime, enum_column, utcnow


class CertificateKind(enum.StrEnum):
    attendance = "attendance"
    participation = "participation"
    speaker = "speaker"


class Certificate(Base):
    __tablename__ = "certificate"
    __table_args__ = (
        sa.UniqueConstraint("serial"),
        sa.UniqueConstraint("verification_code"),
        sa.CheckConstraint(
            "revoked_at IS NULL OR length(trim(revoke_reason)) > 0", name="revocation_has_reason"
        ),
        # At most one valid certificate of a kind per registration; a revoked one may be re-issued.
        sa.Index(
            "uq_certificate_valid_per_kind",
            "registration_id",
            "kind",
            unique=True,
            sqlite_where=sa.text("revoked_at IS NULL"),
            postgresql_where=sa.text("revoked_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(sa.ForeignKey("registration.id"), index=True)
    kind: Mapped[CertificateKind] = mapped_column(enum_column(CertificateKind, "kind"))
    serial: Mapped[str] = mapped_column(sa.String(32))  # e.g. PE-2026-000123
    # Printed on the paper and typed on the public page: a public identifier, not a secret link.
    verification_code: Mapped[str] = mapped_column(sa.String(32))
    language: Mapped[Language] = mapped_column(enum_column(Language, "language"))
    issued_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    issued_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    manual_reason: Mapped[str] = mapped_column(sa.Text, default="")
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    revoke_reason: Mapped[str] = mapped_column(sa.Text, default="")
    revoked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))

    # What the certificate states, fixed when it is issued: renaming the person or the training,
    # or correcting attendance afterwards, never changes an issued certificate nor what its
    # verification page shows. A certificate that no longer holds is revoked and issued anew.
    given_names: Mapped[str] = mapped_column(sa.String(150))
    family_names: Mapped[str] = mapped_column(sa.String(150))
    training_title: Mapped[str] = mapped_column(sa.String(200))
    programme_name: Mapped[str] = mapped_column(sa.String(200), default="")
    city: Mapped[str] = mapped_column(sa.String(120))
    country: Mapped[str] = mapped_column(sa.String(2))
    starts_on: Mapped[dt.date] = mapped_column(sa.Date)
    ends_on: Mapped[dt.date] = mapped_column(sa.Date)
    minutes: Mapped[int] = mapped_column(sa.Integer)  # hours attended, given, or of the training
    spoke_as_moderator: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    session_titles: Mapped[list[str]] = mapped_column(sa.JSON, default=list)  # a speaker's sessions

    registration: Mapped[Registration] = relationship()
    issued_by: Mapped[User | None] = relationship(foreign_keys=[issued_by_id])
    revoked_by: Mapped[User | None] = relationship(foreign_keys=[revoked_by_id])

    @property
    def holder_name(self) -> str:
        return f"{self.given_names} {self.family_names}".strip()

    @property
    def hours(self) -> dt.timedelta:
        return dt.timedelta(minutes=self.minutes)


class CertificateLayout(Base):
    """A certificate design as data (JSON): positions, fonts, colours, fields, signatories."""

    __tablename__ = "certificate_layout"
    __table_args__ = (sa.UniqueConstraint("name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    programme_id: Mapped[int | None] = mapped_column(sa.ForeignKey("programme.id"), index=True)
    # None: a layout every organisation may use (the default design).
    organisation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    definition: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    programme: Mapped[Programme | None] = relationship()
    assets: Mapped[list[LayoutAsset]] = relationship(
        back_populates="layout", cascade="all, delete-orphan", order_by="LayoutAsset.name"
    )


class LayoutAsset(Base):
    """An image a layout uses: logo, background or signature."""

    __tablename__ = "layout_asset"
    __table_args__ = (sa.UniqueConstraint("layout_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    layout_id: Mapped[int] = mapped_column(sa.ForeignKey("certificate_layout.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(sa.String(120))
    content_type: Mapped[str] = mapped_column(sa.String(60))
    data: Mapped[bytes] = deferred(mapped_column(sa.LargeBinary))

    layout: Mapped[CertificateLayout] = relationship(back_populates="assets")


class TrainingCertificateLayout(Base):
    """Which layout a training's certificates use (the default layout when absent)."""

    __tablename__ = "training_certificate_layout"

    training_id: Mapped[int] = mapped_column(sa.ForeignKey("training.id"), primary_key=True)
    layout_id: Mapped[int] = mapped_column(sa.ForeignKey("certificate_layout.id"), index=True)

    layout: Mapped[CertificateLayout] = relationship()


class SerialCounter(Base):
    """The last sequence number used for a country and year (PE-2026-000123)."""

    __tablename__ = "certificate_serial_counter"
    __table_args__ = (sa.CheckConstraint("last_value >= 0", name="last_value_positive"),)

    country: Mapped[str] = mapped_column(sa.String(2), primary_key=True)
    year: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    last_value: Mapped[int] = mapped_column(sa.Integer, default=0)
