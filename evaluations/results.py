"""A training's evaluation results, computed from the answers (never stored):

- a test's score is the points earned over the points possible, in percent; a choice question
  earns its points when exactly its correct options were chosen; an unanswered question earns
  nothing. Each answer is scored with the version of the question it answered;
- the gain is post minus pre, per person who answered both (paired); means of the gain are
  over those people only;
- mastery: a score at or above the post-test's mark (e.g. 70 %);
- item analysis: per question, the share of respondents who got it right, most missed first;
- satisfaction: mean rating and count per session, per speaker and per rating question, and
  the comments.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from statistics import mean

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from participants.models import Person, Registration
from trainings.models import Training

from .models import Answer, AnswerSet, Purpose, QuestionKind, Questionnaire, QuestionVersion
from .questionnaires import training_questionnaires
from .texts import text_in

DEFAULT_MASTERY = 70


@dataclass
class PersonResult:
    registration: Registration
    pre: float | None = None
    post: float | None = None
    post_from_paper: bool = False
    pre_from_paper: bool = False

    @property
    def gain(self) -> float | None:
        return None if self.pre is None or self.post is None else self.post - self.pre

    def reaches(self, mark: int) -> bool:
        return self.post is not None and self.post >= mark


@dataclass
class Summary:
    """Figures of a group of people (everyone, or one sex, or one kind of institution)."""

    key: str
    people: int = 0
    pre_mean: float | None = None
    pre_count: int = 0
    post_mean: float | None = None
    post_count: int = 0
    paired: int = 0
    gain_mean: float | None = None
    mastery_share: float | None = None  # of those who took the post-test
    pre_mastery_share: float | None = None


@dataclass
class Item:
    question_id: int
    label: str
    versions: int
    answered: int
    correct: int

    @property
    def share_correct(self) -> float:
        return self.correct / self.answered if self.answered else 0.0


@dataclass
class Rating:
    label: str
    count: int
    mean: float | None


@dataclass
class Comment:
    purpose: Purpose
    question: str
    text: str


@dataclass
class Results:
    training: Training
    mastery_mark: int
    people: list[PersonResult]
    overall: Summary
    by_sex: list[Summary]
    by_institution_kind: list[Summary]
    items: dict[Purpose, list[Item]] = field(default_factory=dict)
    sessions: list[Rating] = field(default_factory=list)
    speakers: list[Rating] = field(default_factory=list)
    rating_questions: dict[Purpose, list[Rating]] = field(default_factory=dict)
    comments: list[Comment] = field(default_factory=list)


def _is_correct(answer: AnswerRow | Answer | None) -> bool:
    return answer is not None and set(answer.choices or []) == answer.version.correct_ids


def score(questionnaire: Questionnaire, answer_set: Responses | AnswerSet) -> float | None:
    """The percentage of the points earned, or None for a questionnaire without scored questions."""
    by_question = {answer.version.question_id: answer for answer in answer_set.answers if answer.version}
    earned = possible = 0
    for item in questionnaire.items:
        answer = by_question.get(item.question_id)
        version = answer.version if answer is not None else item.question.current
        if not version.scored:
            continue
        possible += version.points
        if _is_correct(answer):
            earned += version.points
    return 100 * earned / possible if possible else None


def _mean(values) -> float | None:
    values = [value for value in values if value is not None]
    return mean(values) if values else None


def _share(hits: int, total: int) -> float | None:
    return hits / total if total else None


def summarise(key: str, people: list[PersonResult], mark: int) -> Summary:
    pre = [person.pre for person in people if person.pre is not None]
    post = [person.post for person in people if person.post is not None]
    gains = [person.gain for person in people if person.gain is not None]
    return Summary(key, len(people), _mean(pre), len(pre), _mean(post), len(post), len(gains), _mean(gains),
                   _share(sum(score >= mark for score in post), len(post)),
                   _share(sum(score >= mark for score in pre), len(pre)))


def _grouped(people: list[PersonResult], key, mark: int) -> list[Summary]:
    groups: dict[str, list[PersonResult]] = defaultdict(list)
    for person in people:
        groups[key(person.registration.person) or ""].append(person)
    return [summarise(name, members, mark) for name, members in sorted(groups.items())]


@dataclass
class AnswerRow:
    """One answer as the results read it: plain values, not a mapped object (a large training's
    tests hold a hundred thousand answers)."""

    version: QuestionVersion | None
    session_id: int | None
    speaker_id: int | None
    choices: list
    rating: int | None
    text: str


@dataclass
class Responses:
    """One person's answer set to a questionnaire."""

    registration_id: int
    from_paper: bool
    answers: list[AnswerRow] = field(default_factory=list)


def answer_sets_of(dbsession: Session, questionnaire: Questionnaire) -> list[Responses]:
    """Every answer set of `questionnaire` in two statements (the versions they answered are
    few and loaded once)."""
    rows = dbsession.execute(
        select(AnswerSet.id, AnswerSet.registration_id, AnswerSet.from_paper, Answer.question_version_id,
               Answer.session_id, Answer.speaker_id, Answer.choices, Answer.rating, Answer.text)
        .outerjoin(Answer, Answer.answer_set_id == AnswerSet.id)
        .where(AnswerSet.questionnaire_id == questionnaire.id)
        .order_by(AnswerSet.id, Answer.id)
    ).all()
    version_ids = {row.question_version_id for row in rows if row.question_version_id is not None}
    versions = {version.id: version for version in dbsession.scalars(
        select(QuestionVersion).where(QuestionVersion.id.in_(version_ids)))} if version_ids else {}
    sets: dict[int, Responses] = {}
    for row in rows:
        responses = sets.setdefault(row.id, Responses(row.registration_id, row.from_paper))
        if row.question_version_id is None and row.session_id is None and row.speaker_id is None:
            continue  # an answer set without answers (the outer join's empty row)
        responses.answers.append(AnswerRow(versions.get(row.question_version_id), row.session_id, row.speaker_id,
                                           row.choices or [], row.rating, row.text or ""))
    return list(sets.values())


