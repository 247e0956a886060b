"""The registrations of a training as CSV and XLSX. A cell that starts with = + - @ (or a tab
or carriage return) is prefixed with an apostrophe so that spreadsheets show it as text
instead of running it as a formula."""
from __future__ import annotations

import csv
import io

from openpyxl import Workbook

from trainings.i18n import _

from . import labels
from .models import Registration

DANGEROUS_STARTS = ("=", "+", "-", "@", "\t", "\r")

COLUMNS = [
    (_("Given names"), lambda r, t: r.person.given_names),
    (_("Family names"), lambda r, t: r.person.family_names),
    (_("Email"), lambda r, t: r.person.email or ""),
    (_("Phone"), lambda r, t: r.person.phone or ""),
    (_("Sex"), lambda r, t: t(labels.SEX[r.person.sex]) if r.person.sex else ""),
    (_("Position"), lambda r, t: r.person.position or ""),
    (_("Institution"), lambda r, t: r.person.institution.name if r.person.institution else ""),
    (_("Country"), lambda r, t: r.person.country or ""),
    (_("Identity document"), lambda r, t: r.person.id_document or ""),
    (_("Role"), lambda r, t: t(labels.ROLE[r.role])),
    (_("Status"), lambda r, t: t(labels.STATUS[r.status])),
    (_("Source"), lambda r, t: t(labels.SOURCE[r.source])),
    (_("Registered on"), lambda r, t: r.created_at.strftime("%Y-%m-%d %H:%M") if r.created_at else ""),
]


def neutralise(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(DANGEROUS_STARTS) else text


def rows(request, registrations: list[Registration]) -> list[list[str]]:
    translate = request.localizer.translate
    header = [translate(title) for title, _value in COLUMNS]
    body = [[neutralise(value(registration, translate)) for _title, value in COLUMNS]
            for registration in registrations]
    return [header, *body]


def as_csv(table: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(table)
    # With a BOM, Excel opens UTF-8 correctly (accents in names).
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def as_xlsx(table: list[list[str]], title: str) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31] or "Sheet")
    for row in table:
        # Every value as text: openpyxl would otherwise store "=…" as a formula.
        sheet.append([_text_cell(sheet, value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _text_cell(sheet, value: str):
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"
    return cell

