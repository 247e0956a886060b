"""Persons sort with ñ after n (Navarro, Ñahui), as Spanish readers expect: the sort key of every
person whose name has an ñ is written again (`participants.text.person_sort_name`).

Revision ID: 0018
Revises: 0017
"""
import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

BATCH = 2_000


def upgrade():
    from participants.text import person_sort_name

    person = sa.table("person", sa.column("id"), sa.column("given_names"), sa.column("family_names"),
                      sa.column("sort_name"))
    # ñ composed or decomposed (n + combining tilde), in either case: LIKE is case-blind for ASCII only.
    marks = ("ñ", "Ñ", "\u0303")
    with_enye = sa.or_(*[column.like(f"%{mark}%") for column in (person.c.family_names, person.c.given_names)
                         for mark in marks])
    connection = op.get_bind()
    last_id = 0
    while True:
        rows = connection.execute(sa.select(person.c.id, person.c.given_names, person.c.family_names)
                                  .where(with_enye, person.c.id > last_id).order_by(person.c.id).limit(BATCH)).all()
        if not rows:
            return
        connection.execute(person.update().where(person.c.id == sa.bindparam("person_id"))
                           .values(sort_name=sa.bindparam("sort")),
                           [{"person_id": row.id, "sort": person_sort_name(row.given_names, row.family_names)}
                            for row in rows])
        last_id = rows[-1].id


def downgrade():
    """The keys stay as they are: the earlier code sorts them among the n's, harmlessly."""
