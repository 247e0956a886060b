"""Reports for donors: a person's own region and year of birth (disaggregation by region and
age band), institutions reviewed by an organiser (the registry), and indicator definitions.
Institutions already in the database were chosen by organisers (seed, demo, their forms), so
they start reviewed.

Revision ID: 0007
Revises: 0004
"""
import datetime as dt
import warnings

import sqlalchemy as sa
from alembic import op

import trainings.models.base

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


YEAR_OF_BIRTH_CHECK = "year_of_birth IS NULL OR (year_of_birth >= 1900 AND year_of_birth <= 2100)"


def upgrade():
    # Plain ADD COLUMN: a batch copy of `person` on SQLite would lose its expression index.
    op.add_column("person", sa.Column("home_region", sa.String(length=120), server_default="", nullable=False))
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE person ADD COLUMN year_of_birth SMALLINT "
                   f"CONSTRAINT ck_person_year_of_birth_range CHECK ({YEAR_OF_BIRTH_CHECK})")
    else:
        op.add_column("person", sa.Column("year_of_birth", sa.SmallInteger(), nullable=True))
        op.create_check_constraint(op.f("ck_person_year_of_birth_range"), "person", YEAR_OF_BIRTH_CHECK)
    op.add_column("institution", sa.Column("reviewed", sa.Boolean(), server_default=sa.false(), nullable=False))
    op.execute(sa.text("UPDATE institution SET reviewed = :yes").bindparams(yes=True))
    indicator = op.create_table(
        "report_indicator",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("preset", sa.String(length=40), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("definition", sa.Text(), nullable=False),
        sa.Column("unit", sa.Enum("persons", "institutions", name="unit", native_enum=False,
                                  create_constraint=True, length=12), nullable=False),
        sa.Column("completion", sa.Enum("completed", "attended", "certified", name="completion",
                                        native_enum=False, create_constraint=True, length=9), nullable=False),
        sa.Column("roles", sa.JSON(), nullable=False),
        sa.Column("training_kinds", sa.JSON(), nullable=False),
        sa.Column("institution_kinds", sa.JSON(), nullable=False),
        sa.Column("programme_ids", sa.JSON(), nullable=False),
        sa.Column("topic", sa.String(length=120), nullable=False),
        sa.Column("created_at", trainings.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", trainings.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("length(trim(name)) > 0", name=op.f("ck_report_indicator_name_present")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_indicator")),
        sa.UniqueConstraint("preset", name=op.f("uq_report_indicator_preset")),
    )
    # The presets: their names and definitions are translated by the reports package (by `preset`);
    # the English text stored here is what the database says when read without the application.
    now = dt.datetime.now(dt.UTC)
    op.bulk_insert(indicator, [dict(row, created_at=now, updated_at=now, training_kinds=[], programme_ids=[],
                                    institution_kinds=row.get("institution_kinds", []), topic=row.get("topic", ""))
                               for row in PRESETS])


PRESETS = [
    {"preset": "people_completed_by_sex", "name": "People trained who completed, by sex",
     "definition": "Unique persons confirmed as participants who reached the training's attendance rule.",
     "unit": "persons", "completion": "completed", "roles": ["participant"]},
    {"preset": "first_responders_victim_identification", "name": "First responders trained on victim identification",
     "definition": "Unique police, prosecution and government officials who completed a training on victim "
                   "identification.",
     "unit": "persons", "completion": "completed", "roles": ["participant"],
     "institution_kinds": ["government", "local_government", "police", "prosecution"], "topic": "identifica"},
    {"preset": "institutions_reached", "name": "Unique institutions reached",
     "definition": "Institutions with at least one person who attended at least one session.",
     "unit": "institutions", "completion": "attended", "roles": []},
]


def downgrade():
    op.drop_table("report_indicator")
    op.drop_column("institution", "reviewed")
    if op.get_bind().dialect.name == "sqlite":
        # SQLite cannot drop a column its CHECK names: the table is copied without it, which
        # loses the expression index, so it is made again.
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*expression-based index.*")
            with op.batch_alter_table("person") as batch_op:
                batch_op.drop_constraint(op.f("ck_person_year_of_birth_range"), type_="check")
                batch_op.drop_column("year_of_birth")
                batch_op.drop_column("home_region")
        op.execute("CREATE UNIQUE INDEX IF NOT EXISTS uq_person_email_normalised ON person (lower(trim(email)))")
        return
    op.drop_constraint(op.f("ck_person_year_of_birth_range"), "person", type_="check")
    op.drop_column("person", "year_of_birth")
    op.drop_column("person", "home_region")
