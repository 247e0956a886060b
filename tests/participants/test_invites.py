"""Calendar invites (iTIP over iMIP) queued in the outbox on registration and schedule events,
read back with vobject — an iCalendar parser independent of the library that wrote them."""
import datetime as dt
import email

import pytest
import vobject
from sqlalchemy import select

from participants import registrations
from participants.events import RegistrationCancelled
from participants.models import Person, RegistrationStatus
from tests import factories
from tests.trainings.calendar.support import training_page_route  # noqa: F401
from trainings.events import SessionCancelled, SessionsChanged, TrainingCancelled, TrainingPublished
from trainings.mail import build_email
from trainings.models import Language, OutboxMessage, SessionSpeaker, SpeakerRole, Training, TrainingStatus
from trainings.services import places, schedule

SENDER = "Capacita <no-reply@capacita.test>"




@pytest.fixture
def training(dbsession):
    training = factories.TrainingFactory(title="Taller: trata de personas, Cusco", programme__name="Programa Ñ")
    factories.SessionFactory(training=training, title="Apertura", start=dt.time(9), end=dt.time(11))
    factories.SessionFactory(training=training, title="Casos prácticos", start=dt.time(14), end=dt.time(17))
    return training


def outbox(dbsession) -> list[OutboxMessage]:
    dbsession.flush()
    return list(dbsession.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def calendar_of(message: OutboxMessage):
    return vobject.readOne(message.calendar)


def test_confirmation_sends_a_request_with_organizer_attendee_and_every_session(app_request, dbsession, training):
    person = factories.PersonFactory(given_names="Ana María", family_names="Huamán", email="ana@mpfn.gob.pe")
    registrations.register(app_request, training, person)
    # One iTIP message per session (RFC 5546: one UID per message).
    messages = outbox(dbsession)
    assert [message.subject for message in messages] == [
        f"Invitación: {session.title} — {training.title}" for session in training.sessions]
    uids = []
    for message, session in zip(messages, training.sessions, strict=True):
        assert message.recipients == "ana@mpfn.gob.pe"
        assert message.calendar_method == "REQUEST"
        assert session.title in message.body_text and session.title in message.body_html
        calendar = calendar_of(message)
        assert calendar.method.value == "REQUEST"
        [event] = calendar.vevent_list
        uids.append(event.uid.value)
    assert uids == [session.uid for session in training.sessions]
    message = messages[0]
    for event in calendar.vevent_list:
        assert event.organizer.value == "mailto:no-reply@capacita.test"
        assert event.organizer.params["CN"] == ["Programa Ñ"]
        assert event.attendee.value == "mailto:ana@mpfn.gob.pe"
        assert event.attendee.params["CN"] == ["Ana María Huamán"]
        assert event.attendee.params["PARTSTAT"] == ["NEEDS-ACTION"]
        assert event.attendee.params["RSVP"] == ["FALSE"]

    parsed = email.message_from_bytes(bytes(build_email(message, SENDER)))
    parts = {part.get_content_type(): part for part in parsed.walk()}
    assert {"text/plain", "text/html", "text/calendar"} <= set(parts)
    assert parts["text/calendar"].get_param("method") == "REQUEST"
    attached = vobject.readOne(parts["text/calendar"].get_payload(decode=True).decode("utf-8"))
    assert attached.vevent.uid.value in {session.uid for session in training.sessions}


def test_choosing_not_to_email_sends_no_invitation_either(app_request, dbsession, training):
    quiet = factories.PersonFactory(email="callado@mpfn.gob.pe")
    registration, _ = registrations.register(app_request, training, quiet, approved=True, notify=False)
    assert registration.status == RegistrationStatus.confirmed
    registrations.register_many(app_request, training, [factories.PersonFactory(), factories.PersonFactory()],
                                notify=False)
    assert outbox(dbsession) == []
    # The same registrations with emails allowed do invite: the test above can fail.
    registrations.register_many(app_request, training, [factories.PersonFactory(email="avisada@mpfn.gob.pe")])
    assert {(message.recipients, message.calendar_method) for message in outbox(dbsession)} == {
        ("avisada@mpfn.gob.pe", "REQUEST")}


def test_a_place_given_without_email_invites_nobody(app_request, dbsession, training):
    """A promotion from the waitlist without notifying (an organiser's quiet choice) sends no
    invitation; the next one, notified, does."""
    training.capacity = 1
    first, _ = registrations.register(app_request, training, factories.PersonFactory())
    quiet, _ = registrations.register(app_request, training, factories.PersonFactory(email="quiet@mpfn.gob.pe"))
    told, _ = registrations.register(app_request, training, factories.PersonFactory(email="told@mpfn.gob.pe"))
    assert (quiet.status, told.status) == (RegistrationStatus.waitlisted, RegistrationStatus.waitlisted)
    registrations.cancel(app_request, first, notify=False)
    assert quiet.status == RegistrationStatus.confirmed
    registrations.cancel(app_request, quiet)
    assert told.status == RegistrationStatus.confirmed
    requests = [m.recipients for m in outbox(dbsession) if m.calendar_method == "REQUEST"]
    assert list(dict.fromkeys(requests)) == [first.person.email, "told@mpfn.gob.pe"]


def test_invites_speak_the_recipients_language_and_skip_people_without_email(app_request, dbsession, training):
    french = factories.PersonFactory(email="claire@example.org", preferred_language=Language.fr)
    registrations.register(app_request, training, french)
    registrations.register(app_request, training, factories.PersonFactory(email=None))
    message, _second = outbox(dbsession)
    assert message.language == "fr"
    assert message.subject == f"Invitation : Apertura — {training.title}"
    assert "Votre place" in message.body_text


def test_a_changed_session_sends_an_updated_request_with_a_higher_sequence(app_request, dbsession, training):
    confirmed = factories.RegistrationFactory(training=training, person__email="luis@pnp.gob.pe")
    factories.RegistrationFactory(training=training, status=RegistrationStatus.waitlisted)
    first = training.sessions[0]
    app_request.registry.notify(TrainingPublished(app_request, training))
    invitations = outbox(dbsession)
    before = {calendar_of(invitation).vevent.uid.value: int(calendar_of(invitation).vevent.sequence.value)
              for invitation in invitations}

    first.title, first.sequence = "Apertura (nuevo horario)", first.sequence + 1
    app_request.registry.notify(SessionsChanged(app_request, training, [first]))
    [update] = outbox(dbsession)[2:]
    assert update.recipients == confirmed.person.email
    assert update.calendar_method == "REQUEST"
    assert update.subject.startswith("Actualizado:")
    [event] = calendar_of(update).vevent_list
    assert event.uid.value == first.uid
    assert int(event.sequence.value) == before[first.uid] + 1
    assert event.summary.value.startswith("Apertura (nuevo horario)")


def test_a_session_added_to_a_published_training_is_sent_to_invitees(app_request, dbsession, training):
    registration = factories.RegistrationFactory(training=training, person__email="luis@pnp.gob.pe")
    added = schedule.add_session(app_request, training, schedule.SessionDetails(
        title="Clausura", day=training.starts_on, start=dt.time(17), end=dt.time(18)))
    [update] = outbox(dbsession)
    assert (update.recipients, update.calendar_method) == (registration.person.email, "REQUEST")
    assert update.subject == f"Actualizado: Clausura — {training.title}"
    assert "Clausura" in update.body_text and "Apertura" not in update.body_text
    [event] = calendar_of(update).vevent_list
    assert (event.uid.value, int(event.sequence.value)) == (added.uid, 0)


def test_renaming_a_training_updates_every_invitation(app_request, dbsession, training):
    registration = factories.RegistrationFactory(training=training)
    requested = registrations_request(app_request, dbsession, registration)
    details = schedule.TrainingDetails(
        title="Taller: trata de personas y tráfico de migrantes", kind=training.kind, region_id=training.region_id,
        starts_on=training.starts_on, ends_on=training.ends_on, capacity=training.capacity,
        programme_id=training.programme_id, venue_id=training.venue_id)
    schedule.update_training(app_request, training, details)
    updates = outbox(dbsession)[2:]
    assert [update.subject for update in updates] == [
        f"Actualizado: {session.title} — Taller: trata de personas y tráfico de migrantes"
        for session in training.sessions]
    events = [calendar_of(update).vevent for update in updates]
    assert {event.uid.value for event in events} == set(requested)
    for event in events:
        assert int(event.sequence.value) == requested[event.uid.value] + 1
        assert event.summary.value.endswith("— Taller: trata de personas y tráfico de migrantes")


def test_a_new_venue_address_updates_the_invitations_of_trainings_to_come(app_request, dbsession, training):
    registration = factories.RegistrationFactory(training=training)
    past = factories.TrainingFactory(venue=training.venue, region=training.region,
                                     starts_on=dt.date.today() - dt.timedelta(days=30),
                                     ends_on=dt.date.today() - dt.timedelta(days=30))
    factories.SessionFactory(training=past)
    factories.RegistrationFactory(training=past)
    venue = training.venue
    places.save_venue(app_request, {"region_id": venue.region_id, "name": venue.name, "address": "Jr. Lampa 545",
                                    "latitude": None, "longitude": None}, venue)
    updates = outbox(dbsession)  # the past training's participant is told nothing
    assert len(updates) == len(training.sessions)
    for update in updates:
        assert update.recipients == registration.person.email and update.calendar_method == "REQUEST"
        event = calendar_of(update).vevent
        assert "Jr. Lampa 545" in event.location.value and int(event.sequence.value) == 1


def test_a_cancelled_session_sends_cancel_with_a_sequence_above_the_last_request(app_request, dbsession, training):
    registration = factories.RegistrationFactory(training=training)
    session = training.sessions[1]
    requested = registrations_request(app_request, dbsession, registration)[session.uid]
    session.cancelled = True
    app_request.registry.notify(SessionCancelled(app_request, session))
    [cancel] = outbox(dbsession)[2:]
    assert cancel.calendar_method == "CANCEL"
    calendar = calendar_of(cancel)
    assert calendar.method.value == "CANCEL"
    [event] = calendar.vevent_list
    assert event.uid.value == session.uid
    assert event.status.value == "CANCELLED"
    assert int(event.sequence.value) > requested
    assert event.attendee.value == f"mailto:{registration.person.email}"
    # The training goes on: the subject says a session, not the training, is off.
    assert cancel.subject == f"Sesión cancelada: {session.title} — {training.title}"


def registrations_request(app_request, dbsession, registration) -> dict[str, int]:
    """The invitations of every session: SEQUENCE by UID."""
    from participants.invites import invite

    events = [vobject.readOne(message.calendar).vevent for message in invite(app_request, registration)]
    return {event.uid.value: int(event.sequence.value) for event in events}


def test_a_cancelled_registration_cancels_every_session_for_that_person(app_request, dbsession, training):
    person = factories.PersonFactory(email="rosa@minjus.gob.pe")
    registration, _ = registrations.register(app_request, training, person)
    registrations.cancel(app_request, registration)
    messages = outbox(dbsession)
    assert [message.calendar_method for message in messages] == ["REQUEST", "REQUEST", "CANCEL", "CANCEL"]
    requested = {calendar_of(m).vevent.uid.value: int(calendar_of(m).vevent.sequence.value) for m in messages[:2]}
    cancelled = {calendar_of(m).vevent.uid.value: int(calendar_of(m).vevent.sequence.value) for m in messages[2:]}
    assert set(cancelled) == {s.uid for s in training.sessions}
    for message in messages[2:]:
        assert message.recipients == "rosa@minjus.gob.pe"
        assert "cancelada" in message.body_text
    # The CANCEL outranks the invitation the person accepted, though the sessions did not change…
    assert all(cancelled[uid] == requested[uid] + 1 for uid in requested)
    # …and registering again invites with a SEQUENCE above the CANCEL, or calendars ignore it.
    registrations.register(app_request, training, person)
    again = {calendar_of(m).vevent.uid.value: int(calendar_of(m).vevent.sequence.value)
             for m in outbox(dbsession)[4:]}
    assert all(again[uid] == cancelled[uid] + 1 for uid in cancelled)
    registrations.cancel(app_request, registration)
    last = {calendar_of(m).vevent.uid.value: int(calendar_of(m).vevent.sequence.value)
            for m in outbox(dbsession)[6:]}
    assert all(last[uid] == again[uid] + 1 for uid in again)


def test_a_cancelled_training_cancels_for_everyone_once(app_request, dbsession, training):
    first = factories.RegistrationFactory(training=training)
    second = factories.RegistrationFactory(training=training)
    training.status, training.cancel_reason = TrainingStatus.cancelled, "Paro regional de transportes"
    app_request.registry.notify(TrainingCancelled(app_request, training))
    # A cancelling service may cancel the registrations too: nobody gets a second CANCEL.
    first.status = RegistrationStatus.cancelled
    app_request.registry.notify(RegistrationCancelled(app_request, first))
    messages = outbox(dbsession)
    assert sorted(message.recipients for message in messages) == sorted([first.person.email] * 2
                                                                        + [second.person.email] * 2)
    assert {message.calendar_method for message in messages} == {"CANCEL"}
    for message in messages:
        [event] = calendar_of(message).vevent_list
        session = next(session for session in training.sessions if session.uid == event.uid.value)
        # Not "Cancelado": the subject names what is cancelled, and agrees with it.
        assert message.subject == f"Capacitación cancelada: {session.title} — {training.title}"
        assert f"La capacitación «{training.title}» fue cancelada." in message.body_text


def test_a_training_cancellation_gives_the_organisers_reason_escaped_in_html(app_request, dbsession, training):
    french = factories.RegistrationFactory(training=training, person__preferred_language=Language.fr)
    spanish = factories.RegistrationFactory(training=training)
    schedule.cancel_training(app_request, training, "Paro de transportes <Cusco> & lluvias\nNueva fecha: marzo")
    by_recipient = {message.recipients: message for message in outbox(dbsession)}
    message = by_recipient[spanish.person.email]
    assert "Los organizadores indicaron este motivo:\nParo de transportes <Cusco> & lluvias\nNueva fecha: marzo" \
        in message.body_text
    assert "Paro de transportes &lt;Cusco&gt; &amp; lluvias" in message.body_html
    assert "<Cusco>" not in message.body_html
    in_french = by_recipient[french.person.email]
    assert in_french.subject == f"Formation annulée : Casos prácticos — {training.title}"
    assert f"La formation « {training.title} » a été annulée." in in_french.body_text
    assert "Les organisateurs ont donné ce motif :" in in_french.body_text


def test_a_cancelled_registration_says_so_in_its_subject(app_request, dbsession, training):
    registration, _ = registrations.register(app_request, training, factories.PersonFactory())
    registrations.cancel(app_request, registration)
    cancel = outbox(dbsession)[-1]
    assert cancel.subject == f"Inscripción cancelada: Casos prácticos — {training.title}"
    assert "motivo" not in cancel.body_text  # the training goes on: no reason to give


def test_drafts_invite_nobody_until_published(app_request, dbsession, training):
    training.status = TrainingStatus.draft
    registrations.register(app_request, training, factories.PersonFactory())
    assert outbox(dbsession) == []
    training.status = TrainingStatus.published
    app_request.registry.notify(TrainingPublished(app_request, training))
    assert [message.calendar_method for message in outbox(dbsession)] == ["REQUEST", "REQUEST"]


def test_a_training_that_is_over_sends_no_invitations(app_request, dbsession):
    """People registered after the training (to receive a certificate) get no invitation for
    its past sessions, and nothing else about its calendar either."""
    past = factories.TrainingFactory(starts_on=dt.date.today() - dt.timedelta(days=20),
                                     ends_on=dt.date.today() - dt.timedelta(days=19))
    session = factories.SessionFactory(training=past)
    registration, _ = registrations.register(app_request, past, factories.PersonFactory())
    registrations.register_many(app_request, past, [factories.PersonFactory()])
    assert registration.status == RegistrationStatus.confirmed
    app_request.registry.notify(TrainingPublished(app_request, past))
    session.sequence += 1
    app_request.registry.notify(SessionsChanged(app_request, past, [session]))
    registrations.cancel(app_request, registration)
    assert outbox(dbsession) == []
    # The same registration for a training to come is invited: the test above can fail.
    upcoming = factories.TrainingFactory()
    factories.SessionFactory(training=upcoming)
    registrations.register(app_request, upcoming, registration.person)
    [message] = outbox(dbsession)
    assert message.calendar_method == "REQUEST"


def test_plain_text_is_not_html_escaped_but_html_is(app_request, dbsession):
    training = factories.TrainingFactory(title="Trata & explotación <laboral>")
    factories.SessionFactory(training=training, title="Víctimas & testigos")
    registrations.register(app_request, training, factories.PersonFactory())
    [message] = outbox(dbsession)
    assert "«Trata & explotación <laboral>»" in message.body_text
    assert "Víctimas & testigos" in message.body_text
    assert "Trata &amp; explotación &lt;laboral&gt;" in message.body_html
    assert "<laboral>" not in message.body_html


def test_the_venue_line_names_the_city_once(app_request, dbsession, training):
    training.venue = factories.VenueFactory(region=training.region, name="Auditorio Regional",
                                            address=f"Jr. Raymondi 220, {training.region.city}")
    registrations.register(app_request, training, factories.PersonFactory(email="ana@mpfn.gob.pe"))
    message = outbox(dbsession)[0]
    line = f"Auditorio Regional, Jr. Raymondi 220, {training.region.city}"
    assert f"Sede: {line}\n" in message.body_text and f"Sede: {line}</p>" in message.body_html


def test_people_still_waiting_are_told_when_the_training_is_cancelled(app_request, dbsession, training):
    training.capacity = 1
    confirmed, _token = registrations.register(app_request, training, factories.PersonFactory())
    waiting, _token = registrations.register(
        app_request, training, factories.PersonFactory(preferred_language=Language.en, email="w@example.org"))
    assert waiting.status == RegistrationStatus.waitlisted
    before = len(outbox(dbsession))
    schedule.cancel_training(app_request, training, "Road block <Cusco>")
    by_recipient = {}
    for message in outbox(dbsession)[before:]:
        by_recipient.setdefault(message.recipients, []).append(message)
    [told] = by_recipient["w@example.org"]
    assert told.subject == f"Training cancelled: {training.title}"
    assert told.calendar_method is None
    assert "The organisers cancelled this training: it will not take place." in told.body_text
    assert "you need do nothing" in told.body_text and "waiting list" not in told.body_text
    assert "Road block &lt;Cusco&gt;" in told.body_html and "<Cusco>" not in told.body_html
    assert {message.calendar_method for message in by_recipient[confirmed.person.email]} == {"CANCEL"}


def test_a_move_sends_one_moved_email_and_calendar_messages_that_say_moved(app_request, dbsession, training):
    from participants.notifications import send_registration_mail

    person = factories.PersonFactory(preferred_language=Language.en, email="m@example.org")
    registration, _token = registrations.register(app_request, training, person)
    target = factories.TrainingFactory(title="Taller de Puno")
    before = len(outbox(dbsession))
    moved, token = registrations.move(app_request, registration, target)
    send_registration_mail(app_request, moved, token, reason="moved")  # what the move page sends
    subjects = [message.subject for message in outbox(dbsession)[before:] if message.recipients == "m@example.org"]
    assert not any("cancelled" in subject.lower() for subject in subjects)
    assert subjects.count("Your registration was moved: Taller de Puno") == 1
    assert f"Moved to another training: Apertura — {training.title}" in subjects


def test_the_invitations_read_the_speakers_once_however_many_sessions(app_request, dbsession, statements):
    """Each invitation lists its session's speakers: read for every session at once, so a
    registration to a training of six sessions reads no more than one to a training of two."""
    def reads_for(sessions: int) -> int:
        training = factories.TrainingFactory()
        for number in range(sessions):
            session = factories.SessionFactory(training=training, start=dt.time(8 + number), end=dt.time(9 + number))
            dbsession.add(SessionSpeaker(session=session, role=SpeakerRole.speaker, person=factories.PersonFactory(
                institution=factories.InstitutionFactory())))
        person = factories.PersonFactory()
        training_id, person_id = training.id, person.id
        statements.count(lambda: None)  # flushed and emptied: nothing is served from the test's session

        def register():
            registrations.register(app_request, dbsession.get(Training, training_id), dbsession.get(Person, person_id))
            dbsession.flush()

        statements.count(register)
        assert len(outbox_of(dbsession, person_id)) == sessions
        return sum(1 for statement in statements.statements if statement.lstrip().upper().startswith("SELECT"))

    assert reads_for(6) == reads_for(2)


def outbox_of(dbsession, person_id: int) -> list[OutboxMessage]:
    email_address = dbsession.get(Person, person_id).email
    return [message for message in outbox(dbsession) if message.recipients == email_address]
