"""Indicators: a written definition beside every number a donor receives.

Three presets ship with the product (created by migration 0007) and organisers add their own.
An indicator narrows the report (roles, training kinds, programmes, institution kinds, a topic
in the training's title or description), chooses what completing means, and counts unique
persons or unique institutions. The presets' names and definitions are translated here; an
organiser's own are shown as written.
"""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from participants import labels as participant_labels
from participants.models import InstitutionKind, RegistrationRole
from trainings import labels as training_labels
from trainings.forms import FieldErrors
from trainings.i18n import _
from trainings.models import Programme, TrainingKind

from . import labels
from .facts import refresh_facts
from .figures import Figures, completed_by, fact_conditions
from .filters import REPORTED_ROLES, ReportFilters
from .models import CompletionRule, Indicator, IndicatorUnit, RegistrationFact

FIRST_RESPONDERS = (InstitutionKind.police, InstitutionKind.prosecution, InstitutionKind.government,
                    InstitutionKind.local_government)

PRESETS = {
    "people_completed_by_sex": {
        "name": _("People trained who completed, by sex"),
        "definition": _(
            "Unique persons registered and confirmed as participants in a published training that began in the "
            "period, who reached the training's attendance rule: hours attended (present or late) at least the "
            "training's threshold of the hours expected, an excused session leaving the expected hours and a "
            "cancelled session never counting. A person counts once however many trainings they completed; "
            "sex as the person stated it."),
        "unit": IndicatorUnit.persons, "completion": CompletionRule.completed,
        "roles": [RegistrationRole.participant.value],
    },
    "first_responders_victim_identification": {
        "name": _("First responders trained on victim identification"),
        "definition": _(
            "Unique persons from the police, the prosecution service and government bodies (national, regional "
            "or local) who completed, by the training's attendance rule, a training whose title or description "
            "mentions victim identification (\"identifica…\")."),
        "unit": IndicatorUnit.persons, "completion": CompletionRule.completed,
        "roles": [RegistrationRole.participant.value],
        "institution_kinds": [kind.value for kind in FIRST_RESPONDERS], "topic": "identifica",
    },
    "institutions_reached": {
        "name": _("Unique institutions reached"),
        "definition": _(
            "Institutions with at least one person who attended at least one session of a published training "
            "that began in the period, as participant, speaker or moderator; each institution counts once."),
        "unit": IndicatorUnit.institutions, "completion": CompletionRule.attended, "roles": [],
    },
}


def all_indicators(dbsession: Session, organisation_ids: frozenset[int] | None = None) -> list[Indicator]:
    """The presets and shared indicators, then those of `organisation_ids` (None: of every
    organisation — administrators and commands; `trainings.scoping.visible_organisation_ids`)."""
    query = select(Indicator).order_by(Indicator.preset.is_(None), Indicator.name)
    if organisation_ids is not None:
        query = query.where(sa.or_(Indicator.organisation_id.is_(None),
                                   Indicator.organisation_id.in_(sorted(organisation_ids))))
    return list(dbsession.scalars(query))


def is_visible(indicator: Indicator, organisation_ids: frozenset[int] | None) -> bool:
    """Whether `all_indicators(…, organisation_ids)` lists it."""
    owner = indicator.organisation_id
    return organisation_ids is None or owner is None or owner in organisation_ids


def indicator_texts(request, indicator: Indicator) -> tuple[str, str]:
    """The name and definition in the request's language (presets) or as written."""
    preset = PRESETS.get(indicator.preset or "")
    if preset is None:
        return indicator.name, indicator.definition
    translate = request.localizer.translate
    return translate(preset["name"]), translate(preset["definition"])


@dataclass(frozen=True)
class IndicatorValue:
    value: int
    by_sex: dict[str | None, int]


