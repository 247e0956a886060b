"""Speakers and moderators of a session: pick a person of the registry or create one in place;
nobody speaks in two overlapping sessions anywhere in the programme."""
import datetime as dt

import pytest

from participants.models import RegistrationRole, RegistrationStatus
from participants.people import search_people
from participants.speakers import assign_speaker
from tests import factories
from tests.conftest import csrf_token_of
from trainings.forms import FieldErrors
from trainings.models import SessionSpeaker, SpeakerRole

DAY = dt.date.today() + dt.timedelta(days=10)


@pytest.fixture
def session(dbsession):
    return factories.SessionFactory(training__starts_on=DAY, title="Marco normativo")


def test_search_finds_people_by_name_or_email(dbsession):
    rosa = factories.PersonFactory(given_names="Rosa María", family_names="Benítez", email="rbenitez@mp.gov.py")
    factories.PersonFactory(given_names="Juan", family_names="Pérez")
    assert search_people(dbsession, "benítez rosa") == [rosa]
    assert search_people(dbsession, "RBENITEZ@") == [rosa]
    assert search_people(dbsession, "benitez ROSA maria") == [rosa]  # accents ignored, as everywhere


def test_a_speaker_cannot_be_in_two_overlapping_sessions(dbsession, session):
    person = factories.PersonFactory()
    assign_speaker(dbsession, session, person, "speaker")
    elsewhere = factories.SessionFactory(training__starts_on=DAY, start=dt.time(10), end=dt.time(12))
    with pytest.raises(FieldErrors):
        assign_speaker(dbsession, elsewhere, person, "moderator")
    with pytest.raises(FieldErrors):
        assign_speaker(dbsession, session, person, "moderator")  # already there
    later = factories.SessionFactory(training__starts_on=DAY, start=dt.time(11), end=dt.time(12))
    assert assign_speaker(dbsession, later, person, "moderator").role == SpeakerRole.moderator


def test_pick_an_existing_person_then_remove(organiser_app, dbsession, session):
    rosa = factories.PersonFactory(given_names="Rosa", family_names="Benítez",
                                   institution=factories.InstitutionFactory(name="Ministerio Público"))
    factories.RegistrationFactory(person=rosa)  # known to the organiser's organisation: searchable by them
    edit = organiser_app.get(f"/organiser/sessions/{session.id}/edit")
    search = edit.forms[[k for k, f in edit.forms.items() if f.action.endswith("/speakers")][0]]
    search["q"] = "Benítez"
    results = search.submit()
    assert "Ministerio Público" in results.text
    pick = [form for form in results.forms.values() if "person_id" in form.fields][0]
    edit = pick.submit("role", index=1).follow()  # "add as moderator"
    assert [(s.person.family_names, s.role) for s in session.speakers] == [("Benítez", SpeakerRole.moderator)]
    assert "Benítez" in edit.text
    # Registered for the training as moderator, taking no place: listed, and earning a certificate.
    (registration,) = [r for r in session.speakers[0].person.registrations if r.training == session.training]
    assert (registration.training, registration.role, registration.status) == (
        session.training, RegistrationRole.moderator, RegistrationStatus.confirmed)
    assert session.training.confirmed_count == 0
    speaker = session.speakers[0]
    organiser_app.post(f"/organiser/sessions/{session.id}/speakers/{speaker.id}/remove",
                       {"csrf_token": csrf_token_of(edit)}).follow()
    dbsession.expire(session)
    assert session.speakers == []


def test_create_a_person_in_place(organiser_app, dbsession, session):
    form = organiser_app.get(f"/organiser/sessions/{session.id}/speakers/new").forms["form"]
    form["given_names"], form["family_names"] = "Carlos", "Verón"
    form["email"] = "no-es-un-correo"
    assert "No es un correo electrónico válido." in form.submit("submit", status=400).text
    form["email"], form["institution"] = "CVeron@mp.gov.py", "Fiscalía General del Estado"
    form.submit("submit").follow()
    (speaker,) = session.speakers
    assert speaker.person.email == "cveron@mp.gov.py"
    assert [r.role for r in speaker.person.registrations] == [RegistrationRole.speaker]
    assert speaker.person.institution.name == "Fiscalía General del Estado"


def test_creating_an_overlapping_speaker_in_place_is_refused(organiser_app, dbsession, session):
    person = factories.PersonFactory(email="ocupada@mp.gov.py")
    other = factories.SessionFactory(training__starts_on=DAY, title="Otra sesión")
    other.speakers.append(SessionSpeaker(person=person))
    dbsession.flush()
    form = organiser_app.get(f"/organiser/sessions/{session.id}/speakers/new").forms["form"]
    form["given_names"], form["family_names"], form["email"] = "Ana", "Ocupada", "ocupada@mp.gov.py"
    page = form.submit("submit", status=400)
    assert "ya interviene en «Otra sesión»" in page.text
    assert session.speakers == []


def test_speakers_copied_with_a_duplicate_are_registered_when_it_is_published(organiser_app, dbsession):
    from trainings.models import TrainingStatus

    session = factories.SessionFactory(training__starts_on=DAY, training__status=TrainingStatus.draft)
    speaker = factories.PersonFactory()
    session.speakers.append(SessionSpeaker(person=speaker, role=SpeakerRole.speaker))  # as duplicating does
    dbsession.flush()
    overview = organiser_app.get(f"/organiser/trainings/{session.training_id}")
    overview.forms[[k for k, f in overview.forms.items() if "publish" in f.action][0]].submit().follow()
    assert [(r.training, r.role) for r in speaker.registrations] == [(session.training, RegistrationRole.speaker)]
