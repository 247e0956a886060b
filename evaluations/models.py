"""Question banks, versioned questions, questionnaires attached to trainings, answers, and the
record of the invitations and reminders sent."""
from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from participants.models import Person, Registration
from trainings.models import Base, Language, Training, TrainingSession, User, UTCDateTime, enum_column, utcnow


class QuestionKind(enum.StrEnum):
    single = "single"  # one option; the correct one earns the question's points
    multiple = "multiple"  # several options; exactly the correct set earns the points
    rating = "rating"  # 1 to 5, not scored
    text = "text"  # free text, not scored


SCORED_KINDS = frozenset({QuestionKind.single, QuestionKind.multiple})


class Purpose(enum.StrEnum):
    pre = "pre"
    post = "post"
    satisfaction = "satisfaction"
    follow_up = "follow_up"


class MessageKind(enum.StrEnum):
    invitation = "invitation"
    reminder = "reminder"


class QuestionBank(Base):
    """Questions kept for reuse across trainings; texts are required in the bank's language."""

    __tablename__ = "question_bank"
    __table_args__ = (sa.UniqueConstraint("name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    language: Mapped[Language] = mapped_column(enum_column(Language, "language"), default=Language.es)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    questions: Mapped[list[Question]] = relationship(back_populates="bank", order_by="Question.id")


class Question(Base):
    """A question's identity; what it asks is in its versions, the last one being current."""

    __tablename__ = "question"

    id: Mapped[int] = mapped_column(primary_key=True)
    bank_id: Mapped[int] = mapped_column(sa.ForeignKey("question_bank.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    bank: Mapped[QuestionBank] = relationship(back_populates="questions")
    versions: Mapped[list[QuestionVersion]] = relationship(
        back_populates="question", order_by="QuestionVersion.number", cascade="all, delete-orphan")

    @property
    def current(self) -> QuestionVersion:
        return self.versions[-1]


class QuestionVersion(Base):
    """What a question asked at one time. Once answered it never changes: an edit makes a new
    version, and each answer keeps pointing at the version it answered."""

    __tablename__ = "question_version"
    __table_args__ = (
        sa.UniqueConstraint("question_id", "number"),
        sa.CheckConstraint("points >= 0", name="points_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(sa.ForeignKey("question.id"), index=True)
    number: Mapped[int] = mapped_column(sa.Integer, default=1)
    kind: Mapped[QuestionKind] = mapped_column(enum_column(QuestionKind, "kind"))
    texts: Mapped[dict] = mapped_column(sa.JSON, default=dict)  # {"es": …, "en": …, "fr": …}
    # [{"id": 1, "texts": {"es": …}, "correct": true}, …]; ids are stable within the version.
    options: Mapped[list] = mapped_column(sa.JSON, default=list)
    points: Mapped[int] = mapped_column(sa.Integer, default=1)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))

    question: Mapped[Question] = relationship(back_populates="versions")

    @property
    def scored(self) -> bool:
        return self.kind in SCORED_KINDS

    @property
    def option_ids(self) -> list[int]:
        return [option["id"] for option in self.options]

    @property
    def correct_ids(self) -> set[int]:
        return {option["id"] for option in self.options if option.get("correct")}


class Questionnaire(Base):
    """A test or survey attached to a training for one purpose (at most one per purpose). When
    it opens and closes follows the training's sessions (see `windows`)."""

    __tablename__ = "questionnaire"
    __table_args__ = (
        sa.UniqueConstraint("training_id", "purpose"),
        sa.CheckConstraint("mastery_percent BETWEEN 0 AND 100", name="mastery_is_a_percentage"),
        sa.CheckConstraint("days_open BETWEEN 1 AND 90", name="days_open_in_range"),
        sa.CheckConstraint("follow_up_months BETWEEN 1 AND 24", name="follow_up_months_in_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    training_id: Mapped[int] = mapped_column(sa.ForeignKey("training.id"), index=True)
    purpose: Mapped[Purpose] = mapped_column(enum_column(Purpose, "purpose"))
    title: Mapped[str] = mapped_column(sa.String(200))
    mastery_percent: Mapped[int] = mapped_column(sa.Integer, default=70)
    days_open: Mapped[int] = mapped_column(sa.Integer, default=7)
    follow_up_months: Mapped[int] = mapped_column(sa.Integer, default=3)
    # A post-test may be required for the attendance certificate: a score at the mastery mark.
    required_for_certificate: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    training: Mapped[Training] = relationship()
    items: Mapped[list[QuestionnaireItem]] = relationship(
        back_populates="questionnaire", order_by="QuestionnaireItem.position", cascade="all, delete-orphan")


class QuestionnaireItem(Base):
    __tablename__ = "questionnaire_item"
    __table_args__ = (sa.UniqueConstraint("questionnaire_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    questionnaire_id: Mapped[int] = mapped_column(sa.ForeignKey("questionnaire.id", ondelete="CASCADE"))
    question_id: Mapped[int] = mapped_column(sa.ForeignKey("question.id"), index=True)
    position: Mapped[int] = mapped_column(sa.Integer, default=0)

    questionnaire: Mapped[Questionnaire] = relationship(back_populates="items")
    question: Mapped[Question] = relationship()


class AnswerSet(Base):
    """One person's answers to one questionnaire; edited in place until the questionnaire closes."""

    __tablename__ = "answer_set"
    __table_args__ = (sa.UniqueConstraint("questionnaire_id", "registration_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    questionnaire_id: Mapped[int] = mapped_column(sa.ForeignKey("questionnaire.id"), index=True)
    registration_id: Mapped[int] = mapped_column(sa.ForeignKey("registration.id"), index=True)
    submitted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # Typed in by an organiser from a paper form: who and when.
    from_paper: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    entered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    entered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    questionnaire: Mapped[Questionnaire] = relationship()
    registration: Mapped[Registration] = relationship()
    entered_by: Mapped[User | None] = relationship()
    answers: Mapped[list[Answer]] = relationship(back_populates="answer_set", cascade="all, delete-orphan",
                                                 order_by="Answer.id")


class Answer(Base):
    """One answer: to a question's version, or a satisfaction rating of a session or a speaker."""

    __tablename__ = "answer"
    __table_args__ = (
        sa.CheckConstraint(
            "(question_version_id IS NOT NULL AND session_id IS NULL AND speaker_id IS NULL)"
            " OR (question_version_id IS NULL AND session_id IS NOT NULL AND speaker_id IS NULL)"
            " OR (question_version_id IS NULL AND session_id IS NULL AND speaker_id IS NOT NULL)",
            name="one_target"),
        sa.CheckConstraint("rating IS NULL OR rating BETWEEN 1 AND 5", name="rating_in_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    answer_set_id: Mapped[int] = mapped_column(sa.ForeignKey("answer_set.id", ondelete="CASCADE"), index=True)
    question_version_id: Mapped[int | None] = mapped_column(sa.ForeignKey("question_version.id"), index=True)
    session_id: Mapped[int | None] = mapped_column(sa.ForeignKey("session.id"), index=True)
    speaker_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id"), index=True)
    choices: Mapped[list] = mapped_column(sa.JSON, default=list)  # option ids of the version
    rating: Mapped[int | None] = mapped_column(sa.Integer)
    text: Mapped[str] = mapped_column(sa.Text, default="")

    answer_set: Mapped[AnswerSet] = relationship(back_populates="answers")
    version: Mapped[QuestionVersion | None] = relationship()
    session: Mapped[TrainingSession | None] = relationship()
    speaker: Mapped[Person | None] = relationship()


class EvaluationMessage(Base):
    """An invitation or reminder queued for a person: the record that keeps it from going twice."""

    __tablename__ = "evaluation_message"
    __table_args__ = (sa.UniqueConstraint("questionnaire_id", "registration_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    questionnaire_id: Mapped[int] = mapped_column(sa.ForeignKey("questionnaire.id"), index=True)
    registration_id: Mapped[int] = mapped_column(sa.ForeignKey("registration.id"), index=True)
    kind: Mapped[MessageKind] = mapped_column(enum_column(MessageKind, "kind"))
    queued_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
