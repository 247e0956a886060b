"""The organiser's daily work: identity documents compared between people whatever their
spaces, dots, dashes, case and leading zeros (`person.document_key`, indexed, filled here for
the persons already known), and a training's registration deadline and quota per institution.

Revision ID: 0012
Revises: 0007
"""
import warnings

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

BATCH = 5000
QUOTA_CHECK = "institution_quota IS NULL OR institution_quota > 0"


def upgrade():
    # Plain ADD COLUMN: a batch copy of `person` on SQLite would lose its expression index.
    op.add_column("person", sa.Column("document_key", sa.String(length=40), server_default="", nullable=False))
    _fill_document_keys()
    op.create_index("ix_person_document_key", "person", ["document_key", "country"])
    op.add_column("training", sa.Column("registration_deadline", sa.Date(), nullable=True))
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE training ADD COLUMN institution_quota INTEGER "
                   f"CONSTRAINT ck_training_institution_quota_positive CHECK ({QUOTA_CHECK})")
    else:
        op.add_column("training", sa.Column("institution_quota", sa.Integer(), nullable=True))
        op.create_check_constraint(op.f("ck_training_institution_quota_positive"), "training", QUOTA_CHECK)


def _fill_document_keys():
    from participants.text import document_key

    connection = op.get_bind()
    person = sa.table("person", sa.column("id"), sa.column("id_document"), sa.column("document_key"))
    last_id = 0
    while True:
        rows = connection.execute(
            sa.select(person.c.id, person.c.id_document)
            .where(person.c.id > last_id, person.c.id_document.is_not(None))
            .order_by(person.c.id).limit(BATCH)).all()
        if not rows:
            return
        connection.execute(
            person.update().where(person.c.id == sa.bindparam("person_id")).values(document_key=sa.bindparam("key")),
            [{"person_id": row.id, "key": document_key(row.id_document)} for row in rows])
        last_id = rows[-1].id


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*expression-based index.*")
            with op.batch_alter_table("training") as batch_op:
                batch_op.drop_constraint(op.f("ck_training_institution_quota_positive"), type_="check")
                batch_op.drop_column("institution_quota")
    else:
        op.drop_constraint(op.f("ck_training_institution_quota_positive"), "training", type_="check")
        op.drop_column("training", "institution_quota")
    op.drop_column("training", "registration_deadline")
    op.drop_index("ix_person_document_key", table_name="person")
    op.drop_column("person", "document_key")
