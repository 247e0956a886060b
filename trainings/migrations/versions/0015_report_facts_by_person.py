"""The report's facts carry what a report used to join each training for — its region, the
person's age band in its year, and whether the registration completed by its attendance rule —
and are indexed by person, so that a report counts unique persons in one ordered pass (on
PostgreSQL from the index alone) instead of hashing a million rows once per breakdown. A
trigger on `training` marks it stale when its region, first day or threshold changes.

The new columns are filled here from the seconds each fact already holds and its training;
facts waiting to be rebuilt stay marked stale.

On PostgreSQL the triggers of 0013 upserted their training's stale row at every change, so a
bulk import of three million attendance rows left millions of dead rows behind, and every
report's claim scanned them (0.1 s on an empty table of 192 MB). They now update the row once
per transaction: the conflict still locks it, as 0013 requires, but a later change in the same
transaction leaves it as it is. (SQLite's triggers insert or ignore: nothing to change.)

Revision ID: 0015
Revises: 0014
"""
import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

TABLE = "report_registration_fact"
INCLUDED = ["training_id", "role", "completed", "attended_seconds", "certificates", "sex", "institution_id",
            "home_region", "region_id", "age_band"]
# What a training's row holds that its facts depend on.
TRAINING_COLUMNS = ("region_id", "starts_on", "attendance_threshold")

# The tables 0013 watches: the training of a row (`{row}` is OLD or NEW) and where it is found.
WATCHED = {
    "attendance": ("s.training_id", "FROM session s WHERE s.id = {row}.session_id"),
    "session": ("{row}.training_id", ""),
    "registration": ("{row}.training_id", ""),
    "certificate": ("r.training_id", "FROM registration r WHERE r.id = {row}.registration_id"),
    "person": ("DISTINCT r.training_id", "FROM registration r WHERE r.person_id = {row}.id"),
}

SECONDS = {
    "postgresql": "CAST(EXTRACT(epoch FROM s.ends_at - s.starts_at) AS INTEGER)",
    "sqlite": "CAST(ROUND((julianday(s.ends_at) - julianday(s.starts_at)) * 86400) AS INTEGER)",
}
YEAR = {
    "postgresql": "CAST(EXTRACT(year FROM t.starts_on) AS INTEGER)",
    "sqlite": "CAST(strftime('%Y', t.starts_on) AS INTEGER)",
}

# The rule of reports/facts.py (`facts_select`) for the new columns, from the seconds each fact
# already holds and its training (facts still to be rebuilt stay marked stale).
FILL = """
UPDATE report_registration_fact
SET region_id = t.region_id,
    age_band = CASE WHEN report_registration_fact.year_of_birth IS NULL THEN NULL
                    WHEN {year} - report_registration_fact.year_of_birth <= 24 THEN 0
                    WHEN {year} - report_registration_fact.year_of_birth <= 34 THEN 1
                    WHEN {year} - report_registration_fact.year_of_birth <= 44 THEN 2
                    WHEN {year} - report_registration_fact.year_of_birth <= 54 THEN 3
                    WHEN {year} - report_registration_fact.year_of_birth <= 64 THEN 4 ELSE 5 END,
    completed = (report_registration_fact.role IN ('speaker', 'moderator')
                 OR (COALESCE(d.seconds, 0) - report_registration_fact.excused_seconds > 0
                     AND report_registration_fact.attended_seconds * 100
                         >= t.attendance_threshold * (COALESCE(d.seconds, 0) - report_registration_fact.excused_seconds)))
FROM training t
LEFT JOIN (
    SELECT s.training_id, SUM({seconds}) AS seconds FROM session s WHERE NOT s.cancelled GROUP BY s.training_id
) d ON d.training_id = t.id
WHERE t.id = report_registration_fact.training_id
"""
NEW_COLUMNS = ("region_id", "age_band", "completed")


