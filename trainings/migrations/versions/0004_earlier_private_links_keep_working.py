"""Earlier private links keep working when a new one is emailed (asking for one's link again,
being promoted from the waiting list): the registration keeps the hashes of the earlier ones.

Revision ID: 0004
Revises: 0003
"""
import sqlalchemy as sa
from alembic import op

import trainings.models.base

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "earlier_private_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("registration_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("replaced_at", trainings.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["registration_id"], ["registration.id"],
                                name=op.f("fk_earlier_private_link_registration_id_registration")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_earlier_private_link")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_earlier_private_link_token_hash")),
    )
    with op.batch_alter_table("earlier_private_link") as batch_op:
        batch_op.create_index(batch_op.f("ix_earlier_private_link_registration_id"), ["registration_id"])


def downgrade():
    with op.batch_alter_table("earlier_private_link") as batch_op:
        batch_op.drop_index(batch_op.f("ix_earlier_private_link_registration_id"))
    op.drop_table("earlier_private_link")
