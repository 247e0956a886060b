"""The whole schema of the product: schedule, accounts, outbox, participants, attendance, certificates.

Revision ID: 0001
Revises: 
Create Date: 2026-11-24 15:25:08.054916
"""
from alembic import op
import sqlalchemy as sa
import trainings.models.base


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('certificate_serial_counter',
    sa.Column('country', sa.String(length=2), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('last_value', sa.Integer(), nullable=False),
    sa.CheckConstraint('last_value >= 0', name=op.f('ck_certificate_serial_counter_last_value_positive')),
    sa.PrimaryKeyConstraint('country', 'year', name=op.f('pk_certificate_serial_counter'))
    )
    op.create_table('institution',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=250), nullable=False),
    sa.Column('kind', sa.Enum('prosecution', 'police', 'judiciary', 'government', 'local_government', 'ombudsman', 'ngo', 'international', 'academia', 'other', name='kind', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('country', sa.String(length=2), nullable=True),
    sa.Column('updated_at', trainings.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('country IS NULL OR length(country) = 2', name=op.f('ck_institution_country_code')),
    sa.CheckConstraint('length(trim(name)) > 0', name=op.f('ck_institution_name_present')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_institution')),
    sa.UniqueConstraint('country', 'name', name=op.f('uq_institution_country_name'))
    )
    op.create_table('outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('recipients', sa.Text(), nullable=False),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('body_text', sa.Text(), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=False),
    sa.Column('calendar', sa.Text(), nullable=True),
    sa.Column('calendar_method', sa.String(length=10), nullable=True),
    sa.Column('language', sa.String(length=5), nullable=False),
    sa.Column('created_at', trainings.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', trainings.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('sent_at', trainings.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=False),
    sa.CheckConstraint("calendar_method IS NULL OR calendar_method IN ('REQUEST', 'CANCEL', 'PUBLISH')", name=op.f('ck_outbox_calendar_method_known')),
    sa.CheckConstraint('attempts >= 0', name=op.f('ck_outbox_attempts_positive')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox'))
    )
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_pending', ['sent_at', 'next_attempt_at'], unique=False)

    op.create_table('programme',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('donor', sa.String(length=200), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=True),
    sa.Column('ends_on', sa.Date(), nullable=True),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('updated_at', trainings.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('ends_on IS NULL OR ends_on >= starts_on', name=op.f('ck_programme_period_order')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_programme')),
    sa.UniqueConstraint('name', name=op.f('uq_programme_name'))
    )
    op.create_table('region',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('country', sa.String(length=2), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('city', sa.String(length=120), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('updated_at', trainings.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('length(country) = 2', name=op.f('ck_region_country_code')),
    sa.CheckConstraint('length(timezone) > 0', name=op.f('ck_region_timezone_present')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_region')),
    sa.UniqueConstraint('country', 'name', name=op.f('uq_region_country_name'))
    )
    op.create_table('user_account',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('display_name', sa.String(length=200), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('role', sa.Enum('admin', 'organiser', name='role', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('preferred_language', sa.Enum('es', 'en', 'fr', name='preferred_language', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('created_at', trainings.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_login_at', trainings.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint('email = lower(trim(email))', name=op.f('ck_user_account_email_normalised')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_account')),
    sa.UniqueConstraint('email', name=op.f('uq_user_account_email'))
    )
    op.create_table('certificate_layout',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=True),
    sa.Column('definition', sa.Text(), nullable=False),
    sa.Column('created_at', trainings.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', trainings.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['programme_id'], ['programme.id'], name=op.f('fk_certificate_layout_programme_id_programme')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_certificate_layout')),
    sa.UniqueConstraint('name', name=op.f('uq_certificate_layout_name'))
    )
    with op.batch_alter_table('certificate_layout', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_certificate_layout_programme_id'), ['programme_id'], unique=False)

    op.create_table('job',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=60), nullable=False),
    sa.Column('parameters', sa.Text(), nullable=False),
    sa.Column('status', sa.Enum('queued', 'running', 'done', 'failed', name='status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('progress', sa.Integer(), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('result_path', sa.String(length=500), nullable=False),
    sa.Column('result_name', sa.String(length=200), nullable=False),
    sa.Column('error', sa.Text(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', trainings.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('finished_at', trainings.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint('progress >= 0 AND progress <= total', name=op.f('ck_job_progress_range')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_job_created_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job'))
    )
    op.create_table('outbox_attachment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('message_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=True),
    sa.ForeignKeyConstraint(['message_id'], ['outbox.id'], name=op.f('fk_outbox_attachment_message_id_outbox'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_attachment'))
    )
    with op.batch_alter_table('outbox_attachment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outbox_attachment_message_id'), ['message_id'], unique=False)

    op.create_table('person',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('given_names', sa.String(length=150), nullable=False),
    sa.Column('family_names', sa.String(length=150), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('phone', sa.String(length=50), nullable=False),
    sa.Column('sex', sa.Enum('female', 'male', 'other', 'undisclosed', name='sex', native_enum=False, create_constraint=True), nullable=True),
    sa.Column('position', sa.String(length=200), nullable=False),
    sa.Column('institution_id', sa.Integer(), nullable=True),
    sa.Column('country', sa.String(length=2), nullable=True),
    sa.Column('preferred_language', sa.Enum('es', 'en', 'fr', name='preferred_language', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('id_document', sa.String(length=40), nullable=True),
    sa.Column('created_at', trainings.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', trainings.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("email IS NULL OR email LIKE '%_@_%'", name=op.f('ck_person_email_shape')),
    sa.CheckConstraint('country IS NULL OR length(country) = 2', name=op.f('ck_person_country_code')),
    sa.CheckConstraint('length(trim(family_names)) > 0', name=op.f('ck_person_family_names_present')),
    sa.CheckConstraint('length(trim(given_names)) > 0', name=op.f('ck_person_given_names_present')),
    sa.ForeignKeyConstraint(['institution_id'], ['institution.id'], name=op.f('fk_person_institution_id_institution')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_person')),
    sa.UniqueConstraint('country', 'id_document', name=op.f('uq_person_country_id_document'))
    )
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_person_institution_id'), ['institution_id'], unique=False)
    # One person per address whatever its case or spaces (autogenerate cannot see expression indexes).
    op.create_index('uq_person_email_normalised', 'person', [sa.text('lower(trim(email))')], unique=True)

    op.create_table('venue',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('address', sa.String(length=300), nullable=False),
    sa.Column('latitude', sa.Float(), nullable=True),
    sa.Column('longitude', sa.Float(), nullable=True),
    sa.Column('updated_at', trainings.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('latitude IS NULL OR (latitude >= -90 AND latitude <= 90)', name=op.f('ck_venue_latitude_range')),
    sa.CheckConstraint('longitude IS NULL OR (longitude >= -180 AND longitude <= 180)', name=op.f('ck_venue_longitude_range')),
    sa.ForeignKeyConstraint(['region_id'], ['region.id'], name=op.f('fk_venue_region_id_region')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_venue')),
    sa.UniqueConstraint('region_id', 'name', name=op.f('uq_venue_region_id_name'))
    )
    with op.batch_alter_table('venue', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_venue_region_id'), ['region_id'], unique=False)

    op.create_table('calendar_feed_token',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', trainings.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', trainings.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_calendar_feed_token_person_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calendar_feed_token')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_calendar_feed_token_token_hash'))
    )
    with op.batch_alter_table('calendar_feed_token', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_calendar_feed_token_person_id'), ['person_id'], unique=False)

    op.create_table('layout_asset',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('layout_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('content_type', sa.String(length=60), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=True),
    sa.ForeignKeyConstraint(['layout_id'], ['certificate_layout.id'], name=op.f('fk_layout_asset_layout_id_certificate_layout'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_layout_asset')),
    sa.UniqueConstraint('layout_id', 'name', name=op.f('uq_layout_asset_layout_id_name'))
    )
    op.create_table('training',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('kind', sa.Enum('seminar', 'workshop', 'course', 'conference', 'other', name='kind', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=True),
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.Column('venue_id', sa.Integer(), nullable=True),
    sa.Column('language', sa.Enum('es', 'en', 'fr', name='language', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('offered_languages', sa.String(length=20), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('confirmed_count', sa.Integer(), nullable=False),
    sa.Column('requires_approval', sa.Boolean(), nullable=False),
    sa.Column('attendance_threshold', sa.Integer(), nullable=False),
    sa.Column('late_after_minutes', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('draft', 'published', 'cancelled', name='status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('created_at', trainings.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', trainings.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('published_at', trainings.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('cancelled_at', trainings.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('cancel_reason', sa.Text(), nullable=False),
    sa.CheckConstraint('attendance_threshold >= 0 AND attendance_threshold <= 100', name=op.f('ck_training_threshold_percent')),
    sa.CheckConstraint('capacity >= 1', name=op.f('ck_training_capacity_positive')),
    sa.CheckConstraint('confirmed_count >= 0 AND confirmed_count <= capacity', name=op.f('ck_training_within_capacity')),
    sa.CheckConstraint('ends_on >= starts_on', name=op.f('ck_training_dates_order')),
    sa.CheckConstraint('late_after_minutes >= 0', name=op.f('ck_training_late_after_positive')),
    sa.ForeignKeyConstraint(['programme_id'], ['programme.id'], name=op.f('fk_training_programme_id_programme')),
    sa.ForeignKeyConstraint(['region_id'], ['region.id'], name=op.f('fk_training_region_id_region')),
    sa.ForeignKeyConstraint(['venue_id'], ['venue.id'], name=op.f('fk_training_venue_id_venue')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_training'))
    )
    with op.batch_alter_table('training', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_training_programme_id'), ['programme_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_training_region_id'), ['region_id'], unique=False)
        batch_op.create_index('ix_training_status_starts_on', ['status', 'starts_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_training_venue_id'), ['venue_id'], unique=False)

    op.create_table('participant_import',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('training_id', sa.Integer(), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=True),
    sa.Column('created_at', trainings.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('committed_at', trainings.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('rejected_report', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['training_id'], ['training.id'], name=op.f('fk_participant_import_training_id_training')),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['user_account.id'], name=op.f('fk_participant_import_uploaded_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_participant_import'))
    )
    with op.batch_alter_table('participant_import', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_participant_import_training_id'), ['training_id'], unique=False)

    op.create_table('registration',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('training_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.Enum('participant', 'speaker', 'moderator', 'organiser', 'observer', name='role', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('status', sa.Enum('pending', 'confirmed', 'waitlisted', 'cancelled', name='status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('source', sa.Enum('web', 'import', 'organiser', 'walk_in', name='source', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('consent_at', trainings.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', trainings.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', trainings.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('confirmed_at', trainings.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('cancelled_at', trainings.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_registration_person_id_person')),
    sa.ForeignKeyConstraint(['training_id'], ['training.id'], name=op.f('fk_registration_training_id_training')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_registration')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_registration_token_hash')),
    sa.UniqueConstraint('training_id', 'person_id', name=op.f('uq_registration_training_id_person_id'))
    )
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_registration_person_id'), ['person_id'], unique=False)
        batch_op.create_index('ix_registration_training_status', ['training_id', 'status', 'created_at'], unique=False)

    op.create_table('session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('training_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('topic', sa.Text(), nullable=False),
    sa.Column('starts_at', trainings.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ends_at', trainings.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('room', sa.String(length=120), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('cancelled', sa.Boolean(), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('uid', sa.String(length=80), nullable=False),
    sa.Column('created_at', trainings.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', trainings.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_session_ends_after_start')),
    sa.CheckConstraint('sequence >= 0', name=op.f('ck_session_sequence_positive')),
    sa.ForeignKeyConstraint(['training_id'], ['training.id'], name=op.f('fk_session_training_id_training')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_session')),
    sa.UniqueConstraint('uid', name=op.f('uq_session_uid'))
    )
    with op.batch_alter_table('session', schema=None) as batch_op:
        batch_op.create_index('ix_session_starts_at', ['starts_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_session_training_id'), ['training_id'], unique=False)

    op.create_table('training_certificate_layout',
    sa.Column('training_id', sa.Integer(), nullable=False),
    sa.Column('layout_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['layout_id'], ['certificate_layout.id'], name=op.f('fk_training_certificate_layout_layout_id_certificate_layout')),
    sa.ForeignKeyConstraint(['training_id'], ['training.id'], name=op.f('fk_training_certificate_layout_training_id_training')),
    sa.PrimaryKeyConstraint('training_id', name=op.f('pk_training_certificate_layout'))
    )
    with op.batch_alter_table('training_certificate_layout', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_training_certificate_layout_layout_id'), ['layout_id'], unique=False)

    op.create_table('attendance',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('present', 'late', 'excused', 'absent', name='status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('previous_status', sa.Enum('present', 'late', 'excused', 'absent', name='previous_status', native_enum=False, create_constraint=True), nullable=True),
    sa.Column('method', sa.Enum('manual', 'qr', 'sheet', 'walk_in', name='method', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('recorded_at', trainings.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'], name=op.f('fk_attendance_recorded_by_id_user_account')),
    sa.ForeignKeyConstraint(['registration_id'], ['registration.id'], name=op.f('fk_attendance_registration_id_registration')),
    sa.ForeignKeyConstraint(['session_id'], ['session.id'], name=op.f('fk_attendance_session_id_session')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attendance')),
    sa.UniqueConstraint('registration_id', 'session_id', name=op.f('uq_attendance_registration_id_session_id'))
    )
    with op.batch_alter_table('attendance', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attendance_session_id'), ['session_id'], unique=False)

    op.create_table('certificate',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('attendance', 'participation', 'speaker', name='kind', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('serial', sa.String(length=32), nullable=False),
    sa.Column('verification_code', sa.String(length=32), nullable=False),
    sa.Column('language', sa.Enum('es', 'en', 'fr', name='language', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('issued_at', trainings.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('issued_by_id', sa.Integer(), nullable=True),
    sa.Column('manual_reason', sa.Text(), nullable=False),
    sa.Column('revoked_at', trainings.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('revoke_reason', sa.Text(), nullable=False),
    sa.Column('revoked_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('revoked_at IS NULL OR length(trim(revoke_reason)) > 0', name=op.f('ck_certificate_revocation_has_reason')),
    sa.ForeignKeyConstraint(['issued_by_id'], ['user_account.id'], name=op.f('fk_certificate_issued_by_id_user_account')),
    sa.ForeignKeyConstraint(['registration_id'], ['registration.id'], name=op.f('fk_certificate_registration_id_registration')),
    sa.ForeignKeyConstraint(['revoked_by_id'], ['user_account.id'], name=op.f('fk_certificate_revoked_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_certificate')),
    sa.UniqueConstraint('serial', name=op.f('uq_certificate_serial')),
    sa.UniqueConstraint('verification_code', name=op.f('uq_certificate_verification_code'))
    )
    with op.batch_alter_table('certificate', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_certificate_registration_id'), ['registration_id'], unique=False)
        batch_op.create_index('uq_certificate_valid_per_kind', ['registration_id', 'kind'], unique=True, sqlite_where=sa.text('revoked_at IS NULL'), postgresql_where=sa.text('revoked_at IS NULL'))

    op.create_table('session_speaker',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.Enum('speaker', 'moderator', name='role', native_enum=False, create_constraint=True), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_session_speaker_person_id_person')),
    sa.ForeignKeyConstraint(['session_id'], ['session.id'], name=op.f('fk_session_speaker_session_id_session')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_session_speaker')),
    sa.UniqueConstraint('session_id', 'person_id', name=op.f('uq_session_speaker_session_id_person_id'))
    )
    with op.batch_alter_table('session_speaker', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_session_speaker_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_session_speaker_session_id'), ['session_id'], unique=False)

    op.create_table('attendance_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('attendance_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('present', 'late', 'excused', 'absent', name='status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('previous_status', sa.Enum('present', 'late', 'excused', 'absent', name='previous_status', native_enum=False, create_constraint=True), nullable=True),
    sa.Column('method', sa.Enum('manual', 'qr', 'sheet', 'walk_in', name='method', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('recorded_at', trainings.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['attendance_id'], ['attendance.id'], name=op.f('fk_attendance_event_attendance_id_attendance')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'], name=op.f('fk_attendance_event_recorded_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attendance_event'))
    )
    with op.batch_alter_table('attendance_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attendance_event_attendance_id'), ['attendance_id'], unique=False)



def downgrade():
    with op.batch_alter_table('attendance_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attendance_event_attendance_id'))

    op.drop_table('attendance_event')
    with op.batch_alter_table('session_speaker', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_session_speaker_session_id'))
        batch_op.drop_index(batch_op.f('ix_session_speaker_person_id'))

    op.drop_table('session_speaker')
    with op.batch_alter_table('certificate', schema=None) as batch_op:
        batch_op.drop_index('uq_certificate_valid_per_kind', sqlite_where=sa.text('revoked_at IS NULL'), postgresql_where=sa.text('revoked_at IS NULL'))
        batch_op.drop_index(batch_op.f('ix_certificate_registration_id'))

    op.drop_table('certificate')
    with op.batch_alter_table('attendance', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attendance_session_id'))

    op.drop_table('attendance')
    with op.batch_alter_table('training_certificate_layout', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_training_certificate_layout_layout_id'))

    op.drop_table('training_certificate_layout')
    with op.batch_alter_table('session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_session_training_id'))
        batch_op.drop_index('ix_session_starts_at')

    op.drop_table('session')
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.drop_index('ix_registration_training_status')
        batch_op.drop_index(batch_op.f('ix_registration_person_id'))

    op.drop_table('registration')
    with op.batch_alter_table('participant_import', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_participant_import_training_id'))

    op.drop_table('participant_import')
    with op.batch_alter_table('training', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_training_venue_id'))
        batch_op.drop_index('ix_training_status_starts_on')
        batch_op.drop_index(batch_op.f('ix_training_region_id'))
        batch_op.drop_index(batch_op.f('ix_training_programme_id'))

    op.drop_table('training')
    op.drop_table('layout_asset')
    with op.batch_alter_table('calendar_feed_token', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_calendar_feed_token_person_id'))

    op.drop_table('calendar_feed_token')
    with op.batch_alter_table('venue', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_venue_region_id'))

    op.drop_table('venue')
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_person_institution_id'))

    op.drop_table('person')
    with op.batch_alter_table('outbox_attachment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_attachment_message_id'))

    op.drop_table('outbox_attachment')
    op.drop_table('job')
    with op.batch_alter_table('certificate_layout', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_certificate_layout_programme_id'))

    op.drop_table('certificate_layout')
    op.drop_table('user_account')
    op.drop_table('region')
    op.drop_table('programme')
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_pending')

    op.drop_table('outbox')
    op.drop_table('institution')
    op.drop_table('certificate_serial_counter')
