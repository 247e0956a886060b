import datetime

import pytest

from participants.events import RegistrationCancelled, RegistrationConfirmed
from participants.models import RegistrationRole, RegistrationStatus
from participants.registrations import AlreadyRegistered, approve, cancel, register
from participants.tokens import hash_token
from tests import factories


@pytest.fixture
def events(app_request):
    seen = []
    original = app_request.registry.notify

    def notify(event):
        if isinstance(event, RegistrationCancelled | RegistrationConfirmed):
            seen.append(event)
        return original(event)

    app_request.registry.notify = notify
    yield seen
    app_request.registry.notify = original


def test_registrations_beyond_capacity_wait_in_arrival_order(app_request, events):
    training = factories.TrainingFactory(capacity=2)
    people = factories.PersonFactory.create_batch(4)
    statuses = [register(app_request, training, person)[0].status for person in people]
    assert statuses == [RegistrationStatus.confirmed] * 2 + [RegistrationStatus.waitlisted] * 2
    assert training.confirmed_count == 2 and training.places_left == 0
    assert [type(event) for event in events] == [RegistrationConfirmed] * 2


def test_cancelling_promotes_the_first_waitlisted(app_request, events):
    training = factories.TrainingFactory(capacity=1)
    first, second, third = (register(app_request, training, person)[0]
                            for person in factories.PersonFactory.create_batch(3))
    promoted = cancel(app_request, first)
    assert promoted == [second] and second.status == RegistrationStatus.confirmed
    assert third.status == RegistrationStatus.waitlisted and training.confirmed_count == 1
    assert isinstance(events[-2], RegistrationCancelled) and isinstance(events[-1], RegistrationConfirmed)


def test_approval_holds_participants_until_an_organiser_approves(app_request, events):
    training = factories.TrainingFactory(capacity=5, requires_approval=True)
    registration, _ = register(app_request, training, factories.PersonFactory())
    assert registration.status == RegistrationStatus.pending and training.confirmed_count == 0
    approve(app_request, registration)
    assert registration.status == RegistrationStatus.confirmed and training.confirmed_count == 1


def test_speakers_do_not_take_places(app_request, events):
    training = factories.TrainingFactory(capacity=1, requires_approval=True)
    registration, _ = register(app_request, training, factories.PersonFactory(), role=RegistrationRole.speaker)
    assert registration.status == RegistrationStatus.confirmed and training.confirmed_count == 0


def test_registering_twice_is_refused_but_a_cancelled_registration_revives(app_request, events):
    training = factories.TrainingFactory()
    person = factories.PersonFactory()
    registration, token = register(app_request, training, person)
    assert registration.token_hash == hash_token(token) and len(token) >= 43
    with pytest.raises(AlreadyRegistered):
        register(app_request, training, person)
    cancel(app_request, registration)
    revived, new_token = register(app_request, training, person)
    assert revived is registration and revived.status == RegistrationStatus.confirmed and new_token != token


def test_promotion_and_approval_email_a_fresh_private_link(app_request, dbsession, events):
    from sqlalchemy import select

    from trainings.models import OutboxMessage

    training = factories.TrainingFactory(capacity=1)
    first, waiting = (register(app_request, training, person)[0] for person in factories.PersonFactory.create_batch(2))
    old_hash = waiting.token_hash
    cancel(app_request, first)
    [mail] = dbsession.scalars(select(OutboxMessage)).all()
    assert mail.recipients == waiting.person.email and waiting.token_hash != old_hash
    token = mail.body_text.split("/me/")[1].split()[0]
    assert hash_token(token) == waiting.token_hash
    approval = factories.TrainingFactory(requires_approval=True)
    pending, _token = register(app_request, approval, factories.PersonFactory(preferred_language="fr"))
    approve(app_request, pending)
    last = dbsession.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc())).first()
    assert last.recipients == pending.person.email and last.language == "fr"
    assert last.subject.startswith("Votre inscription a été approuvée") and "Bonjour" in last.body_text


