"""One registry of persons across all trainings: the same email (whatever its case and spaces)
or the same identity document in the same country is the same person."""
from __future__ import annotations

import re
from dataclasses import dataclass, fields

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .models import Institution, Person, Sex


@dataclass
class PersonDetails:
    """What a form or an imported row says about a person. Empty values never erase known ones."""

    given_names: str
    family_names: str
    email: str | None = None
    phone: str = ""
    sex: Sex | None = None
    position: str = ""
    institution: Institution | None = None
    country: str | None = None
    preferred_language: str | None = None
    id_document: str | None = None


def normalise_email(email: str | None) -> str | None:
    email = (email or "").strip().lower()
    return email or None


_DOCUMENT_NOISE = re.compile(r"[\s.\-]")


def normalise_document(document: str | None) -> str | None:
    document = _DOCUMENT_NOISE.sub("", document or "").upper()
    return document or None


def find_person(dbsession: Session, email: str | None = None, id_document: str | None = None,
                country: str | None = None) -> Person | None:
    email, id_document = normalise_email(email), normalise_document(id_document)
    if email:
        person = dbsession.scalar(select(Person).where(func.lower(func.trim(Person.email)) == email))
        if person is not None:
            return person
    if id_document and country:
        return dbsession.scalar(select(Person).where(Person.id_document == id_document, Person.country == country))
    return None


def upsert_person(dbsession: Session, details: PersonDetails) -> tuple[Person, bool]:
    """The person these details describe, updated with them, or a new one. Returns
    (person, created)."""
    email, document = normalise_email(details.email), normalise_document(details.id_document)
    person = find_person(dbsession, email, document, details.country)
    created = person is None
    if created:
        person = Person(given_names=details.given_names.strip(), family_names=details.family_names.strip())
        dbsession.add(person)
    for field in fields(PersonDetails):
        value = getattr(details, field.name)
        if field.name == "email":
            value = email
        elif field.name == "id_document":
            value = document if _document_is_free(dbsession, person, document, details.country) else None
        elif isinstance(value, str):
            value = value.strip()
        if value not in (None, ""):
            setattr(person, field.name, value)
    dbsession.flush()
    return person, created


def _document_is_free(dbsession: Session, person: Person, document: str | None, country: str | None) -> bool:
    """A document already recorded for someone else is not moved onto this person (the two
    are shown to organisers as probable duplicates instead)."""
    if not document:
        return False
    owner = find_person(dbsession, id_document=document, country=country or person.country)
    return owner is None or owner is person
