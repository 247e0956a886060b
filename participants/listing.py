"""Searching and filtering the registrations of a training (constant number of queries)."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from .duplicates import normalise_text
from .models import Institution, Person, Registration, RegistrationRole, RegistrationSource, RegistrationStatus


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


def registrations(dbsession: Session, training_id: int, filters: Filters) -> list[Registration]:
    query = (
        select(Registration)
        .join(Person, Person.id == Registration.person_id)
        .outerjoin(Institution, Institution.id == Person.institution_id)
        .where(Registration.training_id == training_id)
        .options(joinedload(Registration.person).joinedload(Person.institution))
    )
    if filters.status:
        query = query.where(Registration.status == filters.status)
    if filters.role:
        query = query.where(Registration.role == filters.role)
    if filters.source:
        query = query.where(Registration.source == filters.source)
    order = {RegistrationStatus.confirmed: 0, RegistrationStatus.pending: 1, RegistrationStatus.waitlisted: 2}
    found = list(dbsession.scalars(query.order_by(Registration.created_at, Registration.id)).unique())
    found.sort(key=lambda registration: order.get(registration.status, 3))
    if filters.q:
        # In Python: accents and case ignored the same way on every database.
        words = normalise_text(filters.q).split()
        found = [registration for registration in found
                 if all(word in _searchable(registration) for word in words)]
    return found


def _searchable(registration: Registration) -> str:
    person = registration.person
    return normalise_text(" ".join(filter(None, (person.given_names, person.family_names, person.email,
                                                 person.institution.name if person.institution else ""))))


def counts_by_status(dbsession: Session, training_id: int) -> dict[str, int]:
    rows = dbsession.execute(
        select(Registration.status, func.count()).where(Registration.training_id == training_id)
        .group_by(Registration.status)
    )
    counts = {status.value: 0 for status in RegistrationStatus}
    counts.update({str(status): count for status, count in rows})
    return counts
