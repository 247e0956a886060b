"""Reminders before a training: how many days before its first session confirmed people are
reminded (`training.reminder_days`, 2 for every training unless changed; 0: none), the
reminders queued (`reminder_sent`, one per registration and announced start), and the organiser's
choice not to email a person they registered or imported (`registration.emails_off`).

Plain ADD COLUMNs (no batch copy): `registration` carries the report triggers of 0013 on SQLite.

Revision ID: 0014
Revises: 0013
"""
import sqlalchemy as sa
from alembic import op

import trainings.models.base

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

REMINDER_CHECK = "reminder_days >= 0 AND reminder_days <= 30"


def upgrade():
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE training ADD COLUMN reminder_days INTEGER NOT NULL DEFAULT '2' "
                   f"CONSTRAINT ck_training_reminder_days_range CHECK ({REMINDER_CHECK})")
    else:
        op.add_column("training", sa.Column("reminder_days", sa.Integer(), server_default="2", nullable=False))
        op.create_check_constraint(op.f("ck_training_reminder_days_range"), "training", REMINDER_CHECK)
    op.add_column("registration", sa.Column("emails_off", sa.Boolean(), server_default=sa.false(), nullable=False))
    op.create_table(
        "reminder_sent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("registration_id", sa.Integer(), nullable=False),
        sa.Column("starts_at", trainings.models.base.UTCDateTime(), nullable=False),
        sa.Column("queued_at", trainings.models.base.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["registration_id"], ["registration.id"],
                                name=op.f("fk_reminder_sent_registration_id_registration"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminder_sent")),
        sa.UniqueConstraint("registration_id", "starts_at", name=op.f("uq_reminder_sent_registration_id_starts_at")),
    )


def downgrade():
    op.drop_table("reminder_sent")
    if op.get_bind().dialect.name == "sqlite":
        # Dropping a column without a batch copy (which would drop the report triggers):
        # SQLite ≥ 3.35 drops plain columns in place; the CHECK names only its own column.
        op.execute("ALTER TABLE registration DROP COLUMN emails_off")
        op.execute("ALTER TABLE training DROP COLUMN reminder_days")
    else:
        op.drop_column("registration", "emails_off")
        op.drop_constraint(op.f("ck_training_reminder_days_range"), "training", type_="check")
        op.drop_column("training", "reminder_days")
