"""Tables that organisers download to open in Excel or LibreOffice: CSV and XLSX, safe to open.

Exports build a `Table` of plain values (text, numbers, local datetimes) and views return a
`Download` through the `spreadsheet` renderer, which writes it in the format asked for.

CSV has no types, so it is written for the organiser's own Excel: Excel in Spanish and French
splits a double-clicked CSV at ";" and reads "3,75" as a number; in English "," and "3.75".
Every field is quoted, and text that a spreadsheet could run as a formula is neutralised the
OWASP way ("CSV Injection"): a field starting with = + - @ TAB or CR gets a leading
apostrophe. Because a spreadsheet set up with the other list separator would still cut a field
at its "," or ";" (the quotes do not stop it there), a piece after a separator or a line break
that would start with = + - @ gets the apostrophe too — "Paz;=HYPERLINK(…)" is written
"Paz;'=HYPERLINK(…)".

XLSX has types, so it needs none of that: text goes in text cells (never evaluated; those that
look like a formula also carry Excel's "quote prefix" so that editing them keeps them text,
with no apostrophe shown), numbers in number cells and datetimes in date cells.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal

from babel import numbers as babel_numbers
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

Value = str | int | float | Decimal | dt.datetime | dt.date | None

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# After a separator (of either convention) or a line break, skipping blanks and quotes.
FORMULA_AFTER_SEPARATOR = re.compile(r"""([,;\t\r\n][ \t\r\n"]*)(?=[=+\-@])""")
# Blanks and quotes that a spreadsheet may skip before reading a formula.
LEADING_SKIPPED = ' \t\r\n"'

CSV_DELIMITERS = {"en": ","}
DEFAULT_CSV_DELIMITER = ";"
DATETIME_CSV_FORMAT = "%Y-%m-%d %H:%M"
DATETIME_XLSX_FORMAT = "yyyy-mm-dd hh:mm"
DATE_XLSX_FORMAT = "yyyy-mm-dd"

CONTENT_TYPES = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass(frozen=True)
class Table:
    title: str
    header: list[str]
    rows: list[list[Value]] = field(default_factory=list)


@dataclass(frozen=True)
class Download:
    """What a view returns to `renderer="spreadsheet"`: a table, a file name without its
    extension, and the format ("csv" or "xlsx")."""

    table: Table
    name: str
    format: str


def looks_like_formula(text: str) -> bool:
    return text.startswith(FORMULA_STARTS) or text.lstrip(LEADING_SKIPPED).startswith(FORMULA_STARTS[:4])


def neutralise(value: Value) -> str:
    """Text for a CSV field that no spreadsheet runs as a formula, however it splits it."""
    text = "" if value is None else str(value)
    text = FORMULA_AFTER_SEPARATOR.sub(r"\1'", text)
    return "'" + text if looks_like_formula(text) else text


def csv_delimiter(locale_name: str) -> str:
    return CSV_DELIMITERS.get(locale_name.split("_")[0], DEFAULT_CSV_DELIMITER)


def csv_field(value: Value, locale_name: str) -> str:
    if isinstance(value, bool):  # a bool is an int; exports write yes/no as translated text
        raise TypeError("write booleans as translated text")
    if isinstance(value, int | float | Decimal):
        return babel_numbers.format_decimal(value, locale=locale_name, group_separator=False)
    if isinstance(value, dt.datetime):
        return value.strftime(DATETIME_CSV_FORMAT)
    if isinstance(value, dt.date):
        return value.isoformat()
    return neutralise(value)


def csv_text(rows: list[list[Value]], locale_name: str) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=csv_delimiter(locale_name), quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    for row in rows:
        writer.writerow([csv_field(value, locale_name) for value in row])
    return buffer.getvalue()


def as_csv(table: Table, locale_name: str) -> bytes:
    # With a BOM, Excel reads UTF-8 (accents in names) instead of the system's code page.
    return ("\ufeff" + csv_text([table.header, *table.rows], locale_name)).encode("utf-8")


def as_xlsx(table: Table, *more: Table) -> bytes:
    """A workbook with one sheet per table."""
    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    for each in (table, *more):
        sheet = workbook.create_sheet(title=_sheet_title(each.title))
        sheet.freeze_panes = "A2"
        header = []
        for title in each.header:
            cell = _xlsx_cell(sheet, title)
            cell.font = bold
            header.append(cell)
        sheet.append(header)
        for row in each.rows:
            sheet.append([_xlsx_cell(sheet, value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _sheet_title(title: str) -> str:
    return re.sub(r"[\\/*?:\[\]]", " ", title)[:31].strip() or "Sheet"


def _xlsx_cell(sheet, value: Value) -> WriteOnlyCell:
    if isinstance(value, bool):
        raise TypeError("write booleans as translated text")
    if value is None:
        return WriteOnlyCell(sheet)
    if isinstance(value, int | float | Decimal):
        return WriteOnlyCell(sheet, value=value)
    if isinstance(value, dt.datetime):
        # Excel has no time zones: the local clock time goes in, the header names the zone.
        cell = WriteOnlyCell(sheet, value=value.replace(tzinfo=None))
        cell.number_format = DATETIME_XLSX_FORMAT
        return cell
    if isinstance(value, dt.date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = DATE_XLSX_FORMAT
        return cell
    # Control characters are not allowed in the file format; they carry nothing readable.
    text = ILLEGAL_CHARACTERS_RE.sub("", str(value))
    cell = WriteOnlyCell(sheet, value=text)
    cell.data_type = "s"  # openpyxl would otherwise store "=…" as a formula
    if looks_like_formula(text):
        cell.quotePrefix = True
    return cell


class SpreadsheetRenderer:
    """`renderer="spreadsheet"`: writes a Download as an attachment; CSV in the request's
    language's conventions."""

    def __init__(self, info):
        self.info = info

    def __call__(self, value, system) -> bytes:
        if not isinstance(value, Download):
            raise TypeError(f"the spreadsheet renderer cannot write {type(value).__name__}")
        request = system["request"]
        response = request.response
        response.content_type = CONTENT_TYPES[value.format]
        if value.format == "csv":
            response.charset = "utf-8"
            body = as_csv(value.table, request.locale_name)
        else:
            body = as_xlsx(value.table)
        response.content_disposition = f'attachment; filename="{value.name}.{value.format}"'
        return body


def includeme(config):
    config.add_renderer("spreadsheet", SpreadsheetRenderer)
