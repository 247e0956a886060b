"""Indicators: the presets and the organisers' own, with their definitions and current values."""
from __future__ import annotations

from pyramid.view import view_config

from trainings.forms import handle_form, make_form
from trainings.i18n import _
from trainings.scoping import visible_organisation_ids
from trainings.security import Permission

from ..filters import ReportFilters
from ..indicators import (
    all_indicators,
    indicator_rule_summary,
    indicator_texts,
    indicator_value,
    indicator_values,
    save_indicator,
)
from ..resources import may_change_indicator
from ..schemas import IndicatorSchema
from .report import for_organisations

FORM = "reports/form.jinja2"


@view_config(route_name="indicators", renderer="reports/indicators.jinja2", permission=Permission.read,
             request_method="GET")
def indicator_list(request):
    """Each indicator over everything recorded, its definition beside the number; the report
    page gives it for a period, a country or a programme."""
    rows, everything_seen = [], for_organisations(request, ReportFilters())
    for indicator in all_indicators(request.dbsession, visible_organisation_ids(request)):
        name, definition = indicator_texts(request, indicator)
        rows.append({"indicator": indicator, "name": name, "definition": definition,
                     "rules": indicator_rule_summary(request, indicator),
                     "value": indicator_value(request.dbsession, everything_seen, indicator),
                     "editable": may_change_indicator(request, indicator)})
    return {"rows": rows}


def _form_page(request, indicator, heading):
    form = make_form(request, IndicatorSchema(), submit_label=_("Save the indicator"))

    def save(values):
        saved = save_indicator(request.dbsession, indicator, values)
        return request.route_path("report", _query={"indicator": saved.id})

    result = handle_form(request, form, save, appstruct=indicator_values(indicator) if indicator else {},
                         success_message=_("Indicator saved."))
    if isinstance(result, dict):
        result.update(heading=request.localizer.translate(heading), back=request.route_path("indicators"))
    return result


@view_config(route_name="indicator_new", renderer=FORM, permission=Permission.manage)
def indicator_new(request):
    return _form_page(request, None, _("New indicator"))


@view_config(route_name="indicator_edit", renderer=FORM, permission=Permission.manage)
def indicator_edit(context, request):
    return _form_page(request, context.object, _("Edit the indicator"))