def upgrade():
    dialect = op.get_bind().dialect.name
    # Plain ADD COLUMN (defaults for the rows already there, dropped below on PostgreSQL).
    op.add_column(TABLE, sa.Column("region_id", sa.Integer(), nullable=False, server_default="0"))
    op.add_column(TABLE, sa.Column("age_band", sa.SmallInteger(), nullable=True))
    op.add_column(TABLE, sa.Column("completed", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.execute(FILL.format(seconds=SECONDS[dialect], year=YEAR[dialect]))
    if dialect == "postgresql":
        op.alter_column(TABLE, "region_id", server_default=None)
        op.alter_column(TABLE, "completed", server_default=None)
    op.create_index("ix_report_registration_fact_person_id", TABLE, ["person_id"], postgresql_include=INCLUDED)
    for statement in (postgresql_trigger() if dialect == "postgresql" else sqlite_trigger()):
        op.execute(statement)
    if dialect == "postgresql":
        op.execute(f"ANALYZE {TABLE}")


def _changed(old: str, new: str, operator: str) -> str:
    return " OR ".join(f"{old}.{column} {operator} {new}.{column}" for column in TRAINING_COLUMNS)


def _mark_stale(training: str, source: str, once_per_transaction: bool) -> str:
    """The upsert of 0013 (it takes the stale row's lock, so that a refresh claiming the training
    meanwhile waits for this transaction and then sees its change), by default without
    rewriting the row a second time in one transaction (now() is the transaction's start)."""
    update = "DO UPDATE SET changed_at = excluded.changed_at"
    if once_per_transaction:
        update += " WHERE report_stale_training.changed_at <> excluded.changed_at"
    return (f"INSERT INTO report_stale_training (training_id, changed_at) SELECT {training}, now() {source} "
            f"ON CONFLICT (training_id) {update};")


def postgresql_functions(once_per_transaction: bool = True):
    for table, (training, source) in WATCHED.items():
        def mark(row):
            return _mark_stale(training.format(row=row), source.format(row=row), once_per_transaction)

        yield f"""
CREATE OR REPLACE FUNCTION report_stale_{table}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN {mark('OLD')} END IF;
    IF TG_OP <> 'DELETE' THEN {mark('NEW')} END IF;
    RETURN NULL;
END $$"""


def postgresql_trigger():
    yield from postgresql_functions()
    yield f"""
CREATE FUNCTION report_stale_training_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {_mark_stale("NEW.id", "", once_per_transaction=True)}
    RETURN NULL;
END $$"""
    yield (f"CREATE TRIGGER report_stale_training_changed AFTER UPDATE OF {', '.join(TRAINING_COLUMNS)} "
           f"ON training FOR EACH ROW WHEN ({_changed('OLD', 'NEW', 'IS DISTINCT FROM')}) "
           "EXECUTE FUNCTION report_stale_training_changed()")


def sqlite_trigger():
    yield (f"CREATE TRIGGER report_stale_training_changed AFTER UPDATE OF {', '.join(TRAINING_COLUMNS)} "
           f"ON training WHEN {_changed('OLD', 'NEW', 'IS NOT')} BEGIN "
           "INSERT OR IGNORE INTO report_stale_training (training_id, changed_at) "
           "VALUES (NEW.id, strftime('%Y-%m-%d %H:%M:%f', 'now')); END")


def downgrade():
    dialect = op.get_bind().dialect.name
    op.execute("DROP TRIGGER report_stale_training_changed" + (" ON training" if dialect == "postgresql" else ""))
    if dialect == "postgresql":
        op.execute("DROP FUNCTION report_stale_training_changed()")
        for statement in postgresql_functions(once_per_transaction=False):
            op.execute(statement)
    op.drop_index("ix_report_registration_fact_person_id", table_name=TABLE)
    # A batch copy is safe here: the facts table carries no trigger.
    with op.batch_alter_table(TABLE) as batch:
        for column in NEW_COLUMNS:
            batch.drop_column(column)
