"""Probable duplicates in the registry: the same name once accents, case and spaces are ignored,
at the same institution; or the same identity document in the same country once spaces, dots,
dashes, case and leading zeros are ignored (`person.document_key`). Organisers review them and merge.

The grouping is done in SQL on `person.name_key` (kept up to date by the application) with its
index on (name_key, institution_id), a page of groups at a time."""
from __future__ import annotations

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session, joinedload

from .models import Person
from .text import normalise_text, person_name_key

__all__ = ["name_key", "normalise_text", "probable_duplicates", "same_document"]

GROUPS_PER_PAGE = 50


def name_key(person: Person) -> str:
    return person_name_key(person.given_names, person.family_names)


def probable_duplicates(dbsession: Session, limit: int | None = GROUPS_PER_PAGE, offset: int = 0,
                        scope=lambda statement: statement) -> list[list[Person]]:
    """Groups of two or more persons with the same normalised name and institution, in the
    order of their names: `limit` groups from `offset` (all with None); `scope` narrows the
    registry to the people the user may see."""
    return _groups(dbsession, (Person.name_key, Person.institution_id), [Person.name_key != ""], limit, offset, scope)


def same_document(dbsession: Session, limit: int | None = GROUPS_PER_PAGE, offset: int = 0,
                  scope=lambda statement: statement) -> list[list[Person]]:
    """Groups of two or more persons whose identity documents are one once written alike
    ("01234567", "1234567", "01.234.567"), in the same country: `limit` groups from `offset`,
    found on the index of (document_key, country)."""
    return _groups(dbsession, (Person.document_key, Person.country),
                   [Person.document_key != "", Person.country.is_not(None)], limit, offset, scope)


def _groups(dbsession: Session, key: tuple, conditions: list, limit: int | None, offset: int,
            scope) -> list[list[Person]]:
    """Persons sharing the values of the `key` columns with at least one other, grouped: the
    keys found from their index alone (count(*)), a page of them, then their persons."""
    keys = (scope(select(*key).where(*conditions))
            .group_by(*key).having(func.count() > 1)
            .order_by(*key).offset(offset or None))
    if limit is not None:
        keys = keys.limit(limit)
    keys = keys.subquery()
    # A nullable column (the institution) matches NULL with NULL; the others compare plainly.
    match = and_(*(column.is_not_distinct_from(keys.c[column.key]) if column.nullable
                   else column == keys.c[column.key] for column in key))
    people = dbsession.scalars(scope(
        select(Person).join(keys, match).options(joinedload(Person.institution)).order_by(*key, Person.id)))
    groups: dict[tuple, list[Person]] = {}
    for person in people:
        groups.setdefault(tuple(getattr(person, column.key) for column in key), []).append(person)
    return list(groups.values())
