"""The attendance summary of a training: per person hours attended, hours expected, rate and
eligibility against the training's threshold (the rule is in rates.py); the table to export."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from trainings.i18n import _
from trainings.models import Training

from ..models import Registration
from ..spreadsheets import Table
from .labels import ROLE
from .rates import AttendanceRate, attendance_rates, durations_of
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


def people_summary(dbsession: Session, training: Training, registrations: list[Registration] | None = None
                   ) -> list[PersonSummary]:
    """Everyone expected, or the `registrations` given (a page of them)."""
    if registrations is None:
        registrations = expected_registrations(dbsession, training.id)
        rates = attendance_rates(dbsession, training.id)
    else:
        rates = attendance_rates(dbsession, training.id, [registration.id for registration in registrations],
                                 durations_of(training.sessions))
    summary = []
    for registration in registrations:
        rate = rates.get(registration.id) or AttendanceRate(registration.id, dt.timedelta(0), dt.timedelta(0))
        summary.append(PersonSummary(registration, rate, rate.reaches(training.attendance_threshold)))
    return summary


HEADERS = (_("Family names"), _("Given names"), _("Email"), _("Institution"), _("Role"), _("Hours attended"),
           _("Hours expected"), _("Rate (%)"), _("Eligible"))


def summary_table(request, summary: list[PersonSummary]) -> Table:
    """The summary as a table: hours and rate as numbers (spreadsheets.py writes them in the
    organiser's decimal format in CSV, as number cells in XLSX)."""
    translate = request.localizer.translate
    rows = []
    for item in summary:
        person = item.registration.person
        rows.append([
            person.family_names, person.given_names, person.email or "",
            person.institution.name if person.institution else "", translate(ROLE[item.registration.role]),
            item.hours_attended, item.hours_expected, item.rate.percent,
            translate(_("Yes") if item.eligible else _("No")),
        ])
    return Table(translate(_("Attendance")), [translate(header) for header in HEADERS], rows)
