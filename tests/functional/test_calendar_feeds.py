"""The public feeds over HTTP: content, conditional requests (304), regeneration on change,
drafts never shown. Bodies are read with vobject, independently of the library that wrote them."""
import datetime as dt

import vobject
from sqlalchemy import event

from tests import factories
from tests.trainings.calendar.support import training_page_route  # noqa: F401
from trainings.models import TrainingStatus


def uids(response) -> set[str]:
    calendar = vobject.readOne(response.text)
    return {event.uid.value for event in getattr(calendar, "vevent_list", [])}


def test_training_feed_content_and_headers(testapp, dbsession):
    session = factories.SessionFactory(title="Módulo 1: marco normativo")
    response = testapp.get(f"/calendar/trainings/{session.training_id}.ics")
    assert response.content_type == "text/calendar"
    assert response.charset == "utf-8"
    assert response.headers["ETag"].startswith('"')
    assert response.headers["Last-Modified"].endswith("GMT")
    assert "Set-Cookie" not in response.headers
    calendar = vobject.readOne(response.text)
    event = calendar.vevent
    assert event.uid.value == session.uid
    assert event.url.value == f"http://capacita.test/trainings/{session.training_id}"
    assert f"http://capacita.test/trainings/{session.training_id}" in event.description.value
    download = testapp.get(f"/calendar/trainings/{session.training_id}.ics?download=1")
    assert download.headers["Content-Disposition"].startswith("attachment;")


def test_if_none_match_and_if_modified_since_answer_304_until_something_changes(testapp, dbsession):
    session = factories.SessionFactory()
    url = f"/calendar/trainings/{session.training_id}.ics"
    first = testapp.get(url)
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]

    not_modified = testapp.get(url, headers={"If-None-Match": etag}, status=304)
    assert not_modified.body == b""
    assert not_modified.headers["ETag"] == etag
    testapp.get(url, headers={"If-Modified-Since": modified}, status=304)
    testapp.get(url, headers={"If-None-Match": '"something-else"'}, status=200)

    session.title = "Sesión reprogramada"
    session.sequence += 1
    session.updated_at = session.updated_at + dt.timedelta(seconds=5)
    dbsession.flush()
    changed = testapp.get(url, headers={"If-None-Match": etag}, status=200)
    assert changed.headers["ETag"] != etag
    assert vobject.readOne(changed.text).vevent.summary.value.startswith("Sesión reprogramada")
    assert vobject.readOne(changed.text).vevent.sequence.value == "1"
    testapp.get(url, headers={"If-Modified-Since": modified}, status=200)


def test_a_poll_that_finds_nothing_new_costs_one_primary_key_read(testapp, dbsession, connection):
    session = factories.SessionFactory()
    for _ in range(3):
        factories.SessionFactory(training=session.training)
    url = f"/calendar/programmes/{session.training.programme_id}.ics"
    etag = testapp.get(url).headers["ETag"]
    dbsession.expire_all()
    statements = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(connection, "before_cursor_execute", record)
    try:
        testapp.get(url, headers={"If-None-Match": etag}, status=304)
    finally:
        event.remove(connection, "before_cursor_execute", record)
    selects = [statement for statement in statements if statement.lstrip().upper().startswith("SELECT")]
    # the version stamp alone (it also tells that the programme exists): nothing is loaded or built,
    # and a long feed's version is the schedule's revision row, not an aggregate over its sessions
    assert len(selects) == 1, selects
    assert "schedule_revision" in selects[0].lower() and "count(" not in selects[0].lower()


def test_a_new_speaker_changes_the_feed(testapp, dbsession):
    session = factories.SessionFactory()
    url = f"/calendar/sessions/{session.id}.ics"
    etag = testapp.get(url).headers["ETag"]
    speaker = factories.PersonFactory(given_names="Rocío", family_names="Quispe")
    dbsession.add(factories.schedule.SessionSpeaker(session=session, person=speaker))
    dbsession.flush()
    response = testapp.get(url, headers={"If-None-Match": etag}, status=200)
    assert "Rocío Quispe" in vobject.readOne(response.text).vevent.description.value


def test_the_body_is_generated_once_per_version(testapp, app, dbsession):
    session = factories.SessionFactory()
    cache = app.registry["calendar.cache"]
    url = f"/calendar/trainings/{session.training_id}.ics"
    first = testapp.get(url)
    misses = cache.misses
    second = testapp.get(url)
    assert cache.misses == misses and cache.hits >= 1
    assert second.body == first.body


def test_drafts_never_appear(testapp, dbsession):
    published = factories.SessionFactory()
    draft = factories.SessionFactory(training__status=TrainingStatus.draft, training__region=published.training.region,
                                     training__programme=published.training.programme)
    testapp.get(f"/calendar/trainings/{draft.training_id}.ics", status=404)
    testapp.get(f"/calendar/sessions/{draft.id}.ics", status=404)
    for url in (f"/calendar/regions/{published.training.region_id}.ics",
                f"/calendar/programmes/{published.training.programme_id}.ics", "/calendar/all.ics"):
        found = uids(testapp.get(url))
        assert published.uid in found and draft.uid not in found, url


def test_cancelled_trainings_stay_in_feeds_as_cancelled(testapp, dbsession):
    session = factories.SessionFactory(training__status=TrainingStatus.cancelled)
    calendar = vobject.readOne(testapp.get("/calendar/all.ics").text)
    event = next(event for event in calendar.vevent_list if event.uid.value == session.uid)
    assert event.status.value == "CANCELLED"


