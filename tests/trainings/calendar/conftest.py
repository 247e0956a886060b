"""Fixtures for the calendar tests: a second, independent iCalendar parser (vobject), and the
public training page route that the scheduling package provides."""
from __future__ import annotations

import pytest
import vobject
from pyramid.interfaces import IRoutesMapper


@pytest.fixture(autouse=True)
def training_page_route(app):
    """Feeds link each event to the training's public page. That page belongs to the
    scheduling package; where it is not there, its route is declared so that URLs are built."""
    mapper = app.registry.getUtility(IRoutesMapper)
    if mapper.get_route("training") is None:
        mapper.connect("training", "/trainings/{id}")
    yield


@pytest.fixture(autouse=True)
def _empty_feed_cache(app):
    app.registry["calendar.cache"].clear()
    yield


def parse(text: bytes | str):
    """Parse with vobject, which shares no code with the icalendar library that wrote it."""
    if isinstance(text, bytes):
        text = text.decode("utf-8")
    return vobject.readOne(text)


def events(calendar) -> list:
    return list(getattr(calendar, "vevent_list", []))
