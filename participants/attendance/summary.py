"""The attendance summary of a training: per person hours attended, hours expected, rate and
eligibility against the training's threshold (the rule is in rates.py); exports as CSV/XLSX."""
from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.styles import Font
from sqlalchemy.orm import Session

from trainings.i18n import _
from trainings.models import Training

from ..models import Registration
from .rates import AttendanceRate, attendance_rates
from .services import expected_registrations


@dataclass(frozen=True)
class PersonSummary:
    registration: Registration
    rate: AttendanceRate
    eligible: bool

    @property
    def hours_attended(self) -> float:
        return round(self.rate.attended.total_seconds() / 3600, 2)

    @property
    def hours_expected(self) -> float:
        return round(self.rate.expected.total_seconds() / 3600, 2)


def people_summary(dbsession: Session, training: Training) -> list[PersonSummary]:
    rates = attendance_rates(dbsession, training.id)
    summary = []
    for registration in expected_registrations(dbsession, training.id):
        rate = rates.get(registration.id) or AttendanceRate(registration.id, dt.timedelta(0), dt.timedelta(0))
        summary.append(PersonSummary(registration, rate, rate.reaches(training.attendance_threshold)))
    return summary


HEADERS = (_("Family names"), _("Given names"), _("Email"), _("Institution"), _("Role"), _("Hours attended"),
           _("Hours expected"), _("Rate (%)"), _("Eligible"))

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """A cell a spreadsheet would run as a formula is kept as text (prefixed with ')."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def export_rows(request, summary: list[PersonSummary]) -> list[list]:
    from .labels import ROLE

    translate = request.localizer.translate
    rows = [[translate(header) for header in HEADERS]]
    for item in summary:
        person = item.registration.person
        rows.append([neutralise(value) for value in (
            person.family_names, person.given_names, person.email or "",
            person.institution.name if person.institution else "", translate(ROLE[item.registration.role]),
            item.hours_attended, item.hours_expected, "" if item.rate.percent is None else item.rate.percent,
            translate(_("Yes") if item.eligible else _("No")),
        )])
    return rows


def as_csv(rows: list[list]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")  # the BOM makes spreadsheets read UTF-8


def as_xlsx(rows: list[list], title: str) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    for row in rows:
        sheet.append(row)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
