"""An organiser's own indicator belongs to their organisation: only its members see and change it.

Presets stay shared (no organisation). Indicators written before this migration go to the
organisation when there is only one; with several, nobody can tell whose they were, so they stay
shared: every member sees them and administrators change them.

Revision ID: 0017
Revises: 0016
"""
import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade():
    # report_indicator has no trigger: a batch (copy-and-rename on SQLite) alteration is safe.
    with op.batch_alter_table("report_indicator") as batch_op:
        batch_op.add_column(sa.Column("organisation_id", sa.Integer(), nullable=True))
        batch_op.create_index("ix_report_indicator_organisation_id", ["organisation_id"])
        batch_op.create_foreign_key("fk_report_indicator_organisation_id_organisation", "organisation",
                                    ["organisation_id"], ["id"])
    op.execute("""
        UPDATE report_indicator SET organisation_id = (SELECT min(id) FROM organisation)
        WHERE preset IS NULL AND (SELECT count(*) FROM organisation) = 1
    """)


def downgrade():
    with op.batch_alter_table("report_indicator") as batch_op:
        batch_op.drop_constraint("fk_report_indicator_organisation_id_organisation", type_="foreignkey")
        batch_op.drop_index("ix_report_indicator_organisation_id")
        batch_op.drop_column("organisation_id")
