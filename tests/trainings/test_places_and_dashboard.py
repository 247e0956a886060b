"""Regions, venues and programmes; the dashboard's figures and month view."""
import datetime as dt

import pytest

from tests import factories
from trainings.forms import FieldErrors
from trainings.models import TrainingStatus
from trainings.services import dashboard, places


def test_a_region_needs_a_valid_iana_zone_and_a_unique_name(app_request, dbsession):
    values = {"country": "py", "name": "Itapúa", "city": "Encarnación", "timezone": "America/Asuncion"}
    region = places.save_region(app_request, values)
    assert region.country == "PY"
    with pytest.raises(FieldErrors) as caught:
        places.save_region(app_request, dict(values, name="Guairá", timezone="Paraguay/Asuncion"))
    assert set(caught.value.errors) == {"timezone"}
    with pytest.raises(FieldErrors) as caught:
        places.save_region(app_request, dict(values, name="itapúa"))
    assert set(caught.value.errors) == {"name"}
    assert places.save_region(app_request, dict(values, city="Encarnación (centro)"), region) is region


def test_venue_names_are_unique_within_a_region(app_request, dbsession):
    region = factories.RegionFactory()
    values = {"region_id": region.id, "name": "Auditorio", "address": "", "latitude": None, "longitude": None}
    places.save_venue(app_request, values)
    with pytest.raises(FieldErrors):
        places.save_venue(app_request, dict(values, name="AUDITORIO"))
    places.save_venue(app_request, dict(values, region_id=factories.RegionFactory().id))


def test_a_venue_edit_calendars_show_revises_the_sessions_held_there(app_request, dbsession, events):
    venue = factories.VenueFactory(address="Av. Principal 123")
    first = factories.SessionFactory(training__venue=venue, training__region=venue.region)
    second = factories.SessionFactory(training__venue=venue, training__region=venue.region)
    elsewhere = factories.SessionFactory(training__region=venue.region)
    values = {"region_id": venue.region_id, "name": venue.name, "address": venue.address, "latitude": None,
              "longitude": None}
    places.save_venue(app_request, values, venue)
    assert events == []  # saved unchanged: nothing to tell
    places.save_venue(app_request, dict(values, address="Jr. Lampa 545"), venue)
    assert (first.sequence, second.sequence, elsewhere.sequence) == (1, 1, 0)
    assert [event.sessions for event in events] == [[first], [second]]
    places.save_venue(app_request, dict(values, address="Jr. Lampa 545", latitude=-12.05, longitude=-77.03), venue)
    assert first.sequence == 2  # its position (GEO) too


def test_a_region_edit_calendars_show_revises_its_trainings(app_request, dbsession, events):
    region = factories.RegionFactory(country="PY", name="Itapúa", city="Encarnación", timezone="America/Asuncion")
    session = factories.SessionFactory(training__region=region, training__venue=None)
    values = {"country": "PY", "name": "Itapúa (sur)", "city": "Encarnación", "timezone": "America/Asuncion"}
    places.save_region(app_request, values, region)
    assert session.sequence == 0 and events == []  # the region's name is not in calendars
    places.save_region(app_request, dict(values, city="Cambyretá"), region)
    assert session.sequence == 1 and events[-1].sessions == [session]


def test_registration_counts_by_training_and_status(dbsession):
    training = factories.TrainingFactory()
    other = factories.TrainingFactory()
    factories.RegistrationFactory.create_batch(2, training=training)
    factories.RegistrationFactory(training=training, status="pending")
    factories.RegistrationFactory(training=training, role="speaker")  # takes no place: not counted
    assert dashboard.registration_counts(dbsession, [training.id, other.id]) == {
        training.id: {"confirmed": 2, "pending": 1}, other.id: {}}
    assert dashboard.registration_counts(dbsession, []) == {}


def test_month_view_places_trainings_on_their_days_across_regions(dbsession):
    lima = factories.TrainingFactory(starts_on=dt.date(2027, 3, 30), ends_on=dt.date(2027, 4, 1))
    asuncion = factories.TrainingFactory(region=factories.RegionFactory(country="PY", timezone="America/Asuncion"),
                                         starts_on=dt.date(2027, 3, 10), ends_on=dt.date(2027, 3, 10),
                                         status=TrainingStatus.draft)
    view = dashboard.month_view(dbsession, dt.date(2027, 3, 1))
    days = {day: trainings for week in view.weeks for day, trainings in week}
    assert days[dt.date(2027, 3, 10)] == [asuncion]
    assert days[dt.date(2027, 3, 31)] == [lima] and days[dt.date(2027, 4, 1)] == [lima]  # grid runs into April
    assert (view.previous, view.following, view.key) == ("2027-02", "2027-04", "2027-03")
    assert dashboard.parse_month("2027-13", dt.date(2027, 5, 9)) == dt.date(2027, 5, 1)


def test_next_sessions_skip_cancelled_ones(dbsession):
    now = dt.datetime.now(dt.UTC)
    live = factories.SessionFactory(training__starts_on=dt.date.today() + dt.timedelta(days=3))
    factories.SessionFactory(training__starts_on=dt.date.today() + dt.timedelta(days=3), cancelled=True)
    factories.SessionFactory(training__starts_on=dt.date.today() + dt.timedelta(days=3),
                             training__status=TrainingStatus.cancelled)
    assert live in dashboard.next_sessions(dbsession, now, limit=50)
    assert all(not s.cancelled and s.training.status != TrainingStatus.cancelled
               for s in dashboard.next_sessions(dbsession, now, limit=50))
