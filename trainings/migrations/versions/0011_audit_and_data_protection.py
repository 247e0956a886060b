"""Audit log and data protection: the append-only `audit_entry`; public registrations wait
unverified (no place) until their address is confirmed (`registration.confirm_by`); calendar
addresses of their own for one registration (`calendar_feed_token.registration_id`), so the
private link never goes into a calendar; persons can be anonymised (`person.anonymised_at`).

Revision ID: 0011
Revises: 0007
"""
import warnings

import sqlalchemy as sa
from alembic import op

import trainings.models.base

revision = "0011"
down_revision = "0008"
branch_labels = None
depends_on = None

OLD_STATUSES = "status IN ('pending', 'confirmed', 'waitlisted', 'cancelled')"
NEW_STATUSES = "status IN ('unverified', 'pending', 'confirmed', 'waitlisted', 'cancelled')"


def _registration_statuses(check: str) -> None:
    with op.batch_alter_table("registration") as batch_op:
        batch_op.drop_constraint(op.f("ck_registration_status"), type_="check")
        batch_op.create_check_constraint("status", check)


def upgrade():
    # Batch copies on SQLite reflect the tables `registration` refers to, `person` among them,
    # whose expression index SQLAlchemy cannot reflect (and need not: `person` is not copied).
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*expression-based index.*")
        _upgrade()


def _upgrade():
    op.create_table(
        "audit_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", trainings.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("user_email", sa.String(length=254), nullable=False),
        sa.Column("action", sa.String(length=60), nullable=False),
        sa.Column("target_type", sa.String(length=60), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=True),
        sa.Column("summary", sa.String(length=500), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], name=op.f("fk_audit_entry_user_id_user_account"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_entry")),
    )
    op.create_index("ix_audit_entry_at", "audit_entry", ["at", "id"])
    op.create_index("ix_audit_entry_target", "audit_entry", ["target_type", "target_id"])
    op.create_index(op.f("ix_audit_entry_action"), "audit_entry", ["action"])
    op.create_index(op.f("ix_audit_entry_user_id"), "audit_entry", ["user_id"])

    with op.batch_alter_table("registration") as batch_op:
        batch_op.add_column(sa.Column("confirm_by", trainings.models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_index(op.f("ix_registration_confirm_by"), ["confirm_by"])
    _registration_statuses(NEW_STATUSES)
    with op.batch_alter_table("calendar_feed_token") as batch_op:
        batch_op.add_column(sa.Column("registration_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(op.f("fk_calendar_feed_token_registration_id_registration"), "registration",
                                    ["registration_id"], ["id"])
        batch_op.create_index(op.f("ix_calendar_feed_token_registration_id"), ["registration_id"])
    # Plain ADD COLUMN: a batch copy of `person` on SQLite would lose its expression index.
    op.add_column("person", sa.Column("anonymised_at", trainings.models.base.UTCDateTime(timezone=True),
                                      nullable=True))


def downgrade():
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*expression-based index.*")
        _downgrade()


def _downgrade():
    if op.get_bind().dialect.name == "sqlite":
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*expression-based index.*")
            with op.batch_alter_table("person") as batch_op:
                batch_op.drop_column("anonymised_at")
        op.execute("CREATE UNIQUE INDEX IF NOT EXISTS uq_person_email_normalised ON person (lower(trim(email)))")
    else:
        op.drop_column("person", "anonymised_at")
    with op.batch_alter_table("calendar_feed_token") as batch_op:
        batch_op.drop_index(op.f("ix_calendar_feed_token_registration_id"))
        batch_op.drop_constraint(op.f("fk_calendar_feed_token_registration_id_registration"), type_="foreignkey")
        batch_op.drop_column("registration_id")
    op.execute("DELETE FROM earlier_private_link WHERE registration_id IN "
               "(SELECT id FROM registration WHERE status = 'unverified')")
    op.execute("DELETE FROM registration WHERE status = 'unverified'")
    _registration_statuses(OLD_STATUSES)
    with op.batch_alter_table("registration") as batch_op:
        batch_op.drop_index(op.f("ix_registration_confirm_by"))
        batch_op.drop_column("confirm_by")
    op.drop_table("audit_entry")
