"""Mail that is given up stays visible as failed (`outbox.failed_at`); the worker records who
ran a job and when it started, and when each periodic task runs next (`worker_task`), so that
several workers share the work without doing any of it twice. A registration's invitations
carry a revision (`registration.invite_revision`) so that a CANCEL and a later re-invitation
each outrank the message before.

Revision ID: 0005
Revises: 0004
"""
import sqlalchemy as sa
from alembic import op

import trainings.models.base

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("outbox") as batch_op:
        batch_op.add_column(sa.Column("failed_at", trainings.models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_check_constraint("delivered_or_failed", "sent_at IS NULL OR failed_at IS NULL")
    # Messages the old sender gave up silently (attempts used up) are failed from now on.
    op.execute("UPDATE outbox SET failed_at = next_attempt_at WHERE sent_at IS NULL AND attempts >= 8")
    with op.batch_alter_table("job") as batch_op:
        batch_op.add_column(sa.Column("started_at", trainings.models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("heartbeat_at", trainings.models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("worker", sa.String(length=200), nullable=False, server_default=""))
        batch_op.create_index("ix_job_status", ["status", "id"])
    with op.batch_alter_table("registration") as batch_op:
        batch_op.add_column(sa.Column("invite_revision", sa.Integer(), nullable=False, server_default="0"))
    op.create_table(
        "worker_task",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("next_run_at", trainings.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_started_at", trainings.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_finished_at", trainings.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_worker_task")),
    )


def downgrade():
    op.drop_table("worker_task")
    with op.batch_alter_table("registration") as batch_op:
        batch_op.drop_column("invite_revision")
    with op.batch_alter_table("job") as batch_op:
        batch_op.drop_index("ix_job_status")
        batch_op.drop_column("worker")
        batch_op.drop_column("heartbeat_at")
        batch_op.drop_column("started_at")
    with op.batch_alter_table("outbox") as batch_op:
        batch_op.drop_constraint("ck_outbox_delivered_or_failed", type_="check")
        batch_op.drop_column("failed_at")
