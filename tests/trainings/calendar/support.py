"""Shared by the calendar, feed and invite tests (import the fixture into a test module)."""
import pytest
from pyramid.interfaces import IRoutesMapper


@pytest.fixture(autouse=True)
def training_page_route(app):
    """Feeds and invites link each event to the training's public page. That page belongs to the
    scheduling package; where it is not there, its route is declared so that URLs are built."""
    mapper = app.registry.getUtility(IRoutesMapper)
    if mapper.get_route("training") is None:
        mapper.connect("training", "/trainings/{id}")
    app.registry["calendar.cache"].clear()
