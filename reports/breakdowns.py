"""The figures' keys turned into what people read: names of sexes, kinds, institutions,
regions, countries and age bands, in the request's language."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlalchemy import select

from participants import labels as participant_labels
from participants.models import Institution, InstitutionKind, Sex
from trainings.i18n import country_name
from trainings.models import Region

from . import labels
from .figures import Counts, Figures


@dataclass(frozen=True)
class LabelledRow:
    key: str | None
    label: str
    counts: Counts


def _names(request, model, keys) -> dict[str, str]:
    """Institutions' or regions' names by key; a name that two of them share (a "Ministerio del
    Interior" in Peru and in Paraguay) carries its country, or the rows could not be told apart."""
    ids = [int(key) for key in keys if key is not None and key.isdigit()]
    if not ids:
        return {}
    rows = request.dbsession.execute(select(model.id, model.name, model.country).where(model.id.in_(ids))).all()
    shared = Counter(name for _row_id, name, _country in rows)
    return {str(row_id): f"{name} ({country_name(request, country)})" if shared[name] > 1 and country else name
            for row_id, name, country in rows}


def label_keys(request, dimension: str, keys: list[str | None]) -> dict[str | None, str]:
    translate = request.localizer.translate
    found: dict[str | None, str] = {None: translate(labels.NOT_STATED), "": translate(labels.NOT_STATED)}
    if dimension == "sex":
        found.update({sex.value: translate(participant_labels.SEX[sex]) for sex in Sex})
    elif dimension == "institution_kind":
        found.update({kind.value: translate(participant_labels.INSTITUTION_KIND[kind]) for kind in InstitutionKind})
    elif dimension == "institution":
        found.update(_names(request, Institution, keys))
    elif dimension == "training_region":
        found.update(_names(request, Region, keys))
    elif dimension == "country":
        found.update({key: country_name(request, key) for key in keys if key})
    elif dimension == "age_band":
        found.update({key: translate(label) for key, label in labels.AGE_BAND.items()})
    else:  # the person's own region, as written
        found.update({key: key for key in keys if key})
    return found


def labelled(request, figures: Figures) -> dict[str, list[LabelledRow]]:
    result = {}
    for dimension, rows in figures.breakdowns.items():
        names = label_keys(request, dimension, [row.key for row in rows])
        result[dimension] = [LabelledRow(row.key, names.get(row.key, row.key or ""), row.counts) for row in rows]
    return result
