"""Programme scale: the registry searched and its duplicates found in SQL (accent-free, lower-case
name columns; a trigram index on PostgreSQL), sessions indexed by their end (feed windows), and
one schedule revision that versions the long calendar feeds without reading every session.

Revision ID: 0006
Revises: 0004
"""
import sqlalchemy as sa
from alembic import op

import trainings.models.base

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

BATCH = 5000


def upgrade():
    with op.batch_alter_table("person") as batch_op:
        batch_op.add_column(sa.Column("search_text", sa.String(length=700), server_default="", nullable=False))
        batch_op.add_column(sa.Column("name_key", sa.String(length=300), server_default="", nullable=False))
        batch_op.add_column(sa.Column("sort_name", sa.String(length=300), server_default="", nullable=False))
    _fill_person_search_columns()
    with op.batch_alter_table("person") as batch_op:
        batch_op.create_index("ix_person_name_key", ["name_key", "institution_id"])
        batch_op.create_index("ix_person_sort_name", ["sort_name", "id"])
    with op.batch_alter_table("session") as batch_op:
        batch_op.create_index("ix_session_ends_at", ["ends_at"])
    with op.batch_alter_table("registration") as batch_op:
        batch_op.create_index("ix_registration_training_counts", ["training_id", "status", "role"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute("CREATE INDEX ix_person_search_text_trgm ON person USING gin (search_text gin_trgm_ops)")
    op.create_table(
        "schedule_revision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("changed_at", trainings.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_schedule_revision")),
    )
    op.execute(sa.text("INSERT INTO schedule_revision (id, revision, changed_at) VALUES (1, 1, :now)")
               .bindparams(sa.bindparam("now", trainings.models.base.utcnow(),
                                        type_=trainings.models.base.UTCDateTime(timezone=True))))


def _fill_person_search_columns():
    """Written by the application from now on; existing persons are filled here, in batches."""
    from participants.text import person_name_key, person_search_text, person_sort_name

    connection = op.get_bind()
    person = sa.table("person", sa.column("id"), sa.column("given_names"), sa.column("family_names"),
                      sa.column("email"), sa.column("id_document"), sa.column("search_text"), sa.column("name_key"),
                      sa.column("sort_name"))
    last_id = 0
    while True:
        rows = connection.execute(
            sa.select(person.c.id, person.c.given_names, person.c.family_names, person.c.email, person.c.id_document)
            .where(person.c.id > last_id).order_by(person.c.id).limit(BATCH)).all()
        if not rows:
            return
        connection.execute(
            person.update().where(person.c.id == sa.bindparam("person_id"))
            .values(search_text=sa.bindparam("text"), name_key=sa.bindparam("key"), sort_name=sa.bindparam("sort")),
            [{"person_id": row.id, "text": person_search_text(row.given_names, row.family_names, row.email,
                                                              row.id_document),
              "key": person_name_key(row.given_names, row.family_names),
              "sort": person_sort_name(row.given_names, row.family_names)} for row in rows])
        last_id = rows[-1].id


def downgrade():
    op.drop_table("schedule_revision")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_person_search_text_trgm")
    with op.batch_alter_table("registration") as batch_op:
        batch_op.drop_index("ix_registration_training_counts")
    with op.batch_alter_table("session") as batch_op:
        batch_op.drop_index("ix_session_ends_at")
    with op.batch_alter_table("person") as batch_op:
        batch_op.drop_index("ix_person_sort_name")
        batch_op.drop_index("ix_person_name_key")
        batch_op.drop_column("sort_name")
        batch_op.drop_column("name_key")
        batch_op.drop_column("search_text")
