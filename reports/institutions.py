"""The institutions registry: organisers review the institutions typed on the public form or
met in an import (name, kind, country), and merge two that are the same body."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from participants.models import Institution, InstitutionKind, Person, Registration
from trainings.audit import record
from trainings.forms import FieldErrors
from trainings.i18n import _

PAGE_SIZE = 100


@dataclass(frozen=True)
class InstitutionLine:
    institution: Institution
    people: int
    registrations: int


def institution_lines(dbsession: Session, *, unreviewed_only: bool = False, search: str = "",
                      page: int = 1) -> tuple[int, list[InstitutionLine]]:
    """Institutions (unreviewed first, then by name) with how many people and registrations each
    has, a page at a time, and how many there are in all."""
    people = (select(Person.institution_id, func.count(Person.id).label("people"))
              .group_by(Person.institution_id).subquery())
    registrations = (select(Person.institution_id, func.count(Registration.id).label("registrations"))
                     .join(Registration, Registration.person_id == Person.id)
                     .group_by(Person.institution_id).subquery())
    conditions = []
    if unreviewed_only:
        conditions.append(Institution.reviewed.is_(False))
    for word in search.lower().split():
        conditions.append(func.lower(Institution.name).contains(word, autoescape=True))
    total = dbsession.scalar(select(func.count(Institution.id)).where(*conditions))
    rows = dbsession.execute(
        select(Institution, func.coalesce(people.c.people, 0), func.coalesce(registrations.c.registrations, 0))
        .outerjoin(people, people.c.institution_id == Institution.id)
        .outerjoin(registrations, registrations.c.institution_id == Institution.id)
        .where(*conditions)
        .order_by(Institution.reviewed, func.lower(Institution.name), Institution.id)
        .limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)
    )
    return total, [InstitutionLine(institution, count, registered) for institution, count, registered in rows]


def update_institution(dbsession: Session, institution: Institution, values: dict) -> Institution:
    name, country = " ".join(values["name"].split()), values.get("country") or None
    clash = dbsession.scalar(select(Institution).where(
        func.lower(Institution.name) == name.lower(), Institution.country.is_(country) if country is None
        else Institution.country == country, Institution.id != institution.id))
    if clash is not None:
        raise FieldErrors({"name": _("Another institution of this country has this name: merge the two instead.")})
    institution.name, institution.country = name, country
    institution.kind = InstitutionKind(values["kind"])
    institution.reviewed = bool(values.get("reviewed"))
    dbsession.flush()
    return institution


def merge_institutions(dbsession: Session, remove: Institution, keep: Institution, request=None) -> int:
    """Move every person of `remove` to `keep` (their registrations follow them) and delete
    `remove`, all or nothing, in the audit log when a `request` did it. The kept institution is
    marked reviewed: an organiser chose it. Returns how many people moved."""
    if remove.id == keep.id:
        raise FieldErrors({"keep": _("Choose another institution: an institution cannot be merged into itself.")})
    with dbsession.begin_nested():
        moved = dbsession.execute(update(Person).where(Person.institution_id == remove.id)
                                  .values(institution_id=keep.id)).rowcount
        keep.reviewed = True
        if request is not None:
            record(request, "institution.merge", keep, summary=f"{remove.name} → {keep.name} ({moved})")
        dbsession.delete(remove)
        dbsession.flush()
    dbsession.expire_all()
    return moved
