"""Every table of the organiser's pages reads on a 360 px phone: its rows become cards
(`table-cards`, capacita.css) whose cells say which column they are (`data-label`), so that
nothing important — an action, a count — sits off screen at the end of a table that scrolls
sideways. A new table without that treatment fails here."""
import re
from pathlib import Path

import pytest

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
# Tables with a phone layout of their own: the month calendar shows seven narrow days.
OWN_PHONE_LAYOUT = {"calendar-month"}
TABLE = re.compile(r"<table\b[^>]*>.*?</table>", re.S)
CLASSES = re.compile(r'<table\b[^>]*class="([^"]*)"')


def tables() -> list:
    return [pytest.param(source, id=f"{path.relative_to(TEMPLATES)}#{number}")
            for path in sorted(TEMPLATES.rglob("*.jinja2"))
            for number, source in enumerate(TABLE.findall(path.read_text(encoding="utf-8")), start=1)]


def test_the_templates_have_tables():
    assert len(tables()) >= 30


@pytest.mark.parametrize("source", tables())
def test_every_table_becomes_cards_on_a_phone(source):
    classes = set(CLASSES.search(source).group(1).split()) if CLASSES.search(source) else set()
    if classes & OWN_PHONE_LAYOUT:
        return
    assert "table-cards" in classes, "this table scrolls sideways on a phone: give it class table-cards"
    head = re.search(r"<thead>(.*?)</thead>", source, re.S)
    if head is None:
        return  # no column names to repeat (the timetable: time, title, room, actions)
    columns = head.group(1).count("<th")
    # The first column names the card (a person, a training) and the last often holds actions,
    # which speak for themselves; every other cell says which column it is, or is marked as
    # clear without its name (`no-label`: a status badge, a tick box, a question's text).
    labelled = source.count("data-label=") + source.count("no-label")
    assert labelled >= columns - 2, "cells of this card do not say which column they are"
