"""What a report is about: the period, places, programme, kinds and role an organiser chose.

Filters come from a query string (the report page, its exports, the evidence links) or from
the command line; both go through `parse_filters`, which refuses bad values with a message per
field and never guesses.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from urllib.parse import urlencode

from sqlalchemy import select
from sqlalchemy.orm import Session

from participants.models import InstitutionKind, RegistrationRole
from trainings.i18n import _
from trainings.models import Programme, Region, Training, TrainingKind, TrainingStatus
from trainings.resources import parse_id

from .models import CompletionRule

# The roles an organiser may report on; organisers and observers are never "people trained".
REPORTED_ROLES = (RegistrationRole.participant, RegistrationRole.speaker, RegistrationRole.moderator)

# Query-string names, in the order the form shows them.
PARAMETERS = ("from", "to", "country", "region", "programme", "kind", "institution_kind", "role")


@dataclass(frozen=True)
class ReportFilters:
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    country: str | None = None  # the training's country
    region_id: int | None = None  # the training's region
    programme_id: int | None = None
    kind: TrainingKind | None = None
    institution_kind: InstitutionKind | None = None
    role: RegistrationRole | None = None
    # What an indicator adds: lists that must contain the value (empty: any), a topic, a rule.
    roles: tuple[str, ...] = ()
    training_kinds: tuple[str, ...] = ()
    institution_kinds: tuple[str, ...] = ()
    programme_ids: tuple[int, ...] = ()
    topic: str = ""
    completion: CompletionRule = CompletionRule.completed
    indicator_id: int | None = field(default=None, compare=False)
    # The organisations whose trainings count (None: all). Set from who asks, never from the
    # query string: a member's reports cover their organisations only.
    organisation_ids: tuple[int, ...] | None = None

    def query(self) -> dict[str, str]:
        """The query-string parameters that give these filters back (empty ones left out)."""
        values = {
            "from": self.date_from.isoformat() if self.date_from else "",
            "to": self.date_to.isoformat() if self.date_to else "",
            "country": self.country or "",
            "region": str(self.region_id or ""),
            "programme": str(self.programme_id or ""),
            "kind": str(self.kind or ""),
            "institution_kind": str(self.institution_kind or ""),
            "role": str(self.role or ""),
            "indicator": str(self.indicator_id or ""),
        }
        return {name: value for name, value in values.items() if value}

    def query_string(self, **extra) -> str:
        return urlencode({**self.query(), **{k: v for k, v in extra.items() if v not in (None, "")}})

    @property
    def is_empty(self) -> bool:
        return not any(getattr(self, f.name) for f in fields(self)
                       if f.name not in ("completion", "indicator_id", "organisation_ids"))

    def with_indicator(self, indicator) -> ReportFilters:
        return replace(
            self, roles=tuple(indicator.roles or ()), training_kinds=tuple(indicator.training_kinds or ()),
            institution_kinds=tuple(indicator.institution_kinds or ()),
            programme_ids=tuple(int(i) for i in indicator.programme_ids or ()), topic=indicator.topic or "",
            completion=CompletionRule(indicator.completion), indicator_id=indicator.id,
        )


class InvalidFilters(Exception):
    def __init__(self, errors: dict[str, object]):
        super().__init__(errors)
        self.errors = errors


def _date(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def _enum(enum_class, text: str):
    return enum_class(text)


def parse_filters(dbsession: Session, params: Mapping[str, str]) -> ReportFilters:
    """The filters the parameters ask for; InvalidFilters maps each bad one to a message."""
    def value(name: str) -> str:
        return (params.get(name) or "").strip()

    errors: dict[str, object] = {}
    found: dict[str, object] = {}
    for name, key in (("from", "date_from"), ("to", "date_to")):
        if value(name):
            try:
                found[key] = _date(value(name))
            except ValueError:
                errors[name] = _("Write the date as YYYY-MM-DD, for example 2026-03-31.")
    if found.get("date_from") and found.get("date_to") and found["date_from"] > found["date_to"]:
        errors["to"] = _("The end of the period comes before its start.")
    if value("country"):
        code = value("country").upper()
        if code not in countries_with_regions(dbsession):
            errors["country"] = _("No region of this country is known: choose one from the list.")
        else:
            found["country"] = code
    for name, key, model, message in (
        ("region", "region_id", Region, _("This region does not exist: choose one from the list.")),
        ("programme", "programme_id", Programme, _("This programme does not exist: choose one from the list.")),
    ):
        if value(name):
            found_id = parse_id(value(name))
            if found_id is None or dbsession.get(model, found_id) is None:
                errors[name] = message
            else:
                found[key] = found_id
    choices = (
        ("kind", "kind", TrainingKind, TrainingKind),
        ("institution_kind", "institution_kind", InstitutionKind, InstitutionKind),
        ("role", "role", RegistrationRole, REPORTED_ROLES),
    )
    for name, key, enum_class, allowed in choices:
        if value(name):
            try:
                chosen = _enum(enum_class, value(name))
            except ValueError:
                chosen = None
            if chosen is None or chosen not in list(allowed):
                errors[name] = _("Choose a value from the list.")
            else:
                found[key] = chosen
    if errors:
        raise InvalidFilters(errors)
    return ReportFilters(**found)


def countries_with_regions(dbsession: Session) -> list[str]:
    """The countries of the regions where trainings can be held (what the country filter accepts)."""
    return list(dbsession.scalars(select(Region.country).distinct().order_by(Region.country)))


def countries_with_trainings(dbsession: Session) -> list[str]:
    """The countries where a published training is held (the country filter's choices; the
    speakers' countries have regions too, but no trainings to report on)."""
    return list(dbsession.scalars(
        select(Region.country).join(Training, Training.region_id == Region.id)
        .where(Training.status == TrainingStatus.published).distinct().order_by(Region.country)))
