"""The report page, its evidence and its downloads."""
from __future__ import annotations

from trainings.resources import get_by_id

from ..filters import parse_filters
from ..models import Indicator


def filters_from_params(request, params):
    filters = parse_filters(request.dbsession, params)
    indicator = get_by_id(request.dbsession, Indicator, params.get("indicator") or "")
    return filters.with_indicator(indicator) if indicator is not None else filters
