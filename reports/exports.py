"""The report as files: JSON for dashboards, CSV and XLSX for people.

All three come from the same `figures()` as the page, so they always agree with it. The
XLSX has a summary sheet, one sheet per breakdown and the row-level evidence (one row per
registration counted); cells are typed (numbers are numbers, dates are dates). CSV follows
`participants.spreadsheets`: the delimiter and decimals of the user's language, every field
quoted, formulas neutralised.
"""
from __future__ import annotations

import json
from collections.abc import Iterator

from sqlalchemy import select

from certificates.models import Certificate
from participants import labels as participant_labels
from participants.models import Institution, Person, RegistrationRole
from participants.spreadsheets import Table, as_csv, as_xlsx
from trainings.i18n import _
from trainings.models import Region, Training

from . import labels
from .breakdowns import LabelledRow, labelled
from .figures import MEASURES, Counts, Figures, facts_query, figures
from .filters import ReportFilters

# Excel stops at 1,048,576 rows; the evidence sheet says so when the report has more.
XLSX_EVIDENCE_LIMIT = 1_000_000


def _counts(counts: Counts) -> dict[str, int]:
    return {measure: getattr(counts, measure) for measure in MEASURES}


def report_data(request, filters: ReportFilters, result: Figures | None = None) -> dict:
    """The JSON document: totals at the top level, then `by` → dimension → rows."""
    result = result or figures(request.dbsession, filters)
    by = {dimension: [{"key": row.key, "label": row.label, **_counts(row.counts)} for row in rows]
          for dimension, rows in labelled(request, result).items()}
    return {"filters": filters.query(), "trainings": result.trainings, "sessions": result.sessions,
            "hours_delivered": result.hours_delivered, **_counts(result.totals), "by": by}


def report_json(request, filters: ReportFilters) -> bytes:
    return json.dumps(report_data(request, filters), ensure_ascii=False, indent=2).encode("utf-8")


def _measure_header(translate) -> list[str]:
    return [translate(labels.MEASURE[measure]) for measure in MEASURES]


def summary_table(request, result: Figures) -> Table:
    translate = request.localizer.translate
    rows = [[translate(_("Trainings held")), result.trainings],
            [translate(_("Sessions")), result.sessions],
            [translate(_("Training hours delivered")), result.hours_delivered]]
    rows += [[translate(labels.MEASURE[measure]), getattr(result.totals, measure)] for measure in MEASURES]
    return Table(translate(_("Summary")), [translate(_("Figure")), translate(_("Value"))], rows)


def breakdown_table(request, dimension: str, rows: list[LabelledRow]) -> Table:
    translate = request.localizer.translate
    title = translate(labels.DIMENSION[dimension])
    return Table(title, [title, *_measure_header(translate)],
                 [[row.label, *_counts(row.counts).values()] for row in rows])


def breakdowns_csv_table(request, result: Figures) -> Table:
    """CSV has one sheet: every breakdown under the totals, the dimension in the first column."""
    translate = request.localizer.translate
    rows = [[translate(_("Total")), "", *_counts(result.totals).values()]]
    for dimension, labelled_rows in labelled(request, result).items():
        rows += [[translate(labels.DIMENSION[dimension]), row.label, *_counts(row.counts).values()]
                 for row in labelled_rows]
    return Table(translate(_("Report")), [translate(_("Breakdown")), translate(_("Value")),
                                          *_measure_header(translate)], rows)


def evidence_header(translate) -> list[str]:
    return [translate(title) for title in (
        _("Family names"), _("Given names"), _("Sex"), _("Year of birth"), _("Institution"),
        _("Kind of institution"), _("Region of the person"), _("Training"), _("Starts on"),
        _("Region of the training"), _("Role"), _("Hours attended"), _("Completed"), _("Certificates issued"),
        _("Certificate numbers"))]


BATCH = 2000


def evidence_rows(request, filters: ReportFilters, limit: int | None = None) -> Iterator[list]:
    """Every registration the report counts (person × training × hours × completion ×
    certificates), read in batches: a programme has a million."""
    translate = request.localizer.translate
    yes, no = translate(_("Yes")), translate(_("No"))
    sexes = {sex: translate(label) for sex, label in participant_labels.SEX.items()}
    kinds = {kind: translate(label) for kind, label in participant_labels.INSTITUTION_KIND.items()}
    roles = {role: translate(participant_labels.ROLE[RegistrationRole(role)]) for role in RegistrationRole}
    facts = facts_query(request.dbsession, filters).subquery()
    query = (select(facts.c.registration_id, Person.family_names, Person.given_names, Person.sex,
                    Person.year_of_birth, Institution.name, Institution.kind, Person.home_region, Training.title,
                    Training.starts_on, Region.name, facts.c.role, facts.c.attended_seconds, facts.c.completed,
                    facts.c.certificates)
             .join(Person, Person.id == facts.c.person_id).join(Training, Training.id == facts.c.training_id)
             .join(Region, Region.id == Training.region_id)
             .outerjoin(Institution, Institution.id == Person.institution_id)
             .order_by(Person.family_names, Person.given_names, Person.id, Training.starts_on, facts.c.registration_id))
    if limit is not None:
        query = query.limit(limit)
    for batch in request.dbsession.execute(query.execution_options(yield_per=BATCH)).partitions():
        serials = _serials(request.dbsession, [row[0] for row in batch if row[-1]])
        for row in batch:
            (registration_id, family, given, sex, year, institution, kind, home_region, title, starts_on, region,
             role, seconds, completed, certificates) = row
            yield [family, given, sexes.get(sex, ""), year, institution or "", kinds.get(kind, ""),
                   home_region or "", title, starts_on, region, roles.get(role, role),
                   round((seconds or 0) / 3600, 2), yes if completed else no, int(certificates or 0),
                   ", ".join(serials.get(registration_id, []))]


def _serials(dbsession, registration_ids: list[int]) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    if registration_ids:
        for registration_id, serial in dbsession.execute(
                select(Certificate.registration_id, Certificate.serial)
                .where(Certificate.registration_id.in_(registration_ids), Certificate.revoked_at.is_(None))
                .order_by(Certificate.serial)):
            found.setdefault(registration_id, []).append(serial)
    return found


def evidence_table(request, filters: ReportFilters, limit: int | None = None) -> Table:
    translate = request.localizer.translate
    return Table(translate(_("Evidence")), evidence_header(translate), evidence_rows(request, filters, limit))


def report_tables(request, filters: ReportFilters) -> list[Table]:
    result = figures(request.dbsession, filters)
    tables = [summary_table(request, result)]
    tables += [breakdown_table(request, dimension, rows) for dimension, rows in labelled(request, result).items()]
    tables.append(evidence_table(request, filters, limit=XLSX_EVIDENCE_LIMIT))
    return tables


def report_download(request, filters: ReportFilters, file_format: str) -> bytes:
    if file_format == "json":
        return report_json(request, filters)
    if file_format == "csv":
        return as_csv(breakdowns_csv_table(request, figures(request.dbsession, filters)), request.locale_name)
    return as_xlsx(*report_tables(request, filters))