def test_all_feed_keeps_a_year_of_past(testapp, dbsession):
    recent = factories.SessionFactory(training__starts_on=dt.date.today() - dt.timedelta(days=100))
    old = factories.SessionFactory(training__starts_on=dt.date.today() - dt.timedelta(days=500))
    found = uids(testapp.get("/calendar/all.ics"))
    assert recent.uid in found and old.uid not in found


def test_region_feed_is_named_after_the_region_in_the_language_asked(testapp, dbsession):
    session = factories.SessionFactory(training__region__name="Alto Paraná", training__region__country="PY",
                                       training__region__timezone="America/Asuncion")
    url = f"/calendar/regions/{session.training.region_id}.ics"
    spanish = vobject.readOne(testapp.get(url, headers={"Accept-Language": "es"}).text)
    french = testapp.get(url, headers={"Accept-Language": "fr"})
    assert spanish.x_wr_calname.value == "Capacitaciones en Alto Paraná"
    assert vobject.readOne(french.text).x_wr_calname.value == "Formations à Alto Paraná"
    assert spanish.x_wr_timezone.value == "America/Asuncion"
    assert french.headers["Vary"] == "Accept-Language, Cookie"


def test_unknown_ids_are_404(testapp, dbsession):
    for url in ("/calendar/sessions/999999.ics", "/calendar/trainings/999999.ics", "/calendar/regions/999999.ics",
                "/calendar/programmes/999999.ics", "/calendar/trainings/abc.ics"):
        testapp.get(url, status=404)


def test_uid_stays_and_sequence_rises_through_edit_and_cancel(testapp, dbsession):
    session = factories.SessionFactory()
    url = f"/calendar/sessions/{session.id}.ics"

    def event():
        return vobject.readOne(testapp.get(url).text).vevent

    created = event()
    session.starts_at += dt.timedelta(hours=1)
    session.ends_at += dt.timedelta(hours=1)
    session.sequence += 1  # as the scheduling service does when time, place or title change
    dbsession.flush()
    moved = event()
    session.cancelled = True
    dbsession.flush()
    cancelled = event()
    assert created.uid.value == moved.uid.value == cancelled.uid.value == session.uid
    assert [int(e.sequence.value) for e in (created, moved, cancelled)] == [0, 1, 2]
    assert [e.status.value for e in (created, moved, cancelled)] == ["CONFIRMED", "CONFIRMED", "CANCELLED"]
    assert moved.dtstart.value - created.dtstart.value == dt.timedelta(hours=1)


def test_organisers_calendar_tab_shows_what_to_share_and_the_sessions_versions(organiser_app, testapp, dbsession):
    session = factories.SessionFactory(sequence=3, title="Módulo & práctica")
    training = session.training
    page = organiser_app.get(f"/organiser/trainings/{training.id}/calendar")
    assert f"webcal://capacita.test/calendar/trainings/{training.id}.ics" in page.text
    assert f"webcal://capacita.test/calendar/regions/{training.region_id}.ics" in page.text
    assert f"webcal://capacita.test/calendar/programmes/{training.programme_id}.ics" in page.text
    assert session.uid in page.text and "Módulo &amp; práctica" in page.text
    assert 'aria-current="page"' in page.text  # its tab is the active one
    organiser_app.get("/organiser/trainings/999999/calendar", status=404)


def test_the_organisers_calendar_tab_needs_a_login(testapp, dbsession):
    training = factories.TrainingFactory()
    response = testapp.get(f"/organiser/trainings/{training.id}/calendar", status=302)
    assert "/login" in response.location


def raw_get(app, testapp, url, **headers):
    """Straight to the WSGI app (WebTest would decode the gzip body and drop its header), with
    the test's database session."""
    from webob import Request

    request = Request.blank(url, environ=dict(testapp.extra_environ), headers=headers)
    response = request.get_response(app)
    response.body = b"".join(response.app_iter)
    return response


def test_the_gzipped_and_plain_feeds_have_their_own_etags_and_both_get_304(app, testapp, dbsession):
    import gzip

    session = factories.SessionFactory(topic="Marco normativo " * 80)  # big enough to be compressed
    url = f"/calendar/trainings/{session.training_id}.ics"
    plain = raw_get(app, testapp, url)
    zipped = raw_get(app, testapp, url, **{"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in plain.headers and zipped.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.body) == plain.body
    assert plain.headers["ETag"] != zipped.headers["ETag"]  # RFC 9110: different bytes, different tags
    assert zipped.headers["ETag"].startswith('"') and zipped.headers["ETag"].endswith('-gzip"')
    assert "Accept-Encoding" in zipped.headers["Vary"]

    for etag in (plain.headers["ETag"], zipped.headers["ETag"]):
        for encoding in ("gzip", "identity"):
            answer = raw_get(app, testapp, url, **{"If-None-Match": etag, "Accept-Encoding": encoding})
            assert answer.status_int == 304, (etag, encoding)
    confirmed = raw_get(app, testapp, url, **{"If-None-Match": zipped.headers["ETag"], "Accept-Encoding": "gzip"})
    assert confirmed.headers["ETag"] == zipped.headers["ETag"]  # the tag of the copy the client holds
    confirmed = raw_get(app, testapp, url, **{"If-None-Match": plain.headers["ETag"], "Accept-Encoding": "gzip"})
    assert confirmed.headers["ETag"] == plain.headers["ETag"]
    weak = raw_get(app, testapp, url, **{"If-None-Match": "W/" + zipped.headers["ETag"], "Accept-Encoding": "gzip"})
    assert weak.status_int == 304

    session.title = "Sesión reprogramada"
    session.sequence += 1
    dbsession.flush()
    for etag in (plain.headers["ETag"], zipped.headers["ETag"]):
        assert raw_get(app, testapp, url, **{"If-None-Match": etag, "Accept-Encoding": "gzip"}).status_int == 200
