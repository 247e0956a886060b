"""The report's per-registration facts (attended, excused seconds, valid certificates) kept as
data, and the triggers that mark a training stale in the same transaction as any change to its
sessions, attendance, registrations, certificates or persons (see reports/facts.py). Triggers rather
than application events: bulk statements, imports and every process are covered, and the
older packages never learn that reports exist.

Revision ID: 0013
Revises: 0007
"""
import sqlalchemy as sa
from alembic import op

import trainings.models.base

revision = "0013"
down_revision = "0010"
branch_labels = None
depends_on = None

# For each table: the columns whose change alters a fact, and the training of a row (`{row}`
# is OLD or NEW) as a column and the FROM clause that finds it.
WATCHED = {
    "attendance": ("status, session_id, registration_id",
                   ("s.training_id", "FROM session s WHERE s.id = {row}.session_id")),
    "session": ("starts_at, ends_at, cancelled, training_id", ("{row}.training_id", "")),
    "registration": ("training_id, person_id, role, status", ("{row}.training_id", "")),
    "certificate": ("revoked_at, registration_id",
                    ("r.training_id", "FROM registration r WHERE r.id = {row}.registration_id")),
    "person": ("sex, institution_id, home_region, year_of_birth",
               ("DISTINCT r.training_id", "FROM registration r WHERE r.person_id = {row}.id")),
}

FILL = """
INSERT INTO report_registration_fact
    (registration_id, training_id, person_id, role, sex, institution_id, home_region, year_of_birth,
     attended_seconds, excused_seconds, certificates)
SELECT r.id, r.training_id, r.person_id, r.role, p.sex, p.institution_id, p.home_region, p.year_of_birth,
       COALESCE(a.seconds, 0), COALESCE(a.excused, 0), COALESCE(c.number, 0)
FROM registration r
JOIN person p ON p.id = r.person_id
LEFT JOIN (
    SELECT at.registration_id,
           SUM(CASE WHEN at.status IN ('present', 'late') THEN {seconds} ELSE 0 END) AS seconds,
           SUM(CASE WHEN at.status = 'excused' THEN {seconds} ELSE 0 END) AS excused
    FROM attendance at
    JOIN session s ON s.id = at.session_id
    JOIN registration r2 ON r2.id = at.registration_id AND r2.training_id = s.training_id
    WHERE NOT s.cancelled AND at.status <> 'absent' AND r2.status = 'confirmed'
    GROUP BY at.registration_id
) a ON a.registration_id = r.id
LEFT JOIN (
    SELECT registration_id, COUNT(*) AS number FROM certificate WHERE revoked_at IS NULL GROUP BY registration_id
) c ON c.registration_id = r.id
WHERE r.status = 'confirmed'
"""

SECONDS = {
    "postgresql": "CAST(EXTRACT(epoch FROM s.ends_at - s.starts_at) AS INTEGER)",
    "sqlite": "CAST(ROUND((julianday(s.ends_at) - julianday(s.starts_at)) * 86400) AS INTEGER)",
}


def upgrade():
    op.create_table(
        "report_registration_fact",
        sa.Column("registration_id", sa.Integer(), nullable=False),
        sa.Column("training_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=12), nullable=False),
        sa.Column("sex", sa.String(length=20), nullable=True),
        sa.Column("institution_id", sa.Integer(), nullable=True),
        sa.Column("home_region", sa.String(length=120), nullable=False),
        sa.Column("year_of_birth", sa.SmallInteger(), nullable=True),
        sa.Column("attended_seconds", sa.Integer(), nullable=False),
        sa.Column("excused_seconds", sa.Integer(), nullable=False),
        sa.Column("certificates", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["registration_id"], ["registration.id"], ondelete="CASCADE",
                                name=op.f("fk_report_registration_fact_registration_id_registration")),
        sa.PrimaryKeyConstraint("registration_id", name=op.f("pk_report_registration_fact")),
    )
    op.create_index("ix_report_registration_fact_training_id", "report_registration_fact", ["training_id"])
    op.create_table(
        "report_stale_training",
        sa.Column("training_id", sa.Integer(), nullable=False),
        sa.Column("changed_at", trainings.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("training_id", name=op.f("pk_report_stale_training")),
    )
    dialect = op.get_bind().dialect.name
    op.execute(FILL.format(seconds=SECONDS[dialect]))
    for table, (columns, trainings_of) in WATCHED.items():
        for statement in (postgresql_trigger if dialect == "postgresql" else sqlite_triggers)(table, columns, trainings_of):
            op.execute(statement)


def postgresql_trigger(table, columns, trainings_of):
    training, source = trainings_of

    def mark(row):
        return (f"INSERT INTO report_stale_training (training_id, changed_at) SELECT {training.format(row=row)}, now() "
                f"{source.format(row=row)} "
                "ON CONFLICT (training_id) DO UPDATE SET changed_at = excluded.changed_at;")

    # The upsert (not DO NOTHING) takes the row's lock, so that a refresh claiming the training
    # meanwhile waits for this transaction and then sees its change.
    yield f"""
CREATE FUNCTION report_stale_{table}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN {mark('OLD')} END IF;
    IF TG_OP <> 'DELETE' THEN {mark('NEW')} END IF;
    RETURN NULL;
END $$"""
    yield (f"CREATE TRIGGER report_stale_{table} AFTER INSERT OR DELETE OR UPDATE OF {columns} ON {table} "
           f"FOR EACH ROW EXECUTE FUNCTION report_stale_{table}()")


def sqlite_triggers(table, columns, trainings_of):
    training, source = trainings_of

    def mark(row):  # SQLite has one writer at a time: a plain insert-or-ignore is enough
        return (f"INSERT OR IGNORE INTO report_stale_training (training_id, changed_at) "
                f"SELECT {training.format(row=row)}, strftime('%Y-%m-%d %H:%M:%f', 'now') {source.format(row=row)};")

    yield f"CREATE TRIGGER report_stale_{table}_insert AFTER INSERT ON {table} BEGIN {mark('NEW')} END"
    yield f"CREATE TRIGGER report_stale_{table}_delete AFTER DELETE ON {table} BEGIN {mark('OLD')} END"
    yield (f"CREATE TRIGGER report_stale_{table}_update AFTER UPDATE OF {columns} ON {table} "
           f"BEGIN {mark('OLD')} {mark('NEW')} END")


def downgrade():
    dialect = op.get_bind().dialect.name
    for table in WATCHED:
        if dialect == "postgresql":
            op.execute(f"DROP TRIGGER report_stale_{table} ON {table}")
            op.execute(f"DROP FUNCTION report_stale_{table}()")
        else:
            for event in ("insert", "delete", "update"):
                op.execute(f"DROP TRIGGER report_stale_{table}_{event}")
    op.drop_table("report_stale_training")
    op.drop_index("ix_report_registration_fact_training_id", table_name="report_registration_fact")
    op.drop_table("report_registration_fact")
