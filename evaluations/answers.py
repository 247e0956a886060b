"""Answering a questionnaire: the fields a person fills in, checking what they sent, and keeping
one answer set per person and questionnaire (replaced by each later submission until it closes).

The phone form and the organisers' paper grid read the same fields and write through
`save_answers`, so that both refuse the same bad input with the same messages."""
from __future__ import annotations

import datetime as dt
import string
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from participants.models import Person, Registration, RegistrationRole, RegistrationStatus
from trainings.i18n import _
from trainings.models import SessionSpeaker, TrainingSession

from .models import Answer, AnswerSet, Purpose, QuestionKind, Questionnaire, QuestionVersion
from .texts import text_in
from .windows import window

RESPONDING_ROLES = (RegistrationRole.participant, RegistrationRole.observer)
RATINGS = range(1, 6)
MAX_TEXT = 5000
LETTERS = string.ascii_uppercase


class Closed(Exception):
    """The questionnaire cannot be answered now; `message` says why."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Option:
    id: int
    letter: str
    text: str


@dataclass(frozen=True)
class Field:
    key: str  # the form's name: q{question id}, s{session id}, p{speaker's person id}
    kind: QuestionKind
    label: str
    group: str  # "question", "session" or "speaker"
    version: QuestionVersion | None = None
    session_id: int | None = None
    speaker_id: int | None = None
    options: tuple[Option, ...] = ()

    def option_by_letter(self, letter: str) -> Option | None:
        return next((option for option in self.options if option.letter == letter), None)


@dataclass
class Value:
    choices: list[int] = field(default_factory=list)
    rating: int | None = None
    text: str = ""

    @property
    def blank(self) -> bool:
        return not self.choices and self.rating is None and not self.text


def respondents(dbsession: Session, training_id: int) -> list[Registration]:
    """Who answers a training's questionnaires: confirmed participants and observers."""
    return dbsession.scalars(
        select(Registration).join(Person, Person.id == Registration.person_id)
        .where(Registration.training_id == training_id, Registration.status == RegistrationStatus.confirmed,
               Registration.role.in_(RESPONDING_ROLES))
        .options(selectinload(Registration.person).selectinload(Person.institution))
        .order_by(Person.family_names, Person.given_names, Registration.id)
    ).all()


def may_answer(registration: Registration) -> bool:
    return registration.status == RegistrationStatus.confirmed and registration.role in RESPONDING_ROLES


def _question_field(version: QuestionVersion, language: str, default: str) -> Field:
    options = tuple(Option(option["id"], LETTERS[index], text_in(option["texts"], language, default))
                    for index, option in enumerate(version.options))
    return Field(f"q{version.question_id}", version.kind, text_in(version.texts, language, default), "question",
                 version=version, options=options)


def _satisfaction_fields(dbsession: Session, questionnaire: Questionnaire) -> list[Field]:
    sessions = [session for session in questionnaire.training.sessions if not session.cancelled]
    fields = [Field(f"s{session.id}", QuestionKind.rating, session.title, "session", session_id=session.id)
              for session in sessions]
    speakers = dbsession.execute(
        select(Person).join(SessionSpeaker, SessionSpeaker.person_id == Person.id)
        .join(TrainingSession, TrainingSession.id == SessionSpeaker.session_id)
        .where(TrainingSession.training_id == questionnaire.training_id, TrainingSession.cancelled.is_(False))
        .distinct().order_by(Person.family_names, Person.given_names)
    ).scalars().all()
    fields += [Field(f"p{person.id}", QuestionKind.rating, person.full_name, "speaker", speaker_id=person.id)
               for person in speakers]
    return fields


def fields_for(dbsession: Session, questionnaire: Questionnaire, language: str) -> list[Field]:
    """What a person answers now, in `language` (falling back to each question bank's language)."""
    fields = _satisfaction_fields(dbsession, questionnaire) if questionnaire.purpose == Purpose.satisfaction else []
    for item in questionnaire.items:
        version = item.question.current
        fields.append(_question_field(version, language, str(item.question.bank.language)))
    return fields


def check_open(questionnaire: Questionnaire, now: dt.datetime) -> None:
    span = window(questionnaire)
    if span is None:
        raise Closed(_("This questionnaire is not open yet: the training has no sessions."))
    if now < span.opens_at:
        raise Closed(_("This questionnaire is not open yet."))
    if now >= span.closes_at:
        raise Closed(_("This questionnaire is closed: answers are no longer accepted."))


# Checking one field's input. Web forms send option ids; the paper grid sends letters.
def _rating(raw: str):
    raw = raw.strip()
    if not raw:
        return Value(), None
    if not (raw.isascii() and raw.isdigit()) or int(raw) not in RATINGS:
        return None, _("Give a rating from 1 to 5.")
    return Value(rating=int(raw)), None


def _text(raw: str):
    raw = raw.strip()
    if len(raw) > MAX_TEXT:
        return None, _("At most ${count} characters.", mapping={"count": MAX_TEXT})
    return Value(text=raw), None


