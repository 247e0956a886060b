"""Answers given on paper, typed in by an organiser: one row per person, one cell per field.

A cell holds what the paper says — a letter for a choice ("B", "AC" for several), 1–5 for a
rating, the words of a free answer. The grid is checked whole: one refused cell and nothing
is saved, every refused cell gets its message. Rows left as they were are not touched (a
person's own answers from their phone stay theirs); a changed row is saved as entered from
paper, by whom and when."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from participants.models import Registration
from trainings.paging import Page, clamp_page

from .answers import Field, Value, current_values, parse_cell, save_answers
from .models import Answer, AnswerSet, QuestionKind, Questionnaire

ROWS_PER_PAGE = 40  # a room's worth of paper forms; a large training's grid comes in pages


def page_of(registrations: list, requested: int) -> Page:
    """The page of the grid asked for (past the end: the last one)."""
    number = clamp_page(requested, len(registrations), ROWS_PER_PAGE)
    start = (number - 1) * ROWS_PER_PAGE
    return Page(registrations[start:start + ROWS_PER_PAGE], number, ROWS_PER_PAGE, len(registrations))


@dataclass
class Row:
    registration: Registration
    answer_set: AnswerSet | None
    cells: dict[str, str]  # field key → the cell's text
    errors: dict[str, object]


def cell_name(registration_id: int, field_: Field) -> str:
    return f"r{registration_id}-{field_.key}"


def cell_text(field_: Field, value: Value | None) -> str:
    """How a kept answer is shown in its cell: the same way it is typed."""
    if value is None:
        return ""
    if field_.kind == QuestionKind.rating:
        return "" if value.rating is None else str(value.rating)
    if field_.kind == QuestionKind.text:
        return value.text
    letters = {option.id: option.letter for option in field_.options}
    return "".join(letters.get(choice, "?") for choice in value.choices)


def grid_rows(dbsession: Session, questionnaire: Questionnaire, registrations: list[Registration],
              fields: list[Field]) -> list[Row]:
    answer_sets = {answer_set.registration_id: answer_set for answer_set in dbsession.scalars(
        select(AnswerSet).where(AnswerSet.questionnaire_id == questionnaire.id,
                                AnswerSet.registration_id.in_([registration.id for registration in registrations]))
        .options(selectinload(AnswerSet.answers).selectinload(Answer.version)))}
    rows = []
    for registration in registrations:
        answer_set = answer_sets.get(registration.id)
        values = current_values(answer_set, fields)
        rows.append(Row(registration, answer_set,
                        {field_.key: cell_text(field_, values.get(field_.key)) for field_ in fields}, {}))
    return rows


def save_grid(dbsession: Session, questionnaire: Questionnaire, rows: list[Row], fields: list[Field], params,
              *, user, now: dt.datetime) -> int | None:
    """Apply the submitted grid: the number of rows saved, or None when a cell was refused
    (each row then carries the typed cells and their messages; nothing is written)."""
    parsed: list[tuple[Row, dict[str, Value]]] = []
    refused = False
    for row in rows:
        # A cell that was not sent at all is left as it was (only what was typed changes).
        typed = {field_.key: params.get(cell_name(row.registration.id, field_), row.cells[field_.key])
                 for field_ in fields}
        if all(typed[key].strip() == row.cells[key].strip() for key in typed):
            continue
        values = {}
        for field_ in fields:
            value, error = parse_cell(field_, typed[field_.key])
            if error is not None:
                row.errors[field_.key] = error
            else:
                values[field_.key] = value
        row.cells = typed
        refused = refused or bool(row.errors)
        parsed.append((row, values))
    if refused:
        return None
    for row, values in parsed:
        save_answers(dbsession, questionnaire, row.registration, fields, values, now=now, entered_by=user)
    return len(parsed)
