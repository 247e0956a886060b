"""The report page, the evidence behind each number, and the report's downloads."""
from __future__ import annotations

import datetime as dt
from dataclasses import replace

from pyramid.httpexceptions import HTTPBadRequest
from pyramid.response import Response
from pyramid.view import view_config
from sqlalchemy import func, select

from participants import labels as participant_labels
from participants.models import InstitutionKind
from participants.spreadsheets import CONTENT_TYPES
from trainings import labels as training_labels
from trainings.audit import record
from trainings.i18n import _, country_name, format_number
from trainings.models import Programme, Region, Training, TrainingStatus
from trainings.resources import get_by_id
from trainings.scoping import scope_to_organisations, visible_organisation_ids
from trainings.security import Permission

from .. import labels
from ..breakdowns import label_keys, labelled
from ..charts import Bar, bar_chart
from ..exports import report_download
from ..figures import DIMENSIONS, MEASURES, evidence, figures
from ..filters import REPORTED_ROLES, InvalidFilters, ReportFilters, countries_with_trainings, parse_filters
from ..indicators import all_indicators, indicator_texts, indicator_value, is_visible
from ..models import Indicator

EVIDENCE_PAGE_SIZE = 100
# A breakdown's table on the page shows this many rows; the downloads have them all.
ROWS_SHOWN = 50
CHART_BARS = 12


def for_organisations(request, filters: ReportFilters) -> ReportFilters:
    """The filters narrowed to the organisations whose trainings the user sees."""
    ids = visible_organisation_ids(request)
    return replace(filters, organisation_ids=None if ids is None else tuple(sorted(ids)))


def filters_from_params(request, params) -> ReportFilters:
    filters = parse_filters(request.dbsession, params)
    indicator = get_by_id(request.dbsession, Indicator, params.get("indicator") or "")
    if indicator is not None and is_visible(indicator, visible_organisation_ids(request)):
        # Another organisation's indicator is unknown here, like any unknown filter value: ignored.
        filters = filters.with_indicator(indicator)
    return for_organisations(request, filters)


def filters_or_400(request) -> ReportFilters:
    """The filters of a download or evidence link; a bad one (a link edited by hand) is a 400
    saying what is wrong."""
    try:
        return filters_from_params(request, request.GET)
    except InvalidFilters as invalid:
        raise HTTPBadRequest(" ".join(request.localizer.translate(m) for m in invalid.errors.values())) from None


def filter_choices(request) -> dict:
    """The choices of the filter form, translated, and the quick picks (years, countries)."""
    translate = request.localizer.translate
    dbsession = request.dbsession
    regions = dbsession.execute(select(Region.id, Region.name, Region.country).order_by(Region.country, Region.name))
    years = dbsession.scalars(
        select(func.extract("year", Training.starts_on)).where(Training.status == TrainingStatus.published)
        .distinct())
    return {
        "countries": [(code, country_name(request, code)) for code in countries_with_trainings(dbsession)],
        "regions": [(str(region_id), f"{name} ({country_name(request, country)})")
                    for region_id, name, country in regions],
        "programmes": [(str(i), name) for i, name in dbsession.execute(scope_to_organisations(
            select(Programme.id, Programme.name), request, Programme.organisation_id).order_by(Programme.name))],
        "kinds": [(kind.value, translate(label)) for kind, label in training_labels.TRAINING_KIND.items()],
        "institution_kinds": [(kind.value, translate(participant_labels.INSTITUTION_KIND[kind]))
                              for kind in InstitutionKind],
        "roles": [(role.value, translate(participant_labels.ROLE[role])) for role in REPORTED_ROLES],
        "indicators": [(str(indicator.id), indicator_texts(request, indicator)[0])
                       for indicator in all_indicators(dbsession, visible_organisation_ids(request))],
        "years": sorted((int(year) for year in years if year is not None), reverse=True),
    }


def _chart(request, dimension: str, rows) -> object:
    translate = request.localizer.translate
    shown = rows[:CHART_BARS]
    title = translate(_("Unique persons and persons who completed, by ${dimension}",
                        mapping={"dimension": translate(labels.DIMENSION[dimension]).lower()}))
    description = translate(_("Light bar: unique persons; dark part: persons who completed."))
    if len(rows) > len(shown):
        description += " " + translate(_("The ${count} largest groups are drawn; the table lists them all.",
                                         mapping={"count": len(shown)}))
    bars = [Bar(row.label, row.counts.persons, row.counts.completed, _bar_text(request, row.counts))
            for row in shown]
    return bar_chart(f"chart-{dimension}", title, description, bars)


def _bar_text(request, counts) -> str:
    """"1 person, 1 completed", "21 persons, 3 completed" — each count with its own plural."""
    pluralize = request.localizer.pluralize
    persons = pluralize("${count} person", "${count} persons", counts.persons, domain="capacita",
                        mapping={"count": format_number(request, counts.persons)})
    completed = pluralize("${count} completed", "${count} completed", counts.completed, domain="capacita",
                          mapping={"count": format_number(request, counts.completed)})
    return f"{persons}, {completed}"


