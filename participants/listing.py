"""Searching and filtering the registrations of a training (constant number of queries)."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session, joinedload

from .models import Person, Registration, RegistrationRole, RegistrationSource, RegistrationStatus
from .people import person_search_conditions


@dataclass
class Filters:
    q: str = ""
    status: str = ""
    role: str = ""
    source: str = ""

    @classmethod
    def from_params(cls, params) -> Filters:
        def pick(name, enum):
            value = params.get(name, "")
            return value if value in {member.value for member in enum} else ""

        return cls(q=params.get("q", "").strip()[:100], status=pick("status", RegistrationStatus),
                   role=pick("role", RegistrationRole), source=pick("source", RegistrationSource))

    def as_query(self) -> dict:
        return {name: value for name, value in vars(self).items() if value}


STATUS_ORDER = case({RegistrationStatus.confirmed.value: 0, RegistrationStatus.pending.value: 1,
                     RegistrationStatus.waitlisted.value: 2}, value=Registration.status, else_=3)


def registrations_query(dbsession: Session, training_id: int, filters: Filters):
    """The training's registrations the filters keep, searched in SQL (see person_search_conditions)."""
    query = select(Registration).where(Registration.training_id == training_id)
    if filters.status:
        query = query.where(Registration.status == filters.status)
    if filters.role:
        query = query.where(Registration.role == filters.role)
    if filters.source:
        query = query.where(Registration.source == filters.source)
    if filters.q:
        query = (query.join(Person, Person.id == Registration.person_id)
                 .where(*person_search_conditions(dbsession, filters.q)))
    return query


def registrations(dbsession: Session, training_id: int, filters: Filters, limit: int | None = None,
                  offset: int = 0) -> list[Registration]:
    """Confirmed first, then pending, waitlisted and cancelled; each in the order they came."""
    query = (registrations_query(dbsession, training_id, filters)
             .options(joinedload(Registration.person).joinedload(Person.institution))
             .order_by(STATUS_ORDER, Registration.created_at, Registration.id).offset(offset or None))
    if limit is not None:
        query = query.limit(limit)
    return list(dbsession.scalars(query))


def count_registrations(dbsession: Session, training_id: int, filters: Filters) -> int:
    query = registrations_query(dbsession, training_id, filters)
    return dbsession.scalar(query.with_only_columns(func.count(Registration.id)).order_by(None)) or 0


def counts_by_status(dbsession: Session, training_id: int) -> dict[str, int]:
    rows = dbsession.execute(
        select(Registration.status, func.count()).where(Registration.training_id == training_id)
        .group_by(Registration.status)
    )
    counts = {status.value: 0 for status in RegistrationStatus}
    counts.update({str(status): count for status, count in rows})
    return counts
