"""Organisations (a country office, a ministry partner) and who works in each, with which role.

Programmes, trainings, venues and certificate layouts belong to one organisation; the person
registry is shared (a prosecutor trained by two offices is one person)."""
from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .accounts import User
from .base import Base, UTCDateTime, enum_column, utcnow


class MemberRole(enum.StrEnum):
    manager = "manager"  # organises, and manages the organisation's members
    organiser = "organiser"  # creates and runs trainings, registrations, certificates
    viewer = "viewer"  # reads lists and reports; changes nothing


class Organisation(Base):
    __tablename__ = "organisation"
    __table_args__ = (sa.UniqueConstraint("name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    memberships: Mapped[list[Membership]] = relationship(back_populates="organisation", cascade="all, delete-orphan")


class Membership(Base):
    __tablename__ = "membership"
    __table_args__ = (sa.UniqueConstraint("user_id", "organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id", ondelete="CASCADE"), index=True)
    role: Mapped[MemberRole] = mapped_column(enum_column(MemberRole, "member_role"), default=MemberRole.organiser)

    user: Mapped[User] = relationship(back_populates="memberships")
    organisation: Mapped[Organisation] = relationship(back_populates="memberships", lazy="joined")


DEFAULT_ORGANISATION_NAME = "Capacita"


def default_organisation(dbsession) -> Organisation:
    """The organisation of an installation that has never named one: the oldest, made when none
    exists. A single office never has to think about organisations."""
    found = dbsession.scalar(sa.select(Organisation).order_by(Organisation.id).limit(1))
    if found is None:  # one made earlier in this flush, not yet written
        found = next((obj for obj in dbsession.new if isinstance(obj, Organisation)), None)
    if found is None:
        found = Organisation(name=DEFAULT_ORGANISATION_NAME)
        dbsession.add(found)
    return found


def _owner_of(obj, dbsession) -> Organisation:
    for parent in (getattr(obj, "programme", None), getattr(obj, "venue", None)):
        if parent is not None and parent.organisation is not None:
            return parent.organisation
    return default_organisation(dbsession)


@sa.event.listens_for(sa.orm.Session, "before_flush")
def _assign_organisation(dbsession, flush_context, instances) -> None:
    """A programme, venue or training added without an organisation takes its programme's or
    venue's, or the default one (scripts, imports and single-office installations)."""
    for obj in list(dbsession.new):
        if hasattr(obj, "organisation_id") and type(obj).__name__ in {"Training", "Programme", "Venue"}:
            if obj.organisation_id is None and obj.organisation is None:
                with dbsession.no_autoflush:
                    obj.organisation = _owner_of(obj, dbsession)
