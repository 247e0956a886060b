"""What organisers export from the registry: the registrations of a training and the people
list, as tables with translated headers (spreadsheets.py writes them as CSV or XLSX, safely)."""
from __future__ import annotations

from trainings.i18n import _
from trainings.models import Training
from trainings.timezones import utc_to_local

from . import labels
from .models import Person, Registration
from .spreadsheets import Table

PERSON_COLUMNS = [
    (_("Given names"), lambda p, t: p.given_names),
    (_("Family names"), lambda p, t: p.family_names),
    (_("Email"), lambda p, t: p.email or ""),
    (_("Phone"), lambda p, t: p.phone or ""),
    (_("Sex"), lambda p, t: t(labels.SEX[p.sex]) if p.sex else ""),
    (_("Position"), lambda p, t: p.position or ""),
    (_("Institution"), lambda p, t: p.institution.name if p.institution else ""),
    (_("Country"), lambda p, t: p.country or ""),
    (_("Identity document"), lambda p, t: p.id_document or ""),
]

REGISTRATION_COLUMNS = [
    (_("Role"), lambda r, t: t(labels.ROLE[r.role])),
    (_("Status"), lambda r, t: t(labels.STATUS[r.status])),
    (_("Source"), lambda r, t: t(labels.SOURCE[r.source])),
]


def registrations_table(request, training: Training, registrations: list[Registration]) -> Table:
    """One row per registration; "Registered on" in the training's local time, its zone named
    in the header (spreadsheets have no time zones)."""
    translate = request.localizer.translate
    zone = training.region.timezone
    header = [translate(title) for title, _value in PERSON_COLUMNS + REGISTRATION_COLUMNS]
    header.append(translate(_("Registered on (${zone})", mapping={"zone": zone})))
    rows = [
        [value(registration.person, translate) for _title, value in PERSON_COLUMNS]
        + [value(registration, translate) for _title, value in REGISTRATION_COLUMNS]
        + [utc_to_local(registration.created_at, zone) if registration.created_at else None]
        for registration in registrations
    ]
    return Table(translate(_("Registrations")), header, rows)


def people_table(request, people: list[Person]) -> Table:
    translate = request.localizer.translate
    header = [translate(title) for title, _value in PERSON_COLUMNS]
    rows = [[value(person, translate) for _title, value in PERSON_COLUMNS] for person in people]
    return Table(translate(_("People")), header, rows)
