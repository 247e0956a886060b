"""Evaluations: question banks with versioned questions, questionnaires attached to trainings
(pre-test, post-test, satisfaction, follow-up), answer sets and answers (from the private link or
typed from paper), and the record of invitations and reminders queued.

Revision ID: 0008
Revises: 0006
"""
import sqlalchemy as sa
from alembic import op

import trainings.models.base

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('question_bank',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('language', sa.Enum('es', 'en', 'fr', name='language', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('created_at', trainings.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_question_bank')),
    sa.UniqueConstraint('name', name=op.f('uq_question_bank_name'))
    )
    op.create_table('question',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('bank_id', sa.Integer(), nullable=False),
    sa.Column('created_at', trainings.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['bank_id'], ['question_bank.id'], name=op.f('fk_question_bank_id_question_bank')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_question'))
    )
    with op.batch_alter_table('question', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_question_bank_id'), ['bank_id'], unique=False)

    op.create_table('question_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('single', 'multiple', 'rating', 'text', name='kind', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('texts', sa.JSON(), nullable=False),
    sa.Column('options', sa.JSON(), nullable=False),
    sa.Column('points', sa.Integer(), nullable=False),
    sa.Column('created_at', trainings.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('points >= 0', name=op.f('ck_question_version_points_not_negative')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_question_version_created_by_id_user_account')),
    sa.ForeignKeyConstraint(['question_id'], ['question.id'], name=op.f('fk_question_version_question_id_question')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_question_version')),
    sa.UniqueConstraint('question_id', 'number', name=op.f('uq_question_version_question_id_number'))
    )
    with op.batch_alter_table('question_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_question_version_question_id'), ['question_id'], unique=False)

    op.create_table('questionnaire',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('training_id', sa.Integer(), nullable=False),
    sa.Column('purpose', sa.Enum('pre', 'post', 'satisfaction', 'follow_up', name='purpose', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('mastery_percent', sa.Integer(), nullable=False),
    sa.Column('days_open', sa.Integer(), nullable=False),
    sa.Column('follow_up_months', sa.Integer(), nullable=False),
    sa.Column('required_for_certificate', sa.Boolean(), nullable=False),
    sa.Column('created_at', trainings.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', trainings.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('days_open BETWEEN 1 AND 90', name=op.f('ck_questionnaire_days_open_in_range')),
    sa.CheckConstraint('follow_up_months BETWEEN 1 AND 24', name=op.f('ck_questionnaire_follow_up_months_in_range')),
    sa.CheckConstraint('mastery_percent BETWEEN 0 AND 100', name=op.f('ck_questionnaire_mastery_is_a_percentage')),
    sa.ForeignKeyConstraint(['training_id'], ['training.id'], name=op.f('fk_questionnaire_training_id_training')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_questionnaire')),
    sa.UniqueConstraint('training_id', 'purpose', name=op.f('uq_questionnaire_training_id_purpose'))
    )
    with op.batch_alter_table('questionnaire', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_questionnaire_training_id'), ['training_id'], unique=False)

    op.create_table('answer_set',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('questionnaire_id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('submitted_at', trainings.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', trainings.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('from_paper', sa.Boolean(), nullable=False),
    sa.Column('entered_by_id', sa.Integer(), nullable=True),
    sa.Column('entered_at', trainings.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['entered_by_id'], ['user_account.id'], name=op.f('fk_answer_set_entered_by_id_user_account')),
    sa.ForeignKeyConstraint(['questionnaire_id'], ['questionnaire.id'], name=op.f('fk_answer_set_questionnaire_id_questionnaire')),
    sa.ForeignKeyConstraint(['registration_id'], ['registration.id'], name=op.f('fk_answer_set_registration_id_registration')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_answer_set')),
    sa.UniqueConstraint('questionnaire_id', 'registration_id', name=op.f('uq_answer_set_questionnaire_id_registration_id'))
    )
    with op.batch_alter_table('answer_set', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_answer_set_questionnaire_id'), ['questionnaire_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_answer_set_registration_id'), ['registration_id'], unique=False)

    op.create_table('evaluation_message',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('questionnaire_id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('invitation', 'reminder', name='kind', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('queued_at', trainings.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['questionnaire_id'], ['questionnaire.id'], name=op.f('fk_evaluation_message_questionnaire_id_questionnaire')),
    sa.ForeignKeyConstraint(['registration_id'], ['registration.id'], name=op.f('fk_evaluation_message_registration_id_registration')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation_message')),
    sa.UniqueConstraint('questionnaire_id', 'registration_id', 'kind', name=op.f('uq_evaluation_message_questionnaire_id_registration_id_kind'))
    )
    with op.batch_alter_table('evaluation_message', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evaluation_message_questionnaire_id'), ['questionnaire_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_evaluation_message_registration_id'), ['registration_id'], unique=False)

    op.create_table('questionnaire_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('questionnaire_id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['question_id'], ['question.id'], name=op.f('fk_questionnaire_item_question_id_question')),
    sa.ForeignKeyConstraint(['questionnaire_id'], ['questionnaire.id'], name=op.f('fk_questionnaire_item_questionnaire_id_questionnaire'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_questionnaire_item')),
    sa.UniqueConstraint('questionnaire_id', 'question_id', name=op.f('uq_questionnaire_item_questionnaire_id_question_id'))
    )
    with op.batch_alter_table('questionnaire_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_questionnaire_item_question_id'), ['question_id'], unique=False)

    op.create_table('answer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('answer_set_id', sa.Integer(), nullable=False),
    sa.Column('question_version_id', sa.Integer(), nullable=True),
    sa.Column('session_id', sa.Integer(), nullable=True),
    sa.Column('speaker_id', sa.Integer(), nullable=True),
    sa.Column('choices', sa.JSON(), nullable=False),
    sa.Column('rating', sa.Integer(), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.CheckConstraint('(question_version_id IS NOT NULL AND session_id IS NULL AND speaker_id IS NULL) OR (question_version_id IS NULL AND session_id IS NOT NULL AND speaker_id IS NULL) OR (question_version_id IS NULL AND session_id IS NULL AND speaker_id IS NOT NULL)', name=op.f('ck_answer_one_target')),
    sa.CheckConstraint('rating IS NULL OR rating BETWEEN 1 AND 5', name=op.f('ck_answer_rating_in_range')),
    sa.ForeignKeyConstraint(['answer_set_id'], ['answer_set.id'], name=op.f('fk_answer_answer_set_id_answer_set'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['question_version_id'], ['question_version.id'], name=op.f('fk_answer_question_version_id_question_version')),
    sa.ForeignKeyConstraint(['session_id'], ['session.id'], name=op.f('fk_answer_session_id_session')),
    sa.ForeignKeyConstraint(['speaker_id'], ['person.id'], name=op.f('fk_answer_speaker_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_answer'))
    )
    with op.batch_alter_table('answer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_answer_answer_set_id'), ['answer_set_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_answer_question_version_id'), ['question_version_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_answer_session_id'), ['session_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_answer_speaker_id'), ['speaker_id'], unique=False)



def downgrade():
    with op.batch_alter_table('answer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_answer_speaker_id'))
        batch_op.drop_index(batch_op.f('ix_answer_session_id'))
        batch_op.drop_index(batch_op.f('ix_answer_question_version_id'))
        batch_op.drop_index(batch_op.f('ix_answer_answer_set_id'))

    op.drop_table('answer')
    with op.batch_alter_table('questionnaire_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_questionnaire_item_question_id'))

    op.drop_table('questionnaire_item')
    with op.batch_alter_table('evaluation_message', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evaluation_message_registration_id'))
        batch_op.drop_index(batch_op.f('ix_evaluation_message_questionnaire_id'))

    op.drop_table('evaluation_message')
    with op.batch_alter_table('answer_set', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_answer_set_registration_id'))
        batch_op.drop_index(batch_op.f('ix_answer_set_questionnaire_id'))

    op.drop_table('answer_set')
    with op.batch_alter_table('questionnaire', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_questionnaire_training_id'))

    op.drop_table('questionnaire')
    with op.batch_alter_table('question_version', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_question_version_question_id'))

    op.drop_table('question_version')
    with op.batch_alter_table('question', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_question_bank_id'))

    op.drop_table('question')
    op.drop_table('question_bank')
