"""Logging out ends every session of the user, copies of the cookie included.

Revision ID: 0003
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("user_account", sa.Column("session_epoch", sa.Integer(), server_default="0", nullable=False))


def downgrade():
    with op.batch_alter_table("user_account") as batch_op:
        batch_op.drop_column("session_epoch")
