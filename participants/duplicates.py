"""Probable duplicates in the registry: the same name once accents, case and spaces are ignored,
at the same institution. Organisers review them and merge."""
from __future__ import annotations

import unicodedata
from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from .models import Person


def normalise_text(text: str | None) -> str:
    decomposed = unicodedata.normalize("NFKD", text or "")
    without_accents = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(without_accents.casefold().split())


def name_key(person: Person) -> str:
    return normalise_text(f"{person.given_names} {person.family_names}").replace(" ", "")


def probable_duplicates(dbsession: Session) -> list[list[Person]]:
    """Groups of two or more persons with the same normalised name and institution."""
    groups: dict[tuple[str, int | None], list[Person]] = defaultdict(list)
    people = dbsession.scalars(select(Person).options(joinedload(Person.institution)).order_by(Person.id))
    for person in people:
        groups[(name_key(person), person.institution_id)].append(person)
    return [group for _key, group in sorted(groups.items(), key=lambda item: item[0][0]) if len(group) > 1]