def indicator_value(dbsession: Session, filters: ReportFilters, indicator: Indicator,
                    result: Figures | None = None) -> IndicatorValue:
    """The indicator's number over the report's filters, and the same by sex (persons only):
    read from the report's figures when the page has them (computed with the indicator's
    rule), else counted in one statement."""
    if result is not None:
        return _value_of(result, indicator)
    filters = filters.with_indicator(indicator)
    refresh_facts(dbsession)
    fact = RegistrationFact
    completed = [*fact_conditions(dbsession, filters), completed_by(filters.completion)]
    if indicator.unit == IndicatorUnit.institutions:
        return IndicatorValue(dbsession.scalar(select(func.count(sa.distinct(fact.institution_id))).where(*completed))
                              or 0, {})
    # A person has one sex in all their facts: the persons of each sex add up to all of them.
    by_sex = dict(dbsession.execute(select(fact.sex, func.count(sa.distinct(fact.person_id)))
                                    .where(*completed).group_by(fact.sex)).all())
    return IndicatorValue(sum(by_sex.values()), by_sex)


def _value_of(result: Figures, indicator: Indicator) -> IndicatorValue:
    if indicator.unit == IndicatorUnit.institutions:
        reached = [row for row in result.breakdowns["institution"] if row.key is not None and row.counts.completed]
        return IndicatorValue(len(reached), {})
    by_sex = {row.key: row.counts.completed for row in result.breakdowns["sex"] if row.counts.completed}
    return IndicatorValue(result.totals.completed, by_sex)


def indicator_rule_summary(request, indicator: Indicator) -> list[str]:
    """What the indicator counts, spelled out from its settings (shown under its definition)."""
    translate = request.localizer.translate
    lines = [translate(labels.UNIT[indicator.unit]) + " · " + translate(labels.COMPLETION[indicator.completion])]
    if indicator.roles:
        lines.append(", ".join(translate(participant_labels.ROLE[RegistrationRole(r)]) for r in indicator.roles))
    if indicator.training_kinds:
        lines.append(", ".join(translate(training_labels.TRAINING_KIND[TrainingKind(k)])
                               for k in indicator.training_kinds))
    if indicator.institution_kinds:
        lines.append(", ".join(translate(participant_labels.INSTITUTION_KIND[InstitutionKind(k)])
                               for k in indicator.institution_kinds))
    if indicator.programme_ids:
        names = request.dbsession.scalars(select(Programme.name).where(Programme.id.in_(indicator.programme_ids)))
        lines.append(", ".join(names))
    if indicator.topic:
        lines.append(translate(_("Topic: “${topic}”", mapping={"topic": indicator.topic})))
    return lines


def save_indicator(dbsession: Session, indicator: Indicator | None, values: dict) -> Indicator:
    """Create or change an organiser's indicator; presets keep their definition (only their
    counting settings can be changed, so that the written definition stays true)."""
    if indicator is not None and indicator.preset:
        raise FieldErrors({None: _("A preset indicator cannot be changed: add your own instead.")})
    name = " ".join(values["name"].split())
    owner = values["organisation_id"]
    same_name = select(Indicator.id).where(func.lower(Indicator.name) == name.lower())
    if owner is not None:  # those its members see; a shared one is seen by everybody
        same_name = same_name.where(sa.or_(Indicator.organisation_id.is_(None), Indicator.organisation_id == owner))
    if indicator is not None:
        same_name = same_name.where(Indicator.id != indicator.id)
    if dbsession.scalar(same_name.limit(1)) is not None:
        raise FieldErrors({"name": _("Another indicator already has this name.")})
    if indicator is None:
        indicator = Indicator()
        dbsession.add(indicator)
    indicator.organisation_id = owner
    indicator.name, indicator.definition = name, values["definition"].strip()
    indicator.unit, indicator.completion = IndicatorUnit(values["unit"]), CompletionRule(values["completion"])
    indicator.roles = [role for role in values["roles"] if role in {r.value for r in REPORTED_ROLES}]
    indicator.training_kinds = sorted(values["training_kinds"])
    indicator.institution_kinds = sorted(values["institution_kinds"])
    indicator.programme_ids = sorted(int(value) for value in values["programmes"])
    indicator.topic = values["topic"].strip()
    dbsession.flush()
    return indicator


def indicator_values(indicator: Indicator) -> dict:
    """The form's values for `indicator`."""
    return {"organisation_id": indicator.organisation_id, "name": indicator.name,
            "definition": indicator.definition, "unit": indicator.unit.value,
            "completion": indicator.completion.value, "roles": set(indicator.roles or ()),
            "training_kinds": set(indicator.training_kinds or ()),
            "institution_kinds": set(indicator.institution_kinds or ()),
            "programmes": {str(i) for i in indicator.programme_ids or ()}, "topic": indicator.topic}
