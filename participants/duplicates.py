"""Probable duplicates in the registry: the same name once accents, case and spaces are ignored,
at the same institution. Organisers review them and merge.

The grouping is done in SQL on `person.name_key` (kept up to date by the application) with its
index on (name_key, institution_id), a page of groups at a time."""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from .models import Person
from .text import normalise_text, person_name_key

__all__ = ["name_key", "normalise_text", "probable_duplicates"]

GROUPS_PER_PAGE = 50


def name_key(person: Person) -> str:
    return person_name_key(person.given_names, person.family_names)


def probable_duplicates(dbsession: Session, limit: int | None = GROUPS_PER_PAGE, offset: int = 0,
                        scope=lambda statement: statement) -> list[list[Person]]:
    """Groups of two or more persons with the same normalised name and institution, in the
    order of their names: `limit` groups from `offset` (all with None); `scope` narrows the
    registry to the people the user may see."""
    keys = (scope(select(Person.name_key, Person.institution_id)
            .where(Person.name_key != ""))
            .group_by(Person.name_key, Person.institution_id).having(func.count() > 1)  # count(*): index only
            .order_by(Person.name_key, Person.institution_id).offset(offset or None))
    if limit is not None:
        keys = keys.limit(limit)
    keys = keys.subquery()
    people = dbsession.scalars(scope(
        select(Person)
        .join(keys, (Person.name_key == keys.c.name_key)
              & Person.institution_id.is_not_distinct_from(keys.c.institution_id))
        .options(joinedload(Person.institution))
        .order_by(Person.name_key, Person.institution_id, Person.id)))
    groups: dict[tuple[str, int | None], list[Person]] = {}
    for person in people:
        groups.setdefault((person.name_key, person.institution_id), []).append(person)
    return list(groups.values())
