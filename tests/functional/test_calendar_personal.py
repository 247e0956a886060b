"""Personal calendars: a registration's own feed and a person's feed of every confirmed
training, each at a revocable address of its own (never the private link); the private page's
calendar panel."""
import datetime as dt
import re

import pytest
import vobject
from pyramid.renderers import render
from pyramid_jinja2 import IJinja2Environment
from sqlalchemy import select

from participants.models import CalendarFeedToken, RegistrationStatus
from tests import factories
from tests.conftest import csrf_token_of
from tests.trainings.calendar.support import training_page_route  # noqa: F401
from trainings.models import Language, TrainingStatus

TOKEN = "a-private-link-token-for-the-tests-0123456789"




@pytest.fixture
def registration(dbsession):
    registration = factories.RegistrationFactory(token_hash=factories.token_hash(TOKEN),
                                                 person__preferred_language=Language.fr)
    factories.SessionFactory(training=registration.training)
    return registration


def uids(response) -> set[str]:
    return {event.uid.value for event in getattr(vobject.readOne(response.text), "vevent_list", [])}


def _training_address(testapp) -> str:
    csrf = csrf_token_of(testapp.get("/login"))
    page = testapp.post(f"/me/{TOKEN}/calendar/training", {"csrf_token": csrf})
    match = re.search(r"webcal://capacita\.test/calendar/registrations/([A-Za-z0-9_-]+)\.ics", page.text)
    assert match, "the page shows the new address"
    assert TOKEN not in page.text.split("<main", 1)[-1].replace(f"/me/{TOKEN}\"", "")  # only the way back
    return match.group(1)


def test_my_calendar_has_the_registrations_sessions_privately(testapp, registration):
    feed = _training_address(testapp)
    response = testapp.get(f"/calendar/registrations/{feed}.ics")
    assert uids(response) == {session.uid for session in registration.training.sessions}
    assert response.headers["Cache-Control"] == "private, no-cache"
    assert response.headers["X-Robots-Tag"] == "noindex, nofollow"
    assert "Intervenants" not in response.text  # no speakers; but labels speak French:
    assert "Plus d’informations" in vobject.readOne(response.text).vevent.description.value
    testapp.get(f"/calendar/registrations/{feed}.ics", headers={"If-None-Match": response.headers["ETag"]},
                status=304)
    testapp.get("/calendar/registrations/not-a-token.ics", status=404)
    # The feed's token opens the feed and nothing else; the private link is no feed.
    testapp.get(f"/me/{feed}", status=404)
    testapp.get(f"/me/{TOKEN}/calendar.ics", status=404)
    testapp.get(f"/calendar/people/{feed}.ics", status=404)
    renewed = _training_address(testapp)
    testapp.get(f"/calendar/registrations/{feed}.ics", status=404)
    testapp.get(f"/calendar/registrations/{renewed}.ics", status=200)


def test_my_calendar_follows_the_registration_status(testapp, dbsession, registration):
    feed = _training_address(testapp)
    registration.status = RegistrationStatus.waitlisted
    dbsession.flush()
    address = f"/calendar/registrations/{feed}.ics"
    assert vobject.readOne(testapp.get(address).text).vevent.status.value == "TENTATIVE"
    registration.status = RegistrationStatus.cancelled
    dbsession.flush()
    assert vobject.readOne(testapp.get(address).text).vevent.status.value == "CANCELLED"


def _new_address(testapp) -> str:
    csrf = csrf_token_of(testapp.get("/login"))
    page = testapp.post(f"/me/{TOKEN}/calendar/address", {"csrf_token": csrf})
    match = re.search(r"webcal://capacita\.test/calendar/people/([A-Za-z0-9_-]+)\.ics", page.text)
    assert match, "the page shows the new address"
    return match.group(1)


def test_personal_feed_holds_confirmed_trainings_and_can_be_revoked(testapp, dbsession, registration):
    person = registration.person
    other = factories.RegistrationFactory(person=person)
    other_session = factories.SessionFactory(training=other.training)
    waiting = factories.RegistrationFactory(person=person, status=RegistrationStatus.waitlisted)
    waiting_session = factories.SessionFactory(training=waiting.training)
    draft = factories.RegistrationFactory(person=person, training__status=TrainingStatus.draft)
    draft_session = factories.SessionFactory(training=draft.training)

    token = _new_address(testapp)
    stored = dbsession.scalars(select(CalendarFeedToken).where(CalendarFeedToken.person_id == person.id)).one()
    assert stored.token_hash != token and len(stored.token_hash) == 64

    feed = testapp.get(f"/calendar/people/{token}.ics")
    found = uids(feed)
    assert other_session.uid in found and registration.training.sessions[0].uid in found
    assert waiting_session.uid not in found and draft_session.uid not in found
    assert vobject.readOne(feed.text).x_wr_calname.value == f"Mes formations — {person.full_name}"

    other.status = RegistrationStatus.cancelled
    dbsession.flush()
    changed = testapp.get(f"/calendar/people/{token}.ics", headers={"If-None-Match": feed.headers["ETag"]})
    assert other_session.uid not in uids(changed)

    renewed = _new_address(testapp)
    assert renewed != token
    testapp.get(f"/calendar/people/{token}.ics", status=404)
    testapp.get(f"/calendar/people/{renewed}.ics", status=200)


def test_making_an_address_needs_the_csrf_token(testapp, registration):
    testapp.post(f"/me/{TOKEN}/calendar/address", {}, status=400)


def test_the_private_page_panel_offers_subscribe_download_and_a_personal_address(app_request, dbsession,
                                                                                  registration):
    html = render("participants/invites/_my_calendar.jinja2", {"registration": registration, "token": TOKEN},
                  request=app_request)
    assert "webcal://" not in html and "calendar.google.com" not in html  # no private link in a calendar
    assert f'action="/me/{TOKEN}/calendar/training"' in html
    assert f'action="/me/{TOKEN}/calendar/address"' in html
    assert 'name="csrf_token"' in html


def test_the_training_page_links(app_request, dbsession):
    training = factories.TrainingFactory(region__timezone="America/Asuncion", region__country="PY")
    session = factories.SessionFactory(training=training, title="Apertura & bienvenida", day=dt.date(2025, 7, 15))
    environment = app_request.registry.queryUtility(IJinja2Environment, name=".jinja2")
    template = environment.from_string(
        '{% from "trainings/calendar/_links.jinja2" import calendar_links %}{{ calendar_links(request, training) }}')
    html = template.render(request=app_request, training=training)
    assert f"webcal://capacita.test/calendar/trainings/{training.id}.ics" in html
    assert f"/calendar/trainings/{training.id}.ics?download=1" in html
    assert "https://calendar.google.com/calendar/render?cid=webcal" in html
    assert "https://outlook.live.com/calendar/0/addfromweb?url=http" in html
    # one-off links per session, in UTC: 09:00 in Asunción on 2025-07-15 is 12:00 UTC
    assert "dates=20250715T120000Z%2F20250715T140000Z" in html
    assert "ctz=America%2FAsuncion" in html
    assert "startdt=2025-07-15T12%3A00%3A00%2B00%3A00" in html
    assert f"/calendar/sessions/{session.id}.ics?download=1" in html
    assert "Apertura &amp; bienvenida" in html
    training.status = TrainingStatus.draft
    assert "webcal://" not in template.render(request=app_request, training=training)
