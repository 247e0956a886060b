"""Institutions: the list people pick from, and new ones typed in a form or met in an import."""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from trainings.i18n import country_name

from .models import Institution, InstitutionKind


def all_institutions(dbsession: Session) -> list[Institution]:
    return list(dbsession.scalars(select(Institution).order_by(Institution.country, Institution.name)))


def grouped_by_country(request) -> list[tuple[str, list[tuple[str, str]]]]:
    """[(country name, [(id, name), ...]), ...] sorted by country name then institution name;
    institutions without a country come last."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for institution in all_institutions(request.dbsession):
        label = country_name(request, institution.country) if institution.country else ""
        groups.setdefault(label, []).append((str(institution.id), institution.name))
    return sorted(((label, sorted(items, key=lambda item: item[1].casefold())) for label, items in groups.items()),
                  key=lambda group: (group[0] == "", group[0].casefold()))


def find_institution(dbsession: Session, name: str, country: str | None) -> Institution | None:
    """The institution of that name (case and surrounding spaces ignored), preferably in `country`."""
    candidates = list(dbsession.scalars(
        select(Institution).where(func.lower(func.trim(Institution.name)) == name.strip().lower())
    ))
    for institution in candidates:
        if institution.country == country:
            return institution
    return candidates[0] if candidates and country is None else None


def find_or_create(dbsession: Session, name: str, country: str | None,
                   kind: InstitutionKind = InstitutionKind.other) -> tuple[Institution, bool]:
    institution = find_institution(dbsession, name, country)
    if institution is not None:
        return institution, False
    institution = Institution(name=name.strip(), country=country, kind=kind)
    dbsession.add(institution)
    dbsession.flush()
    return institution, True