def test_waitlist_position_and_move(app_request, dbsession, events):
    from participants.registrations import CannotMove, move, waitlist_position

    training = factories.TrainingFactory(capacity=1)
    regs = [register(app_request, training, person)[0] for person in factories.PersonFactory.create_batch(3)]
    assert [waitlist_position(dbsession, r) for r in regs] == [None, 1, 2]
    other = factories.TrainingFactory(capacity=3)
    moved, token = move(app_request, regs[0], other)
    assert moved.status == RegistrationStatus.confirmed and regs[0].status == RegistrationStatus.cancelled
    assert regs[1].status == RegistrationStatus.confirmed and waitlist_position(dbsession, regs[2]) == 1
    with pytest.raises(CannotMove):
        move(app_request, moved, other)
    register(app_request, other, regs[2].person)
    with pytest.raises(AlreadyRegistered):
        move(app_request, regs[2], other)


def test_the_subject_says_where_the_person_stands(app_request, dbsession, events):
    from sqlalchemy import select

    from participants.notifications import send_registration_mail
    from trainings.models import OutboxMessage

    training = factories.TrainingFactory(capacity=1, title="Taller de Tacna")
    confirmed, token = register(app_request, training, factories.PersonFactory())
    waiting, waiting_token = register(app_request, training, factories.PersonFactory())
    approval = factories.TrainingFactory(requires_approval=True, title="Seminario de Puno")
    pending, pending_token = register(app_request, approval, factories.PersonFactory())
    for registration, link in ((confirmed, token), (waiting, waiting_token), (pending, pending_token)):
        send_registration_mail(app_request, registration, link, reason="organiser")
    send_registration_mail(app_request, waiting, waiting_token)
    dbsession.flush()
    subjects = [mail.subject for mail in dbsession.scalars(select(OutboxMessage).order_by(OutboxMessage.id))]
    assert subjects == ["Está inscrito: Taller de Tacna", "Está en la lista de espera: Taller de Tacna",
                        "Su inscripción espera aprobación: Seminario de Puno",
                        "Está en la lista de espera: Taller de Tacna"]


def test_the_waiting_list_of_a_training_that_is_over_promises_nothing(app_request, dbsession, events):
    from participants.notifications import send_registration_mail

    past = factories.TrainingFactory(capacity=1, starts_on=datetime.date.today() - datetime.timedelta(days=9),
                                     ends_on=datetime.date.today() - datetime.timedelta(days=8))
    register(app_request, past, factories.PersonFactory())
    waiting, token = register(app_request, past, factories.PersonFactory())
    assert waiting.status == RegistrationStatus.waitlisted
    mail = send_registration_mail(app_request, waiting, token, reason="organiser")
    assert "ya se realizó: su inscripción quedó en la lista de espera" in mail.body_text
    assert "Le escribiremos" not in mail.body_text and "Le escribiremos" not in mail.body_html
    upcoming = factories.TrainingFactory(capacity=1)
    register(app_request, upcoming, factories.PersonFactory())
    waiting, token = register(app_request, upcoming, factories.PersonFactory())
    assert "Le escribiremos" in send_registration_mail(app_request, waiting, token).body_text


def test_the_form_service_refuses_after_the_deadline_even_when_the_page_let_it_through(app_request, dbsession):
    from participants.signup import register_from_form
    from trainings.forms import FieldErrors

    training = factories.TrainingFactory(registration_deadline=datetime.date.today() - datetime.timedelta(days=2),
                                         ends_on=datetime.date.today() + datetime.timedelta(days=30),
                                         starts_on=datetime.date.today() + datetime.timedelta(days=29))
    values = {"given_names": "Ana", "family_names": "Rojas", "email": "ana@x.org",
              "institution": str(factories.InstitutionFactory().id)}
    with pytest.raises(FieldErrors) as refusal:
        register_from_form(app_request, training, values)
    assert "cerraron el" in app_request.localizer.translate(refusal.value.errors[None])
