"""Institutions: the list people pick from, and new ones typed in a form or met in an import."""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from trainings.i18n import collation_key, country_name

from .models import Institution, InstitutionKind


def all_institutions(dbsession: Session, reviewed_only: bool = False) -> list[Institution]:
    query = select(Institution).order_by(Institution.country, Institution.name)
    if reviewed_only:
        query = query.where(Institution.reviewed.is_(True))
    return list(dbsession.scalars(query))


def grouped_by_country(request, reviewed_only: bool = False,
                       first_country: str | None = None) -> list[tuple[str, list[tuple[str, str]]]]:
    """[(country name, [(id, name), ...]), ...]: `first_country`'s group first (the training's
    own), then by country name; institutions without a country last; names in collation order.
    A name found in several countries carries its country ("Ministerio del Interior (Paraguay)"),
    since a phone's picker may not show the group it sits in. The public form offers only
    reviewed ones."""
    institutions = all_institutions(request.dbsession, reviewed_only)
    countries_of: dict[str, set] = {}
    for institution in institutions:
        countries_of.setdefault(collation_key(institution.name), set()).add(institution.country)
    groups: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for institution in institutions:
        label = country_name(request, institution.country) if institution.country else ""
        name = institution.name
        if len(countries_of[collation_key(name)]) > 1 and label:
            name = f"{name} ({label})"
        groups.setdefault((institution.country or "", label), []).append((str(institution.id), name))
    def place(group):
        code, label = group[0]
        return (code != first_country, label == "", collation_key(label))

    return [(label, sorted(items, key=lambda item: collation_key(item[1])))
            for (_code, label), items in sorted(groups.items(), key=place)]


def find_institution(dbsession: Session, name: str, country: str | None,
                     any_country: bool = False) -> Institution | None:
    """The institution of that name (case and spaces ignored) in `country`; with `any_country`,
    one of that name elsewhere will do (a speaker from IOM Ecuador at a training in Paraguay)."""
    name = " ".join(name.split())
    candidates = list(dbsession.scalars(
        select(Institution).where(func.lower(func.trim(Institution.name)) == name.lower()).order_by(Institution.id)
    ))
    for institution in candidates:
        if institution.country == country:
            return institution
    return candidates[0] if candidates and (country is None or any_country) else None


def find_or_create(dbsession: Session, name: str, country: str | None,
                   kind: InstitutionKind = InstitutionKind.other, *,
                   any_country: bool = False) -> tuple[Institution, bool]:
    name = " ".join(name.split())
    institution = find_institution(dbsession, name, country, any_country)
    if institution is not None:
        return institution, False
    institution = Institution(name=name, country=country, kind=kind)
    dbsession.add(institution)
    dbsession.flush()
    return institution, True


def institution_named(dbsession: Session, name: str | None, country: str | None) -> Institution | None:
    """What a person typed as their institution in a one-step form (walk-in, speaker): the
    known institution of that name, wherever it is, else a new one; None when left blank."""
    if not (name or "").strip():
        return None
    return find_or_create(dbsession, name, country, any_country=True)[0]
