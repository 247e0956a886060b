"""Fixtures for the calendar tests: the training page route (see support.py), and a second,
independent iCalendar parser (vobject) to read what the icalendar library wrote."""
from __future__ import annotations

import vobject

from tests.trainings.calendar.support import training_page_route  # noqa: F401


def parse(text: bytes | str):
    """Parse with vobject, which shares no code with the icalendar library that wrote it."""
    if isinstance(text, bytes):
        text = text.decode("utf-8")
    return vobject.readOne(text)


def events(calendar) -> list:
    return list(getattr(calendar, "vevent_list", []))
