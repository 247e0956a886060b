"""Public registrations hold no place until the address is confirmed; unconfirmed ones expire."""
import datetime as dt
import re

import pytest
from sqlalchemy import func, select

from participants.confirmation import ConfirmationExpired, confirm_address, drop_expired
from participants.models import Person, Registration, RegistrationSource, RegistrationStatus
from participants.signup import register_from_form
from tests import factories
from trainings.models import OutboxMessage, utcnow


def values(number: int, institution) -> dict:
    return {"given_names": f"Bot {number}", "family_names": "<b>Spam</b>", "email": f"bot{number}@example.org",
            "institution": str(institution.id), "country": "PY", "consent": True}


def test_two_hundred_unconfirmed_sign_ups_take_no_place(app_request, dbsession):
    training = factories.TrainingFactory(capacity=40)
    institution = factories.InstitutionFactory(country="PY", reviewed=True)
    for number in range(200):
        register_from_form(app_request, training, values(number, institution))
    statuses = dbsession.scalars(select(Registration.status).where(Registration.training_id == training.id)).all()
    assert len(statuses) == 200 and set(statuses) == {RegistrationStatus.unverified}
    dbsession.refresh(training)
    assert training.confirmed_count == 0 and training.places_left == 40
    mails = dbsession.scalars(select(OutboxMessage)).all()
    assert len(mails) == 200  # one confirmation each, nothing else
    assert all(mail.subject.startswith("Confirme") for mail in mails)
    assert all("<b>" not in mail.body_html and "&lt;b&gt;" in mail.body_html for mail in mails)
    # A real person who confirms takes a place straight away, ahead of all of them.
    real = register_from_form(app_request, training, values(999, institution))[0]
    assert confirm_address(app_request, real) and real.status == RegistrationStatus.confirmed
    assert training.confirmed_count == 1


def test_organisers_and_imports_need_no_confirmation(app_request, dbsession):
    training = factories.TrainingFactory(capacity=5)
    institution = factories.InstitutionFactory(country="PY")
    registration, _token = register_from_form(app_request, training, values(1, institution),
                                              source=RegistrationSource.organiser)
    assert registration.status == RegistrationStatus.confirmed and registration.confirm_by is None


def test_an_expired_confirmation_is_refused_and_dropped_with_the_person_it_created(app_request, dbsession):
    training = factories.TrainingFactory(capacity=5)
    institution = factories.InstitutionFactory(country="PY", reviewed=True)
    known = factories.PersonFactory(email="known@example.org")
    factories.RegistrationFactory(person=known)
    stranger = register_from_form(app_request, training, values(1, institution))[0]
    mine = register_from_form(app_request, training, {**values(2, institution), "email": "known@example.org"})[0]
    fresh = register_from_form(app_request, training, values(3, institution))[0]
    for registration in (stranger, mine):
        registration.confirm_by = utcnow() - dt.timedelta(minutes=1)
    dbsession.flush()
    with pytest.raises(ConfirmationExpired):
        confirm_address(app_request, stranger)
    stranger_id, person_id, fresh_id = stranger.id, stranger.person_id, fresh.id
    assert drop_expired(dbsession) == 2
    assert dbsession.get(Registration, stranger_id) is None and dbsession.get(Person, person_id) is None
    assert dbsession.get(Person, known.id) is not None  # known to the registry: kept
    assert dbsession.get(Registration, fresh_id).status == RegistrationStatus.unverified
    assert dbsession.scalar(select(func.count(Registration.id)).where(Registration.training_id == training.id)) == 1


def test_the_worker_drops_expired_registrations(app):
    assert "drop_unconfirmed_registrations" in app.registry["worker_tasks"]


def test_signing_up_again_before_confirming_sends_a_new_confirmation(app_request, dbsession):
    training = factories.TrainingFactory(capacity=5)
    institution = factories.InstitutionFactory(country="PY", reviewed=True)
    first = register_from_form(app_request, training, values(1, institution))[0]
    again = register_from_form(app_request, training, values(1, institution))[0]
    assert again.id == first.id and again.status == RegistrationStatus.unverified
    assert dbsession.scalar(select(func.count(OutboxMessage.id))) == 2


def test_rate_limits_per_address_and_per_training(testapp, dbsession, app):
    training = factories.TrainingFactory(capacity=50)
    institution = factories.InstitutionFactory(country="PY", reviewed=True)

    def sign_up(email, status=302):
        page = testapp.get(f"/register/{training.id}")
        form = page.forms["form"]
        for name, value in {**values(0, institution), "email": email, "consent": True, "sex": "female",
                            "position": "", "preferred_language": "es", "id_document": ""}.items():
            form[name] = value
        return form.submit("submit", status=status)

    for _ in range(3):
        sign_up("same@example.org")
    refused = sign_up("same@example.org", status=400)
    assert "varias veces" in refused.text
    throttle = app.registry["throttles"]["registration_training"]
    while throttle.hit(str(training.id)):
        pass
    refused = sign_up("other@example.org", status=400)
    assert re.search("demasiadas inscripciones", refused.text, re.IGNORECASE)
    assert dbsession.scalar(select(Person).where(Person.email == "other@example.org")) is None
