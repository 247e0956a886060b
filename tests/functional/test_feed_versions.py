"""Registrations never change a public feed: not its ETag, Last-Modified nor DTSTAMPs, and the
"all trainings" feed is never rebuilt because of one. What a feed prints still changes it."""
import vobject

from participants.registrations import cancel, register
from tests import factories
from trainings.calendar import feeds
from trainings.models import ScheduleRevision
from trainings.models.revision import changes_feeds


def _stamps(response) -> list[str]:
    return sorted(str(event.dtstamp.value) for event in vobject.readOne(response.text).vevent_list)


def _public_feeds(session) -> list[str]:
    return ["/calendar/all.ics", f"/calendar/trainings/{session.training_id}.ics",
            f"/calendar/sessions/{session.id}.ics", f"/calendar/programmes/{session.training.programme_id}.ics"]


def test_registrations_leave_every_public_feed_as_it_was(testapp, app_request, dbsession):
    session = factories.SessionFactory(training__capacity=5)
    dbsession.flush()
    before = {url: testapp.get(url) for url in _public_feeds(session)}
    revision = dbsession.get(ScheduleRevision, 1).revision

    registration, _token = register(app_request, session.training, factories.PersonFactory())
    register(app_request, session.training, factories.PersonFactory())
    cancel(app_request, registration)
    dbsession.flush()
    dbsession.expire_all()

    assert session.training.confirmed_count == 1
    assert dbsession.get(ScheduleRevision, 1).revision == revision
    for url, first in before.items():
        testapp.get(url, headers={"If-None-Match": first.headers["ETag"]}, status=304)
        again = testapp.get(url)
        assert again.headers["ETag"] == first.headers["ETag"]
        assert again.headers["Last-Modified"] == first.headers["Last-Modified"]
        assert _stamps(again) == _stamps(first)


def test_the_all_trainings_feed_is_not_rebuilt_by_a_registration(testapp, app_request, dbsession, monkeypatch):
    session = factories.SessionFactory()
    dbsession.flush()
    etag = testapp.get("/calendar/all.ics").headers["ETag"]
    built = []
    original = feeds.feed_sessions
    monkeypatch.setattr(feeds, "feed_sessions", lambda *args: built.append(args) or original(*args))

    register(app_request, session.training, factories.PersonFactory())
    dbsession.flush()

    assert testapp.get("/calendar/all.ics").headers["ETag"] == etag
    assert built == []


def test_what_a_feed_prints_still_changes_it(testapp, dbsession):
    session = factories.SessionFactory()
    speaker = factories.PersonFactory(given_names="Rocío", family_names="Quispe")
    bystander = factories.PersonFactory()
    dbsession.add(factories.schedule.SessionSpeaker(session=session, person=speaker))
    dbsession.flush()
    etag = testapp.get("/calendar/all.ics").headers["ETag"]

    bystander.family_names = "Otro Apellido"  # not in any feed
    assert changes_feeds(dbsession) is False
    dbsession.flush()
    assert testapp.get("/calendar/all.ics").headers["ETag"] == etag

    speaker.family_names = "Quispe Huamán"  # printed in the session's description
    assert changes_feeds(dbsession) is True
    dbsession.flush()
    renamed = testapp.get("/calendar/all.ics", headers={"If-None-Match": etag}, status=200)
    assert "Quispe Huamán" in renamed.text

    session.title = "Sesión reprogramada"
    dbsession.flush()
    retitled = testapp.get("/calendar/all.ics", headers={"If-None-Match": renamed.headers["ETag"]}, status=200)
    assert "Sesión reprogramada" in retitled.text
