"""The JSON read API: published and cancelled trainings only, the listing's filters, pages
with a next link, and times in ISO 8601 with the offset of the region's zone."""
import datetime as dt

from tests import factories
from trainings.models import SessionSpeaker, TrainingKind, TrainingStatus

SOON = dt.date.today() + dt.timedelta(days=20)


def test_a_training_with_its_sessions_in_local_time_with_offsets(testapp, dbsession):
    asuncion = factories.RegionFactory(country="PY", name="Asunción", timezone="America/Asuncion")
    training = factories.TrainingFactory(region=asuncion, starts_on=dt.date(2026, 12, 1),
                                         ends_on=dt.date(2026, 12, 2), title="Seminario de alto nivel")
    session = factories.SessionFactory(training=training, title="Fronteras", start=dt.time(9), end=dt.time(10, 30))
    session.speakers.append(SessionSpeaker(person=factories.PersonFactory(
        given_names="Rosa", family_names="Benítez", institution=factories.InstitutionFactory(name="Fiscalía"))))
    dbsession.flush()
    document = testapp.get(f"/api/trainings/{training.id}").json
    assert document["timezone"] == "America/Asuncion" and document["status"] == "published"
    assert document["url"] == f"http://capacita.test/trainings/{training.id}"
    assert document["sessions"][0]["starts_at"] == "2026-12-01T09:00:00-03:00"
    assert document["sessions"][0]["ends_at"] == "2026-12-01T10:30:00-03:00"
    assert document["sessions"][0]["speakers"] == [{"name": "Rosa Benítez", "role": "speaker",
                                                   "institution": "Fiscalía"}]
    assert document["sessions"][0]["uid"] == session.uid


def test_lima_times_carry_lima_offset(testapp, dbsession):
    session = factories.SessionFactory(training__starts_on=dt.date(2026, 12, 1), start=dt.time(14), end=dt.time(15))
    document = testapp.get(f"/api/trainings/{session.training_id}").json
    assert document["sessions"][0]["starts_at"] == "2026-12-01T14:00:00-05:00"


def test_the_listing_filters_like_the_public_page(testapp, dbsession):
    paraguay = factories.TrainingFactory(region=factories.RegionFactory(country="PY", timezone="America/Asuncion"),
                                         kind=TrainingKind.seminar, offered_languages="es fr", starts_on=SOON)
    peru = factories.TrainingFactory(starts_on=SOON)
    factories.TrainingFactory(starts_on=SOON, status=TrainingStatus.draft)
    cancelled = factories.TrainingFactory(starts_on=SOON, status=TrainingStatus.cancelled)

    def ids(query=""):
        return {item["id"] for item in testapp.get(f"/api/trainings?{query}").json["trainings"]}

    assert ids() == {paraguay.id, peru.id, cancelled.id}
    assert ids("country=PY") == {paraguay.id}
    assert ids(f"region={peru.region_id}") == {peru.id}
    assert ids(f"programme={peru.programme_id}") == {peru.id}
    assert ids("kind=seminar") == {paraguay.id}
    assert ids("language=fr") == {paraguay.id}
    assert ids(f"month={SOON:%Y-%m}") == {paraguay.id, peru.id, cancelled.id}
    assert ids(f"month={SOON + dt.timedelta(days=70):%Y-%m}") == set()
    response = testapp.get("/api/trainings?month=yesterday").json
    assert response["ignored_filters"] == ["month"]


def test_the_listing_is_paginated_with_a_next_link(testapp, dbsession):
    region = factories.RegionFactory()
    for _ in range(25):
        factories.TrainingFactory(region=region, starts_on=SOON, venue=None)
    first = testapp.get(f"/api/trainings?region={region.id}").json
    assert (len(first["trainings"]), first["total"], first["pages"]) == (20, 25, 2)
    assert first["previous"] is None and f"region={region.id}" in first["next"] and "page=2" in first["next"]
    second = testapp.get(first["next"].removeprefix("http://capacita.test")).json
    assert len(second["trainings"]) == 5 and second["next"] is None
    assert not {t["id"] for t in first["trainings"]} & {t["id"] for t in second["trainings"]}


def test_unknown_or_draft_trainings_are_404(testapp, dbsession):
    draft = factories.TrainingFactory(status=TrainingStatus.draft)
    assert testapp.get(f"/api/trainings/{draft.id}", status=404).json == {"error": "not found"}
    testapp.get("/api/trainings/99999999", status=404)
