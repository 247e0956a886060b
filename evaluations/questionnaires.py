"""Questionnaires attached to trainings: building them from bank questions, changing them
without losing answers, copying them to another training (and with a duplicated training)."""
from __future__ import annotations

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from trainings.events import TrainingDuplicated
from trainings.forms import FieldErrors
from trainings.i18n import _
from trainings.models import Training

from .models import AnswerSet, Purpose, Question, Questionnaire, QuestionnaireItem

SETTINGS = ("title", "mastery_percent", "days_open", "follow_up_months", "required_for_certificate")
# Tests are scored; changing which questions they hold after answers exist would change the
# scores people already have.
ITEMS_FIXED_ONCE_ANSWERED = frozenset({Purpose.pre, Purpose.post})


def training_questionnaires(dbsession: Session, training_id: int) -> list[Questionnaire]:
    order = {purpose: index for index, purpose in enumerate(Purpose)}
    found = dbsession.scalars(select(Questionnaire).where(Questionnaire.training_id == training_id)).all()
    return sorted(found, key=lambda questionnaire: order[questionnaire.purpose])


def answer_count(dbsession: Session, questionnaire: Questionnaire) -> int:
    return dbsession.scalar(select(func.count()).select_from(AnswerSet)
                            .where(AnswerSet.questionnaire_id == questionnaire.id))


def has_answers(dbsession: Session, questionnaire: Questionnaire) -> bool:
    return dbsession.scalar(select(exists().where(AnswerSet.questionnaire_id == questionnaire.id)))


def _questions(dbsession: Session, question_ids: list[int]) -> list[Question]:
    found = {question.id: question for question in
             dbsession.scalars(select(Question).where(Question.id.in_(question_ids)))}
    if len(found) != len(set(question_ids)):
        raise FieldErrors({"questions": _("One of the chosen questions no longer exists.")})
    return [found[question_id] for question_id in dict.fromkeys(question_ids)]


def _check_purpose_free(dbsession: Session, training_id: int, purpose: Purpose, but=None) -> None:
    taken = dbsession.scalar(select(Questionnaire.id).where(
        Questionnaire.training_id == training_id, Questionnaire.purpose == purpose))
    if taken is not None and taken != but:
        raise FieldErrors({"purpose": _("This training already has a questionnaire for this purpose.")})


def _check_items(purpose: Purpose, questions: list[Question]) -> None:
    if purpose in ITEMS_FIXED_ONCE_ANSWERED and not any(question.current.scored for question in questions):
        raise FieldErrors({"questions": _("A test needs at least one choice question (they are scored).")})


def _check_certificate_requirement(purpose: Purpose, values: dict) -> None:
    if values.get("required_for_certificate") and purpose != Purpose.post:
        raise FieldErrors({"required_for_certificate": _("Only a post-test can be required for the certificate.")})


def attach(dbsession: Session, training: Training, values: dict) -> Questionnaire:
    purpose = Purpose(values["purpose"])
    _check_purpose_free(dbsession, training.id, purpose)
    questions = _questions(dbsession, values["questions"])
    _check_items(purpose, questions)
    _check_certificate_requirement(purpose, values)
    questionnaire = Questionnaire(training=training, purpose=purpose,
                                  **{name: values[name] for name in SETTINGS if name in values})
    questionnaire.items = [QuestionnaireItem(question=question, position=index)
                           for index, question in enumerate(questions)]
    dbsession.add(questionnaire)
    dbsession.flush()
    return questionnaire


def update(dbsession: Session, questionnaire: Questionnaire, values: dict) -> None:
    """Change the settings and questions. Once people answered a test its questions stay as
    they are (a clear refusal; their answers are untouched); a question's text can still be
    corrected in its bank, which keeps a new version."""
    questions = _questions(dbsession, values["questions"])
    current_ids = [item.question_id for item in questionnaire.items]
    if [question.id for question in questions] != current_ids:
        if questionnaire.purpose in ITEMS_FIXED_ONCE_ANSWERED and has_answers(dbsession, questionnaire):
            raise FieldErrors({"questions": _(
                "People have answered this test: its questions can no longer be added, removed or "
                "reordered. Correct a question in its bank instead (a new version is kept).")})
        _check_items(questionnaire.purpose, questions)
        answered = {item.question_id for item in questionnaire.items} - {question.id for question in questions}
        if answered and has_answers(dbsession, questionnaire):
            raise FieldErrors({"questions": _(
                "People have answered this questionnaire: its questions can be added but not removed.")})
        by_question = {item.question_id: item for item in questionnaire.items}
        questionnaire.items = [by_question.get(question.id) or QuestionnaireItem(question=question)
                               for question in questions]
        for index, item in enumerate(questionnaire.items):
            item.position = index
    _check_certificate_requirement(questionnaire.purpose, values)
    for name in SETTINGS:
        if name in values:
            setattr(questionnaire, name, values[name])
    dbsession.flush()


def copy_to(dbsession: Session, questionnaire: Questionnaire, training: Training) -> Questionnaire:
    """The same questions and settings, attached to `training` (without any answer)."""
    _check_purpose_free(dbsession, training.id, questionnaire.purpose)
    copy = Questionnaire(training=training, purpose=questionnaire.purpose,
                         **{name: getattr(questionnaire, name) for name in SETTINGS})
    copy.items = [QuestionnaireItem(question_id=item.question_id, position=item.position)
                  for item in questionnaire.items]
    dbsession.add(copy)
    dbsession.flush()
    return copy


def on_training_duplicated(event: TrainingDuplicated) -> None:
    dbsession = event.request.dbsession
    for questionnaire in training_questionnaires(dbsession, event.source.id):
        copy_to(dbsession, questionnaire, event.copy)


def includeme(config):
    config.add_subscriber(on_training_duplicated, TrainingDuplicated)