def quick_picks(request, values: dict, choices: dict) -> list[tuple[str, str, bool]]:
    """One-click links: a calendar year, a country; each keeps the other filters chosen."""
    kept = {name: value for name, value in values.items() if value}
    picks = []
    for year in choices["years"]:
        period = {"from": f"{year}-01-01", "to": f"{year}-12-31"}
        chosen = all(values.get(name) == value for name, value in period.items())
        picks.append((str(year), request.route_path("report", _query={**kept, **period}), chosen))
    for code, name in choices["countries"]:
        picks.append((name, request.route_path("report", _query={**kept, "country": code}), values["country"] == code))
    return picks


def evidence_url_maker(request, filters: ReportFilters):
    def evidence_url(measure: str, dimension: str | None = None, row=None) -> str:
        query = {**filters.query(), "measure": measure}
        if dimension:
            query["dimension"] = dimension
            query.update({"missing": "1"} if row.key is None else {"key": row.key})
        return request.route_path("report_evidence", _query=query)
    return evidence_url


@view_config(route_name="report", renderer="reports/report.jinja2", permission=Permission.read,
             request_method="GET")
def report_page(request):
    values = {name: request.GET.get(name, "") for name in (
        "from", "to", "country", "region", "programme", "kind", "institution_kind", "role", "indicator")}
    choices = filter_choices(request)
    page = {"values": values, "choices": choices, "errors": {}, "measures": MEASURES,
            "measure_labels": labels.MEASURE, "dimension_labels": labels.DIMENSION,
            "quick_picks": quick_picks(request, values, choices)}
    try:
        filters = filters_from_params(request, request.GET)
    except InvalidFilters as invalid:
        request.response.status_int = 400
        translate = request.localizer.translate
        page["errors"] = {name: translate(message) for name, message in invalid.errors.items()}
        return page
    result = figures(request.dbsession, filters)
    breakdowns = labelled(request, result)
    indicator = request.dbsession.get(Indicator, filters.indicator_id) if filters.indicator_id else None
    page.update(
        filters=filters, figures=result, breakdowns=breakdowns, rows_shown=ROWS_SHOWN,
        evidence_url=evidence_url_maker(request, filters),
        charts={dimension: _chart(request, dimension, rows) for dimension, rows in breakdowns.items() if rows},
        indicator=indicator, indicator_text=indicator_texts(request, indicator) if indicator else None,
        indicator_value=indicator_value(request.dbsession, filters, indicator, result) if indicator else None,
        completion_label=labels.COMPLETION[filters.completion],
    )
    return page


def page_number(text: str) -> int:
    return int(text) if text.isascii() and text.isdigit() and 0 < int(text) < 1_000_000 else 1


@view_config(route_name="report_evidence", renderer="reports/evidence.jinja2", permission=Permission.read,
             request_method="GET")
def evidence_page(request):
    filters = filters_or_400(request)
    dimension = request.GET.get("dimension") or None
    measure = request.GET.get("measure") or "participations"
    if (dimension is not None and dimension not in DIMENSIONS) or measure not in MEASURES:
        raise HTTPBadRequest(request.localizer.translate(_("This list does not exist: open it from the report.")))
    key = None if request.GET.get("missing") else request.GET.get("key", "")
    page = page_number(request.GET.get("page", "1"))
    total, rows = evidence(request.dbsession, filters, dimension, key, measure, page, EVIDENCE_PAGE_SIZE)
    key_label = label_keys(request, dimension, [key]).get(key, key) if dimension else None
    pages = max((total + EVIDENCE_PAGE_SIZE - 1) // EVIDENCE_PAGE_SIZE, 1)
    base = {**filters.query(), **({"dimension": dimension} if dimension else {}), "measure": measure}
    if dimension:
        base.update({"missing": "1"} if key is None else {"key": key})
    return {"filters": filters, "rows": rows, "total": total, "page": page, "pages": pages, "query": base,
            "measure_label": labels.MEASURE[measure], "measure": measure,
            "dimension_label": labels.DIMENSION[dimension] if dimension else None, "key_label": key_label,
            "first": (page - 1) * EVIDENCE_PAGE_SIZE + 1}


@view_config(route_name="report_export", permission=Permission.read, request_method="GET")
def report_export(request):
    file_format = request.matchdict["format"]
    filters = filters_or_400(request)
    body = report_download(request, filters, file_format)
    record(request, "report.export", summary=f"{file_format}: {request.query_string}"[:500])
    response = Response(body=body)
    if file_format == "json":
        response.content_type, response.charset = "application/json", "utf-8"
    else:
        response.content_type = CONTENT_TYPES[file_format]
        if file_format == "csv":
            response.charset = "utf-8"
        response.content_disposition = f'attachment; filename="report-{dt.date.today().isoformat()}.{file_format}"'
    return response