def _registrations(dbsession: Session, registration_ids) -> dict[int, Registration]:
    if not registration_ids:
        return {}
    return {registration.id: registration for registration in dbsession.scalars(
        select(Registration).where(Registration.id.in_(registration_ids))
        .options(selectinload(Registration.person).selectinload(Person.institution)))}


def item_analysis(questionnaire: Questionnaire, answer_sets: list[Responses], language: str) -> list[Item]:
    """Every respondent counts for every question: one left blank counts as missed."""
    by_set = [{answer.version.question_id: answer for answer in answer_set.answers if answer.version}
              for answer_set in answer_sets]
    items = []
    for item in questionnaire.items:
        question = item.question
        if not question.current.scored:
            continue
        correct = sum(_is_correct(answers.get(question.id)) for answers in by_set)
        items.append(Item(question.id, text_in(question.current.texts, language, str(question.bank.language)),
                          len(question.versions), len(by_set), correct))
    return sorted(items, key=lambda entry: (entry.share_correct, entry.question_id))


def _ratings(answers: list[AnswerRow], key, label) -> list[Rating]:
    groups: dict = defaultdict(list)
    for answer in answers:
        if answer.rating is not None and key(answer) is not None:
            groups[key(answer)].append(answer)
    return [Rating(label(group[0]), len(group), mean(answer.rating for answer in group))
            for group in groups.values()]


def _version_label(version: QuestionVersion, language: str) -> str:
    return text_in(version.texts, language)


def _speaker_names(dbsession: Session, answers: list[AnswerRow]) -> dict[int, str]:
    ids = {answer.speaker_id for answer in answers if answer.speaker_id is not None}
    return {person.id: person.full_name for person in
            dbsession.scalars(select(Person).where(Person.id.in_(ids)))} if ids else {}


def _satisfaction(dbsession: Session, results: Results, questionnaire: Questionnaire, answer_sets: list[Responses],
                  language: str):
    answers = [answer for answer_set in answer_sets for answer in answer_set.answers]
    if questionnaire.purpose == Purpose.satisfaction:
        sessions = questionnaire.training.sessions  # in timetable order
        order = {session.id: index for index, session in enumerate(sessions)}
        titles = {session.id: session.title for session in sessions}
        rated_sessions = sorted((answer for answer in answers if answer.session_id is not None),
                                key=lambda answer: order.get(answer.session_id, 0))
        results.sessions = _ratings(rated_sessions, lambda answer: answer.session_id,
                                    lambda answer: titles.get(answer.session_id, ""))
        names = _speaker_names(dbsession, answers)
        results.speakers = sorted(_ratings(answers, lambda answer: answer.speaker_id,
                                           lambda answer: names.get(answer.speaker_id, "")),
                                  key=lambda rating: rating.label)
    rated = [answer for answer in answers if answer.version and answer.version.kind == QuestionKind.rating]
    if rated:
        results.rating_questions[questionnaire.purpose] = _ratings(
            rated, lambda answer: answer.version.question_id, lambda answer: _version_label(answer.version, language))
    results.comments += [Comment(questionnaire.purpose, _version_label(answer.version, language), answer.text)
                         for answer in answers
                         if answer.version and answer.version.kind == QuestionKind.text and answer.text]


def training_results(dbsession: Session, training: Training, language: str) -> Results:
    questionnaires = {questionnaire.purpose: questionnaire
                      for questionnaire in training_questionnaires(dbsession, training.id)}
    post = questionnaires.get(Purpose.post)
    mark = post.mastery_percent if post else (
        questionnaires[Purpose.pre].mastery_percent if Purpose.pre in questionnaires else DEFAULT_MASTERY)
    answer_sets = {purpose: answer_sets_of(dbsession, questionnaire)
                   for purpose, questionnaire in questionnaires.items()}
    tests = [purpose for purpose in (Purpose.pre, Purpose.post) if purpose in questionnaires]
    registrations = _registrations(dbsession, {answer_set.registration_id for purpose in tests
                                               for answer_set in answer_sets[purpose]})
    people: dict[int, PersonResult] = {}
    for purpose in tests:
        for answer_set in answer_sets[purpose]:
            person = people.setdefault(answer_set.registration_id,
                                       PersonResult(registrations[answer_set.registration_id]))
            setattr(person, str(purpose), score(questionnaires[purpose], answer_set))
            setattr(person, f"{purpose}_from_paper", answer_set.from_paper)
    ordered = sorted(people.values(), key=lambda result: (result.registration.person.family_names.casefold(),
                                                          result.registration.person.given_names.casefold()))
    results = Results(
        training, mark, ordered, summarise("", ordered, mark),
        _grouped(ordered, lambda person: person.sex and str(person.sex), mark),
        _grouped(ordered, lambda person: person.institution and str(person.institution.kind), mark))
    for purpose in tests:
        results.items[purpose] = item_analysis(questionnaires[purpose], answer_sets[purpose], language)
    for purpose, questionnaire in questionnaires.items():
        _satisfaction(dbsession, results, questionnaire, answer_sets[purpose], language)
    return results
