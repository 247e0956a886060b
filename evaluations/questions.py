"""Question banks and their questions. A question that has been answered is never changed in
place: saving it makes a new version, so that earlier answers keep what they answered."""
from __future__ import annotations

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from trainings.forms import FieldErrors
from trainings.i18n import _

from .models import SCORED_KINDS, Answer, Question, QuestionBank, QuestionKind, QuestionVersion
from .texts import clean_texts

MIN_OPTIONS = 2


def create_bank(dbsession: Session, name: str, language: str) -> QuestionBank:
    name = name.strip()
    if dbsession.scalar(select(QuestionBank.id).where(QuestionBank.name == name)) is not None:
        raise FieldErrors({"name": _("A question bank already has this name.")})
    bank = QuestionBank(name=name, language=language)
    dbsession.add(bank)
    dbsession.flush()
    return bank


def version_values(bank: QuestionBank, values: dict) -> dict:
    """The checked content of a version from the question form, or FieldErrors."""
    kind = QuestionKind(values["kind"])
    texts = clean_texts(values)
    language = str(bank.language)
    if language not in texts:
        raise FieldErrors({f"text_{language}": _("Write the question in the bank's language.")})
    options = []
    for option in values.get("options") or []:
        option_texts = clean_texts(option)
        if not option_texts:
            continue  # a blank row of the form
        if language not in option_texts:
            raise FieldErrors({"options": _("Write every option in the bank's language.")})
        options.append({"id": len(options) + 1, "texts": option_texts, "correct": bool(option.get("correct"))})
    if kind in SCORED_KINDS:
        correct = sum(option["correct"] for option in options)
        if len(options) < MIN_OPTIONS:
            raise FieldErrors({"options": _("A choice question needs at least two options.")})
        if kind == QuestionKind.single and correct != 1:
            raise FieldErrors({"options": _("Mark exactly one option as the correct one.")})
        if kind == QuestionKind.multiple and correct < 1:
            raise FieldErrors({"options": _("Mark at least one option as correct.")})
        points = values["points"]
    else:
        if options:
            raise FieldErrors({"options": _("Only choice questions have options.")})
        points = 0
    return {"kind": kind, "texts": texts, "options": options, "points": points}


def add_question(dbsession: Session, bank: QuestionBank, values: dict, user=None) -> Question:
    content = version_values(bank, values)  # checked before the question joins its bank
    question = Question(bank=bank)
    question.versions.append(QuestionVersion(number=1, created_by_id=user.id if user else None, **content))
    dbsession.add(question)
    dbsession.flush()
    return question


def has_answers(dbsession: Session, version: QuestionVersion) -> bool:
    return dbsession.scalar(select(exists().where(Answer.question_version_id == version.id)))


def save_question(dbsession: Session, question: Question, values: dict, user=None) -> QuestionVersion:
    """Change what `question` asks: in place while nobody answered it, else as a new version."""
    content = version_values(question.bank, values)
    current = question.current
    if not has_answers(dbsession, current):
        for name, value in content.items():
            setattr(current, name, value)
        dbsession.flush()
        return current
    version = QuestionVersion(number=current.number + 1, created_by_id=user.id if user else None, **content)
    question.versions.append(version)
    dbsession.flush()
    return version


def form_values(version: QuestionVersion) -> dict:
    """The question form filled with `version`."""
    values = {"kind": str(version.kind), "points": version.points,
              **{f"text_{language}": text for language, text in version.texts.items()}}
    values["options"] = [{**{f"text_{language}": text for language, text in option["texts"].items()},
                          "correct": option.get("correct", False)} for option in version.options]
    return values
