"""The public listing and a training's page: filters, pages, drafts never shown, a constant
number of SQL queries whatever the number of trainings, sessions and speakers."""
import contextlib
import datetime as dt

import pytest
from sqlalchemy import event

from tests import factories
from trainings.models import SessionSpeaker, SpeakerRole, TrainingKind, TrainingStatus

SOON = dt.date.today() + dt.timedelta(days=20)


@contextlib.contextmanager
def counting_queries(connection):
    statements = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(connection, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(connection, "before_cursor_execute", count)


def training_with(sessions: int, speakers_per_session: int, **kwargs):
    training = factories.TrainingFactory(starts_on=SOON, ends_on=SOON + dt.timedelta(days=1), **kwargs)
    for number in range(sessions):
        session = factories.SessionFactory(training=training, day=SOON + dt.timedelta(days=number % 2),
                                           start=dt.time(8 + number // 2), end=dt.time(9 + number // 2))
        for _ in range(speakers_per_session):
            session.speakers.append(SessionSpeaker(person=factories.PersonFactory(), role=SpeakerRole.speaker))
    return training


def test_the_training_page_shows_timetable_speakers_venue_and_places(testapp, dbsession):
    venue = factories.VenueFactory(name="Centro de Convenciones", address="Av. Mariscal López 1234",
                                   latitude=-25.28, longitude=-57.63,
                                   region=factories.RegionFactory(timezone="America/Asuncion", country="PY"))
    training = factories.TrainingFactory(title="Seminario: trata & fronteras", region=venue.region, venue=venue,
                                         starts_on=SOON, ends_on=SOON + dt.timedelta(days=1), capacity=40,
                                         confirmed_count=15)
    session = factories.SessionFactory(training=training, title="Rutas en la Triple Frontera", start=dt.time(9))
    factories.SessionFactory(training=training, title="Segunda jornada", day=SOON + dt.timedelta(days=1))
    speaker = factories.PersonFactory(given_names="Rosa", family_names="Benítez",
                                      institution=factories.InstitutionFactory(name="Ministerio Público del Paraguay"))
    session.speakers.append(SessionSpeaker(person=speaker, role=SpeakerRole.speaker))
    dbsession.flush()
    page = testapp.get(f"/trainings/{training.id}")
    assert "Seminario: trata &amp; fronteras" in page.text
    assert "America/Asuncion" in page.text and "9:00" in page.text
    assert "Rosa Benítez" in page.text and "Ministerio Público del Paraguay" in page.text
    assert "Av. Mariscal López 1234" in page.text and "openstreetmap.org" in page.text
    assert "25 plazas disponibles" in page.text
    assert page.text.count('<h3 class="h6 border-bottom') == 2  # one heading per local day


def test_the_slug_is_optional_and_a_wrong_one_redirects(testapp, dbsession):
    training = factories.TrainingFactory(title="Taller regional — Cusco")
    assert testapp.get(f"/trainings/{training.id}/taller-regional-cusco").status_int == 200
    response = testapp.get(f"/trainings/{training.id}/old-title")
    assert response.status_int == 302 and response.location.endswith(f"/trainings/{training.id}/taller-regional-cusco")
    assert testapp.get("/trainings/999999", status=404)


def test_drafts_never_reach_anonymous_visitors(testapp, dbsession):
    draft = factories.TrainingFactory(title="Borrador secreto", status=TrainingStatus.draft, starts_on=SOON)
    factories.SessionFactory(training=draft)
    assert "Borrador secreto" not in testapp.get("/trainings").text
    assert "Borrador secreto" not in testapp.get("/trainings?when=past").text
    assert "Borrador secreto" not in testapp.get("/").text
    testapp.get(f"/trainings/{draft.id}", status=404)
    testapp.get(f"/trainings/{draft.id}/borrador-secreto", status=404)
    testapp.get(f"/api/trainings/{draft.id}", status=404)
    assert "Borrador secreto" not in testapp.get("/api/trainings").text


def test_an_organiser_previews_a_draft(organiser_app, dbsession):
    draft = factories.TrainingFactory(title="Borrador", status=TrainingStatus.draft)
    assert "Borrador: solo el equipo organizador" in organiser_app.get(f"/trainings/{draft.id}").text


def test_a_cancelled_training_stays_visible_and_marked(testapp, dbsession):
    training = factories.TrainingFactory(title="Taller suspendido", status=TrainingStatus.cancelled,
                                         cancel_reason="Paro de transportes", starts_on=SOON)
    listing = testapp.get("/trainings")
    assert "Taller suspendido" in listing.text and "Cancelada" in listing.text
    page = testapp.get(f"/trainings/{training.id}")
    assert "Esta capacitación ha sido cancelada." in page.text and "Paro de transportes" in page.text


def test_listing_filters_by_country_region_programme_kind_language_and_month(testapp, dbsession):
    asuncion = factories.RegionFactory(country="PY", timezone="America/Asuncion")
    programme = factories.ProgrammeFactory(name="Programa Paraguay")
    month = SOON.replace(day=1) + dt.timedelta(days=62)
    paraguay = factories.TrainingFactory(title="Seminario Asunción", region=asuncion, programme=programme,
                                         kind=TrainingKind.seminar, offered_languages="es en",
                                         starts_on=month.replace(day=10), ends_on=month.replace(day=11))
    peru = factories.TrainingFactory(title="Taller Lima", starts_on=SOON, ends_on=SOON)

    def titles(query):
        text = testapp.get(f"/trainings?{query}").text
        return {title for title in ("Seminario Asunción", "Taller Lima") if title in text}

    assert titles("") == {"Seminario Asunción", "Taller Lima"}
    assert titles("country=PY") == {"Seminario Asunción"}
    assert titles(f"region={peru.region_id}") == {"Taller Lima"}
    assert titles(f"programme={programme.id}") == {"Seminario Asunción"}
    assert titles("kind=seminar") == {"Seminario Asunción"}
    assert titles("language=en") == {"Seminario Asunción"}
    assert titles(f"month={month:%Y-%m}") == {"Seminario Asunción"}
    # Nonsense is ignored rather than an error.
    assert titles("month=2026-13&region=abc&kind=<script>") == {"Seminario Asunción", "Taller Lima"}
    del paraguay


def test_past_trainings_have_their_own_tab(testapp, dbsession):
    factories.TrainingFactory(title="Taller de marzo", starts_on=dt.date.today() - dt.timedelta(days=40),
                              ends_on=dt.date.today() - dt.timedelta(days=39))
    assert "Taller de marzo" not in testapp.get("/trainings").text
    assert "Taller de marzo" in testapp.get("/trainings?when=past").text


def test_listing_is_paginated(testapp, dbsession):
    region = factories.RegionFactory()
    for number in range(23):
        factories.TrainingFactory(title=f"Taller número {number:02d}", region=region, starts_on=SOON,
                                  ends_on=SOON, venue=None)
    first = testapp.get(f"/trainings?region={region.id}")
    assert first.text.count("Taller número") == 20 and "Página 1 de 2" in first.text
    second = testapp.get(f"/trainings?region={region.id}&page=2")
    assert second.text.count("Taller número") == 3
    assert testapp.get(f"/trainings?region={region.id}&page=99").text.count("Taller número") == 3


@pytest.mark.parametrize("path", ["/trainings/{id}", "/api/trainings/{id}"])
def test_the_training_page_takes_a_constant_number_of_queries(testapp, dbsession, connection, path):
    small = training_with(sessions=2, speakers_per_session=1)
    large = training_with(sessions=12, speakers_per_session=3)
    dbsession.flush()
    dbsession.expire_all()
    with counting_queries(connection) as small_queries:
        testapp.get(path.format(id=small.id))
    dbsession.expire_all()
    with counting_queries(connection) as large_queries:
        testapp.get(path.format(id=large.id))
    assert len(small_queries) == len(large_queries) <= 6


def test_the_listing_takes_a_constant_number_of_queries(testapp, dbsession, connection):
    region = factories.RegionFactory()
    factories.TrainingFactory(region=region, starts_on=SOON, ends_on=SOON)
    dbsession.flush()
    dbsession.expire_all()
    with counting_queries(connection) as few:
        testapp.get(f"/trainings?country={region.country}")
    for _ in range(15):
        factories.TrainingFactory(starts_on=SOON, ends_on=SOON, region=factories.RegionFactory(),
                                  programme=factories.ProgrammeFactory())
    dbsession.flush()
    dbsession.expire_all()
    with counting_queries(connection) as many:
        testapp.get(f"/trainings?country={region.country}")
    assert len(few) == len(many) <= 6


def test_counts_read_as_sentences_in_the_singular(testapp, dbsession):
    training = factories.TrainingFactory(title="Último cupo", starts_on=SOON, capacity=10, confirmed_count=9)
    listing = testapp.get("/trainings?kind=" + training.kind.value)
    assert "1 capacitación<" in listing.text and "1 plaza disponible<" in listing.text
    assert "1 plaza disponible<" in testapp.get(f"/trainings/{training.id}").text
    assert "1 place left" in testapp.get(f"/trainings/{training.id}", headers={"Accept-Language": "en"}).text


def test_reading_public_pages_sets_no_cookie(testapp, dbsession):
    # No session for someone who only reads: nothing to store, and pages stay cacheable.
    training = factories.TrainingFactory(starts_on=SOON)
    for path in ("/", "/trainings", f"/trainings/{training.id}", "/verify"):
        assert not [value for name, value in testapp.get(path).headerlist if name == "Set-Cookie"], path


def test_pages_name_an_icon_that_exists(testapp):
    icon = testapp.get("/").html.find("link", rel="icon")["href"]
    assert testapp.get(icon).content_type == "image/svg+xml"


def test_a_training_that_has_taken_place_no_longer_offers_to_register(testapp, dbsession):
    past = dt.date.today() - dt.timedelta(days=30)
    training = factories.TrainingFactory(starts_on=past, ends_on=past)
    page = testapp.get(f"/trainings/{training.id}")
    assert "las inscripciones están cerradas" in page.text and f"/register/{training.id}" not in page.text