def _choices(field_: Field, chosen: list[int]):
    if field_.kind == QuestionKind.single and len(chosen) > 1:
        return None, _("Choose one option only.")
    if len(set(chosen)) != len(chosen):
        return None, _("Each option counts once.")
    return Value(choices=sorted(chosen)), None


def parse_web(field_: Field, raws: list[str]):
    """(Value, None) or (None, message) from the values a browser sent for one field."""
    if field_.kind == QuestionKind.rating:
        return _rating(raws[0] if raws else "")
    if field_.kind == QuestionKind.text:
        return _text(raws[0] if raws else "")
    known = {str(option.id): option.id for option in field_.options}
    raws = [raw for raw in raws if raw.strip()]
    if any(raw not in known for raw in raws):
        return None, _("This option is not one of the question's: choose again.")
    return _choices(field_, [known[raw] for raw in raws])


def parse_cell(field_: Field, raw: str):
    """(Value, None) or (None, message) from one cell of the paper grid: letters for choices
    ("B", or "AC" for several), 1–5 for ratings, anything for text."""
    if field_.kind == QuestionKind.rating:
        return _rating(raw)
    if field_.kind == QuestionKind.text:
        return _text(raw)
    letters = [letter for letter in raw.upper() if not letter.isspace() and letter not in ",;"]
    chosen = []
    for letter in letters:
        option = field_.option_by_letter(letter)
        if option is None:
            last = field_.options[-1].letter if field_.options else "A"
            return None, _("Type a letter from A to ${last}.", mapping={"last": last})
        chosen.append(option.id)
    return _choices(field_, chosen)


def parse_form(fields: list[Field], getall) -> tuple[dict[str, Value], dict[str, object]]:
    """Every field's value from a submitted form (`getall(name)` lists a name's values), and the
    message of each refused field."""
    values, errors = {}, {}
    for field_ in fields:
        value, error = parse_web(field_, getall(field_.key))
        if error is not None:
            errors[field_.key] = error
        else:
            values[field_.key] = value
    return values, errors


def _answer(field_: Field, value: Value) -> Answer:
    return Answer(question_version_id=field_.version.id if field_.version else None,
                  session_id=field_.session_id, speaker_id=field_.speaker_id,
                  choices=value.choices, rating=value.rating, text=value.text)


def answer_set_of(dbsession: Session, questionnaire: Questionnaire, registration: Registration) -> AnswerSet | None:
    return dbsession.scalar(select(AnswerSet).where(AnswerSet.questionnaire_id == questionnaire.id,
                                                    AnswerSet.registration_id == registration.id))


def save_answers(dbsession: Session, questionnaire: Questionnaire, registration: Registration, fields: list[Field],
                 values: dict[str, Value], *, now: dt.datetime, entered_by=None) -> AnswerSet:
    """Keep `values` as the person's answers, replacing earlier ones; `entered_by` is the
    organiser who typed them in from paper."""
    answer_set = answer_set_of(dbsession, questionnaire, registration)
    if answer_set is None:
        answer_set = AnswerSet(questionnaire=questionnaire, registration=registration, submitted_at=now)
        dbsession.add(answer_set)
    answer_set.answers = [_answer(field_, values[field_.key]) for field_ in fields
                          if field_.key in values and not values[field_.key].blank]
    answer_set.updated_at = now
    if entered_by is not None:
        answer_set.from_paper, answer_set.entered_by_id, answer_set.entered_at = True, entered_by.id, now
    dbsession.flush()
    return answer_set


def _key(answer: Answer) -> str:
    if answer.version is not None:
        return f"q{answer.version.question_id}"
    return f"s{answer.session_id}" if answer.session_id is not None else f"p{answer.speaker_id}"


def current_values(answer_set: AnswerSet | None, fields: list[Field]) -> dict[str, Value]:
    """An answer set as field values, to fill in the form again. An answer to an earlier
    version of a question is not shown against the current one (its options may differ)."""
    if answer_set is None:
        return {}
    versions = {field_.key: field_.version.id for field_ in fields if field_.version is not None}
    values = {}
    for answer in answer_set.answers:
        key = _key(answer)
        if answer.version is not None and versions.get(key) != answer.version.id:
            continue
        values[key] = Value(list(answer.choices or []), answer.rating, answer.text)
    return values


def submit(dbsession: Session, questionnaire: Questionnaire, registration: Registration, fields: list[Field],
           getall, *, now: dt.datetime) -> tuple[AnswerSet | None, dict]:
    """A person's submission from their phone: (answer set, {}) or (None, errors), nothing
    written on error. Raises Closed outside the questionnaire's window."""
    check_open(questionnaire, now)
    values, errors = parse_form(fields, getall)
    if errors:
        return None, errors
    if all(value.blank for value in values.values()):
        return None, {None: _("Answer at least one question.")}
    return save_answers(dbsession, questionnaire, registration, fields, values, now=now), {}
