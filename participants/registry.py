"""One registry of persons across all trainings: the same email (whatever its case and spaces)
or the same identity document in the same country is the same person."""
from __future__ import annotations

import re
from dataclasses import dataclass, fields

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .models import Institution, Person, Sex
from .text import document_key


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
    home_region: str = ""
    year_of_birth: int | None = None


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
        return dbsession.scalar(select(Person).where(Person.document_key == document_key(id_document),
                                                     Person.country == country).order_by(Person.id).limit(1))
    return None


def upsert_person(dbsession: Session, details: PersonDetails, *, trusted: bool = True) -> tuple[Person, bool]:
    """The person these details describe, updated with them, or a new one. Returns
    (person, created).

    Details from an untrusted source (the public form, where anyone can type anyone's email)
    only fill what the registry does not know yet: they never rename a known person, and so
    never change the name on their certificates. Nor do they find a person by identity
    document: a document number is no secret, and matching on it would hand a stranger's
    registrations (and, through a lost-link request, their private page) to whoever typed it."""
    email, document = normalise_email(details.email), normalise_document(details.id_document)
    person = find_person(dbsession, email, document if trusted else None, details.country)
    created = person is None
    if created:
        person = Person(given_names=details.given_names.strip(), family_names=details.family_names.strip())
        dbsession.add(person)
    apply_details(person, details, _document_is_free(dbsession, person, document, details.country),
                  fill_only=not (trusted or created))
    dbsession.flush()
    return person, created


def apply_details(person: Person, details: PersonDetails, document_free: bool, fill_only: bool = False) -> Person:
    """Write what `details` say onto `person`; empty values never erase known ones, and the
    document only when nobody else holds it. `fill_only` leaves every known value as it is."""
    for field in fields(PersonDetails):
        value = getattr(details, field.name)
        if field.name == "email":
            value = normalise_email(value)
        elif field.name == "id_document":
            value = normalise_document(value) if document_free else None
        elif isinstance(value, str):
            value = value.strip()
        if value in (None, "") or (fill_only and getattr(person, field.name) not in (None, "")):
            continue
        setattr(person, field.name, value)
    return person


class KnownPeople:
    """The persons a batch of details may describe, loaded in a few queries (for imports):
    the same matching rules as `find_person`, without one query per row."""

    CHUNK = 500

    def __init__(self, dbsession: Session, emails, documents):
        self.by_email: dict[str, Person] = {}
        self.by_document: dict[tuple[str, str], Person] = {}
        emails = sorted({email for email in map(normalise_email, emails) if email})
        documents = sorted({document_key(document) for document in documents if normalise_document(document)})
        for start in range(0, len(emails), self.CHUNK):
            chunk = emails[start:start + self.CHUNK]
            for person in dbsession.scalars(select(Person).where(func.lower(func.trim(Person.email)).in_(chunk))):
                self.by_email[normalise_email(person.email)] = person
        for start in range(0, len(documents), self.CHUNK):
            chunk = documents[start:start + self.CHUNK]
            for person in dbsession.scalars(select(Person).where(Person.document_key.in_(chunk))
                                            .order_by(Person.id.desc())):  # the oldest holder wins
                self.by_document[(person.country, person.document_key)] = person

    def find(self, email: str | None, document: str | None, country: str | None) -> Person | None:
        email, document = normalise_email(email), normalise_document(document)
        if email and email in self.by_email:
            return self.by_email[email]
        if document and country:
            return self.by_document.get((country, document_key(document)))
        return None

    def remember(self, person: Person) -> None:
        if person.email:
            self.by_email[normalise_email(person.email)] = person
        if person.id_document and person.country:
            self.by_document[(person.country, document_key(person.id_document))] = person

    def document_is_free(self, person: Person, document: str | None, country: str | None) -> bool:
        document = normalise_document(document)
        if not document:
            return False
        owner = self.by_document.get((country or person.country, document_key(document)))
        return owner is None or owner is person


def _document_is_free(dbsession: Session, person: Person, document: str | None, country: str | None) -> bool:
    """A document already recorded for someone else is not moved onto this person (the two
    are shown to organisers as probable duplicates instead)."""
    if not document:
        return False
    owner = find_person(dbsession, id_document=document, country=country or person.country)
    return owner is None or owner is person
