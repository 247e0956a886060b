"""Certificates keep what they state (holder, training, dates, place, hours, sessions) from the
moment they are issued, instead of reading the person, training and attendance live.

Existing certificates are filled in from the data as it stands when this migration runs, with
the attendance rule of this revision (present and late count; cancelled sessions never do).

Revision ID: 0002
Revises: 0001
"""
import warnings
from collections import defaultdict

import sqlalchemy as sa
from alembic import op

import trainings.models.base

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

NEW_COLUMNS = [
    ("given_names", sa.String(length=150)), ("family_names", sa.String(length=150)),
    ("training_title", sa.String(length=200)), ("programme_name", sa.String(length=200)),
    ("city", sa.String(length=120)), ("country", sa.String(length=2)),
    ("starts_on", sa.Date()), ("ends_on", sa.Date()), ("minutes", sa.Integer()),
    ("spoke_as_moderator", sa.Boolean()), ("session_titles", sa.JSON()),
]

certificate = sa.table("certificate", sa.column("id", sa.Integer), sa.column("registration_id", sa.Integer),
                       sa.column("kind", sa.String), *(sa.column(name, type_) for name, type_ in NEW_COLUMNS))
registration = sa.table("registration", sa.column("id", sa.Integer), sa.column("training_id", sa.Integer),
                        sa.column("person_id", sa.Integer), sa.column("role", sa.String))
person = sa.table("person", sa.column("id", sa.Integer), sa.column("given_names", sa.String),
                  sa.column("family_names", sa.String))
training = sa.table("training", sa.column("id", sa.Integer), sa.column("title", sa.String),
                    sa.column("programme_id", sa.Integer), sa.column("region_id", sa.Integer),
                    sa.column("starts_on", sa.Date), sa.column("ends_on", sa.Date))
programme = sa.table("programme", sa.column("id", sa.Integer), sa.column("name", sa.String))
region = sa.table("region", sa.column("id", sa.Integer), sa.column("city", sa.String),
                  sa.column("country", sa.String))
session = sa.table("session", sa.column("id", sa.Integer), sa.column("training_id", sa.Integer),
                   sa.column("title", sa.String), sa.column("cancelled", sa.Boolean),
                   sa.column("starts_at", trainings.models.base.UTCDateTime(timezone=True)),
                   sa.column("ends_at", trainings.models.base.UTCDateTime(timezone=True)))
attendance = sa.table("attendance", sa.column("registration_id", sa.Integer), sa.column("session_id", sa.Integer),
                      sa.column("status", sa.String))
session_speaker = sa.table("session_speaker", sa.column("session_id", sa.Integer),
                           sa.column("person_id", sa.Integer), sa.column("role", sa.String))


def upgrade():
    for name, type_ in NEW_COLUMNS:
        op.add_column("certificate", sa.Column(name, type_, nullable=True))
    _fill_existing_certificates(op.get_bind())
    # SQLite rebuilds the table to make the columns required, reflecting the tables it refers
    # to on the way; the person table's expression index cannot be reflected, and need not be.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Skipped unsupported reflection", sa.exc.SAWarning)
        with op.batch_alter_table("certificate") as batch_op:
            for name, type_ in NEW_COLUMNS:
                batch_op.alter_column(name, existing_type=type_, nullable=False)


def downgrade():
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Skipped unsupported reflection", sa.exc.SAWarning)
        with op.batch_alter_table("certificate") as batch_op:
            for name, _type in reversed(NEW_COLUMNS):
                batch_op.drop_column(name)


def _fill_existing_certificates(bind):
    rows = bind.execute(
        sa.select(certificate.c.id, certificate.c.kind, registration.c.id, registration.c.role, person.c.id,
                  person.c.given_names, person.c.family_names, training.c.id, training.c.title,
                  sa.func.coalesce(programme.c.name, ""), region.c.city, region.c.country,
                  training.c.starts_on, training.c.ends_on)
        .join(registration, registration.c.id == certificate.c.registration_id)
        .join(person, person.c.id == registration.c.person_id)
        .join(training, training.c.id == registration.c.training_id)
        .join(region, region.c.id == training.c.region_id)
        .outerjoin(programme, programme.c.id == training.c.programme_id)
    ).all()
    for (certificate_id, kind, registration_id, registration_role, person_id, given, family, training_id, title,
         programme_name, city, country, starts_on, ends_on) in rows:
        sessions = {row.id: row for row in bind.execute(
            sa.select(session.c.id, session.c.title, session.c.starts_at, session.c.ends_at)
            .where(session.c.training_id == training_id, session.c.cancelled.is_(False))
            .order_by(session.c.starts_at, session.c.id))}
        spoken = defaultdict(list)
        for session_id, role in bind.execute(
                sa.select(session_speaker.c.session_id, session_speaker.c.role)
                .where(session_speaker.c.person_id == person_id, session_speaker.c.session_id.in_(list(sessions)))):
            spoken[session_id].append(role)
        if kind == "attendance":
            counted = set(bind.scalars(sa.select(attendance.c.session_id).where(
                attendance.c.registration_id == registration_id, attendance.c.status.in_(["present", "late"]))))
        elif kind == "speaker":
            counted = set(spoken)
        else:
            counted = set(sessions)
        minutes = sum(int((row.ends_at - row.starts_at).total_seconds() // 60)
                      for session_id, row in sessions.items() if session_id in counted)
        roles = {role for roles in spoken.values() for role in roles}
        moderator = kind == "speaker" and "speaker" not in roles and ("moderator" in roles
                                                                       or registration_role == "moderator")
        titles = [row.title for session_id, row in sessions.items() if session_id in spoken] if kind == "speaker" else []
        bind.execute(certificate.update().where(certificate.c.id == certificate_id).values(
            given_names=given, family_names=family, training_title=title, programme_name=programme_name,
            city=city, country=country, starts_on=starts_on, ends_on=ends_on, minutes=minutes,
            spoke_as_moderator=moderator, session_titles=titles))
