"""Organisations and accounts: programmes, trainings, venues and certificate layouts belong to an
organisation, organisers are members with a role in each; set-password links (invitations and
resets) are stored hashed. Existing rows go to one default organisation, and every existing
organiser becomes its organiser, so nobody loses what they saw.

Revision ID: 0010
Revises: 0007
"""
import sqlalchemy as sa
from alembic import op

import trainings.models.base

revision = "0010"
down_revision = "0012"
branch_labels = None
depends_on = None

OWNED_TABLES = ("programme", "venue", "training")


def _role(name, values):
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=max(map(len, values)))


def upgrade():
    organisation = op.create_table(
        "organisation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("created_at", trainings.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisation")),
        sa.UniqueConstraint("name", name=op.f("uq_organisation_name")),
    )
    op.create_table(
        "membership",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("role", _role("member_role", ("manager", "organiser", "viewer")), nullable=False),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"],
                                name=op.f("fk_membership_organisation_id_organisation"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"],
                                name=op.f("fk_membership_user_id_user_account"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_membership")),
        sa.UniqueConstraint("user_id", "organisation_id", name=op.f("uq_membership_user_id_organisation_id")),
    )
    op.create_index(op.f("ix_membership_user_id"), "membership", ["user_id"])
    op.create_index(op.f("ix_membership_organisation_id"), "membership", ["organisation_id"])
    op.create_table(
        "account_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("purpose", _role("purpose", ("invitation", "password_reset")), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", trainings.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", trainings.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("used_at", trainings.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"],
                                name=op.f("fk_account_token_user_id_user_account"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_token")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_account_token_token_hash")),
    )
    op.create_index(op.f("ix_account_token_user_id"), "account_token", ["user_id"])
    op.add_column("user_account", sa.Column("totp_secret", sa.String(length=64), nullable=True))
    op.add_column("user_account", sa.Column("recovery_code_hashes", sa.Text(), server_default="", nullable=False))

    bind = op.get_bind()
    # An empty database gets no organisation: the demo or the first administrator names them.
    has_rows = any(bind.scalar(sa.text(f"SELECT count(*) FROM {table}")) for table in (*OWNED_TABLES, "user_account"))
    if has_rows:
        bind.execute(sa.insert(organisation).values(name="Capacita", created_at=sa.func.now()))
    default_id = bind.scalar(sa.text("SELECT min(id) FROM organisation"))
    bind.execute(sa.text(
        "INSERT INTO membership (user_id, organisation_id, role) "
        "SELECT id, :org, 'organiser' FROM user_account WHERE role = 'organiser'").bindparams(org=default_id))
    for table in OWNED_TABLES:
        op.add_column(table, sa.Column("organisation_id", sa.Integer(), nullable=True))
        bind.execute(sa.text(f"UPDATE {table} SET organisation_id = :org").bindparams(org=default_id))
        with op.batch_alter_table(table) as batch_op:
            batch_op.alter_column("organisation_id", existing_type=sa.Integer(), nullable=False)
            batch_op.create_foreign_key(op.f(f"fk_{table}_organisation_id_organisation"), "organisation",
                                        ["organisation_id"], ["id"])
            batch_op.create_index(op.f(f"ix_{table}_organisation_id"), ["organisation_id"])
    op.add_column("certificate_layout", sa.Column("organisation_id", sa.Integer(), nullable=True))
    with op.batch_alter_table("certificate_layout") as batch_op:
        batch_op.create_foreign_key(op.f("fk_certificate_layout_organisation_id_organisation"), "organisation",
                                    ["organisation_id"], ["id"])
        batch_op.create_index(op.f("ix_certificate_layout_organisation_id"), ["organisation_id"])


def downgrade():
    for table in ("certificate_layout", *OWNED_TABLES):
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_index(op.f(f"ix_{table}_organisation_id"))
            batch_op.drop_constraint(op.f(f"fk_{table}_organisation_id_organisation"), type_="foreignkey")
            batch_op.drop_column("organisation_id")
    with op.batch_alter_table("user_account") as batch_op:
        batch_op.drop_column("recovery_code_hashes")
        batch_op.drop_column("totp_secret")
    op.drop_table("account_token")
    op.drop_table("membership")
    op.drop_table("organisation")
