"""The reminder before a training: due `reminder_days` before the first session, sent once to
each confirmed person (in their language, through the outbox and a real SMTP server), never to
drafts, cancelled or started trainings, nor to people the organisers chose not to email; a
training that moves is reminded at its new moment."""
import datetime as dt
import threading
from zoneinfo import ZoneInfo

import icalendar
import pytest
from pyramid.scripting import prepare
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from participants import registrations
from participants.models import (
    EarlierPrivateLink,
    Person,
    Registration,
    RegistrationRole,
    RegistrationStatus,
    ReminderSent,
)
from participants.reminders import queue_due_reminders, reminder_status
from participants.tokens import registration_by_token
from tests import factories
from trainings.models import OutboxMessage, Region, Training, TrainingSession, TrainingStatus, WorkerTask, utcnow
from trainings.timezones import combine_local
from trainings.worker import Worker

LIMA = ZoneInfo("America/Lima")


def tomorrow_in_lima() -> dt.date:
    return dt.datetime.now(LIMA).date() + dt.timedelta(days=1)


@pytest.fixture
def training(dbsession):
    """A published training whose first session starts tomorrow at 09:00 in Lima: its reminder
    (two days before, the default) is due."""
    day = tomorrow_in_lima()
    training = factories.TrainingFactory(title="Taller <b>regional</b>", starts_on=day, ends_on=day,
                                         region=factories.RegionFactory(city="Lima", timezone="America/Lima"))
    factories.SessionFactory(training=training, title="Apertura", room="Sala 2", start=dt.time(9), end=dt.time(11))
    factories.SessionFactory(training=training, title="Casos", start=dt.time(14), end=dt.time(16))
    dbsession.flush()
    return training


def outbox(dbsession) -> list[OutboxMessage]:
    dbsession.flush()
    return list(dbsession.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def test_the_default_is_two_days_before_the_first_session(training):
    assert training.reminder_days == 2
    first = min(session.starts_at for session in training.sessions)
    assert training.reminder_due_at() == first - dt.timedelta(days=2)


def test_each_confirmed_person_is_reminded_once_through_smtp_in_their_language(dbsession, training, worker_request,
                                                                               smtp_server):
    ana = factories.RegistrationFactory(training=training, person=factories.PersonFactory(
        given_names="Ana", email="ana@mpfn.gob.pe"))
    wei = factories.RegistrationFactory(training=training, person=factories.PersonFactory(
        given_names="Wei", email="wei@example.cn", preferred_language="en"))
    factories.RegistrationFactory(training=training, status=RegistrationStatus.waitlisted)
    factories.RegistrationFactory(training=training, status=RegistrationStatus.cancelled)
    factories.RegistrationFactory(training=training, status=RegistrationStatus.pending)
    factories.RegistrationFactory(training=training, person=factories.PersonFactory(email=None))
    factories.RegistrationFactory(training=training, emails_off=True)
    dbsession.flush()
    worker = Worker(worker_request, dict(worker_request.registry.settings, **smtp_server.settings))
    worker.run_round()  # the task queues the reminders …
    worker.run_round()  # … and the next round delivers them
    arrived = {message["To"]: message for message in smtp_server.messages}
    assert sorted(arrived) == ["ana@mpfn.gob.pe", "wei@example.cn"]
    day = f"{training.starts_on.day}"
    spanish, english = arrived["ana@mpfn.gob.pe"], arrived["wei@example.cn"]
    assert spanish["Subject"].startswith("Recordatorio: Taller <b>regional</b>") and day in spanish["Subject"]
    assert english["Subject"].startswith("Reminder: Taller <b>regional</b>")
    text = spanish.get_body(("plain",)).get_content()
    assert "Hola, Ana" in text and "9:00" in text and "America/Lima" in text and "Sala 2" in text
    assert training.venue.name in text and "/me/" in text
    html = english.get_body(("html",)).get_content()
    assert "Taller &lt;b&gt;regional&lt;/b&gt;" in html and "Open my private page" in html
    attachment = next(part for part in spanish.iter_attachments() if part.get_filename() == "calendar.ics")
    calendar = icalendar.Calendar.from_ical(attachment.get_content())
    assert sorted(str(event["SUMMARY"]).split()[0] for event in calendar.walk("VEVENT")) == ["Apertura", "Casos"]
    assert {str(event["UID"]) for event in calendar.walk("VEVENT")} == {session.uid for session in training.sessions}
    # The private link in the email opens the registration.
    link = text.split("/me/")[1].split()[0]
    assert registration_by_token(dbsession, link).id == ana.id
    # A later run, even once its interval has passed, sends nothing again.
    with worker_request.tm:
        worker_request.dbsession.get(WorkerTask, "training_reminders").next_run_at = utcnow() - dt.timedelta(1)
    worker.run_round()
    worker.run_round()
    assert len(smtp_server.messages) == 2
    assert dbsession.scalar(select(func.count()).select_from(ReminderSent)) == 2
    assert {wei.id, ana.id} == set(dbsession.scalars(select(ReminderSent.registration_id)))


def test_a_second_run_queues_nothing(app_request, dbsession, training):
    factories.RegistrationFactory(training=training)
    assert queue_due_reminders(app_request) == 1
    assert queue_due_reminders(app_request) == 0
    assert len(outbox(dbsession)) == 1


@pytest.mark.parametrize("change", ["draft", "cancelled", "no_reminder", "started", "not_yet"])
def test_no_reminder_for_drafts_cancelled_started_or_not_yet_due(app_request, dbsession, training, change):
    factories.RegistrationFactory(training=training)
    now = utcnow()
    if change in ("draft", "cancelled"):
        training.status = TrainingStatus(change)
    elif change == "no_reminder":
        training.reminder_days = 0
    elif change == "started":
        now = min(session.starts_at for session in training.sessions) + dt.timedelta(minutes=5)
    else:
        now = training.reminder_due_at() - dt.timedelta(minutes=1)
    assert queue_due_reminders(app_request, now) == 0
    assert outbox(dbsession) == []


def test_people_the_organisers_chose_not_to_email_get_no_reminder(app_request, dbsession, training):
    quiet, _token = registrations.register(app_request, training, factories.PersonFactory(), notify=False)
    told, _token = registrations.register(app_request, training, factories.PersonFactory())
    assert (quiet.emails_off, told.emails_off) == (True, False)
    before = len(outbox(dbsession))
    # Confirmed just now, after the reminder's moment: the confirmation told them everything.
    assert queue_due_reminders(app_request) == 0
    later_training_day = training.reminder_due_at() + dt.timedelta(hours=1)
    told.confirmed_at = training.reminder_due_at() - dt.timedelta(hours=1)
    quiet.confirmed_at = told.confirmed_at
    assert queue_due_reminders(app_request, later_training_day) == 1
    assert [message.recipients for message in outbox(dbsession)[before:]] == [told.person.email]


def test_speakers_are_reminded_too(app_request, dbsession, training):
    factories.RegistrationFactory(training=training, role=RegistrationRole.speaker)
    assert queue_due_reminders(app_request) == 1


def test_a_training_that_moves_is_reminded_at_its_new_moment(app_request, dbsession, training):
    registration = factories.RegistrationFactory(training=training)
    first_day = training.reminder_due_at()
    assert queue_due_reminders(app_request, first_day) == 1
    # An hour later on the same day: the calendar update says so; no second reminder.
    for session in training.sessions:
        session.starts_at += dt.timedelta(hours=1)
        session.ends_at += dt.timedelta(hours=1)
    assert queue_due_reminders(app_request, first_day + dt.timedelta(hours=2)) == 0
    # A week later: not due now, due two days before the new day, once.
    training.ends_on += dt.timedelta(days=7)
    for session in training.sessions:
        session.starts_at += dt.timedelta(days=7)
        session.ends_at += dt.timedelta(days=7)
    training.starts_on += dt.timedelta(days=7)
    assert queue_due_reminders(app_request, first_day + dt.timedelta(hours=3)) == 0
    moved_due = training.reminder_due_at()
    assert moved_due == first_day + dt.timedelta(days=7, hours=1)
    assert queue_due_reminders(app_request, moved_due - dt.timedelta(minutes=1)) == 0
    assert queue_due_reminders(app_request, moved_due) == 1
    assert queue_due_reminders(app_request, moved_due + dt.timedelta(minutes=10)) == 0
    assert len(dbsession.scalars(select(ReminderSent).where(
        ReminderSent.registration_id == registration.id)).all()) == 2


def test_the_training_page_says_when_the_reminder_goes_and_when_it_went(organiser_app, app_request, dbsession):
    day = tomorrow_in_lima() + dt.timedelta(days=10)
    training = factories.TrainingFactory(starts_on=day, ends_on=day, region=factories.RegionFactory(
        timezone="America/Lima"))
    factories.SessionFactory(training=training, start=dt.time(9), end=dt.time(11))
    factories.RegistrationFactory(training=training)
    factories.RegistrationFactory(training=training, emails_off=True)
    dbsession.flush()
    status = reminder_status(app_request, training)
    assert (status.state, status.recipients, status.left_out, status.due_now) == ("scheduled", 1, 1, False)
    page = organiser_app.get(f"/organiser/trainings/{training.id}")
    reminder = page.html.find(id="reminder-status").get_text(" ", strip=True)
    due = combine_local(day - dt.timedelta(days=2), dt.time(9), "America/Lima")
    assert f"{due.astimezone(LIMA).day} de" in reminder and "9:00" in reminder and "1 persona" in reminder
    assert "no lo recibirá" in reminder and "Correo de recordatorio" in page.html.find("dl").get_text()
    queue_due_reminders(app_request, due)
    sent = organiser_app.get(f"/organiser/trainings/{training.id}").html.find(id="reminder-status")
    assert "Enviado a 1 persona" in sent.get_text(" ", strip=True)
    training.reminder_days = 0
    off = organiser_app.get(f"/organiser/trainings/{training.id}").html.find(id="reminder-status")
    assert "Ninguno" in off.get_text(" ", strip=True)


def test_the_reminder_line_keeps_the_training_page_within_its_statements(organiser_app, dbsession, statements):
    day = tomorrow_in_lima() + dt.timedelta(days=10)
    training = factories.TrainingFactory(starts_on=day, ends_on=day)
    factories.SessionFactory(training=training)
    for _number in range(30):
        factories.RegistrationFactory(training=training)
    count = statements.count(lambda: organiser_app.get(f"/organiser/trainings/{training.id}", status=200))
    assert count <= 8  # as every organiser page (tests/functional/test_statement_counts.py)


def test_the_training_form_sets_the_days_and_zero_turns_it_off(organiser_app, dbsession):
    training = factories.TrainingFactory()
    form = organiser_app.get(f"/organiser/trainings/{training.id}/edit").forms["form"]
    assert form["reminder_days"].value == "2"
    form["reminder_days"] = "5"
    form.submit("submit").follow()
    assert training.reminder_days == 5
    form = organiser_app.get(f"/organiser/trainings/{training.id}/edit").forms["form"]
    form["reminder_days"] = "0"
    form.submit("submit").follow()
    assert training.reminder_days == 0
    form = organiser_app.get(f"/organiser/trainings/{training.id}/edit").forms["form"]
    form["reminder_days"] = "31"
    refused = form.submit("submit", status=400)
    assert "Como máximo 30 días antes" in refused.text and training.reminder_days == 0


# --- several workers at once on PostgreSQL: committed for real --------------------------------

def _committed_training(engine, people: int) -> int:
    with Session(engine) as session, session.begin():
        region = Region(country="PE", name="Recordatorios", city="Lima", timezone="America/Lima")
        day = tomorrow_in_lima()
        training = Training(title="Recordatorios", kind="workshop", region=region, language="es", capacity=50,
                            status=TrainingStatus.published, starts_on=day, ends_on=day, confirmed_count=people)
        session.add(training)
        session.add(TrainingSession(training=training, title="Apertura",
                                    starts_at=combine_local(day, dt.time(9), "America/Lima"),
                                    ends_at=combine_local(day, dt.time(11), "America/Lima")))
        for number in range(people):
            person = Person(given_names=f"Persona {number}", family_names="Recordada",
                            email=f"recordada{number}@example.org")
            session.add(Registration(training=training, person=person, status=RegistrationStatus.confirmed,
                                     token_hash=f"{number:064d}", confirmed_at=utcnow() - dt.timedelta(days=3)))
        session.flush()
        return training.id


def _clean_up(engine, training_id: int) -> None:
    with Session(engine) as session, session.begin():
        registration_ids = list(session.scalars(select(Registration.id).where(Registration.training_id == training_id)))
        person_ids = list(session.scalars(select(Registration.person_id)
                                          .where(Registration.training_id == training_id)))
        session.execute(delete(OutboxMessage).where(OutboxMessage.recipients.like("recordada%@example.org")))
        session.execute(delete(ReminderSent).where(ReminderSent.registration_id.in_(registration_ids)))
        session.execute(delete(EarlierPrivateLink).where(EarlierPrivateLink.registration_id.in_(registration_ids)))
        session.execute(delete(Registration).where(Registration.id.in_(registration_ids)))
        session.execute(delete(Person).where(Person.id.in_(person_ids)))
        training = session.get(Training, training_id)
        region_id = training.region_id
        session.execute(delete(TrainingSession).where(TrainingSession.training_id == training_id))
        session.execute(delete(Training).where(Training.id == training_id))
        session.execute(delete(Region).where(Region.id == region_id))


@pytest.mark.postgresql
def test_workers_running_at_once_remind_each_person_once(app, engine):
    people, workers = 12, 4
    training_id = _committed_training(engine, people)
    barrier, counts, errors = threading.Barrier(workers), [], []

    def work():
        env = prepare(registry=app.registry)
        try:
            with Session(engine) as session, session.begin():
                env["request"].environ["app.dbsession"] = session
                barrier.wait()
                counts.append(queue_due_reminders(env["request"]))
        except Exception as error:  # noqa: BLE001 (reported below)
            errors.append(error)
        finally:
            env["closer"]()

    try:
        threads = [threading.Thread(target=work) for _ in range(workers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert errors == [] and sum(counts) == people
        with Session(engine) as session:
            recipients = list(session.scalars(select(OutboxMessage.recipients)
                                              .where(OutboxMessage.recipients.like("recordada%@example.org"))))
        assert len(recipients) == people and len(set(recipients)) == people
    finally:
        _clean_up(engine, training_id)


def test_a_duplicate_keeps_the_reminder_setting(dbsession, training):
    from trainings.services.duplicate import duplicate_training

    training.reminder_days = 5
    copy = duplicate_training(dbsession, training, region=training.region,
                              starts_on=training.starts_on + dt.timedelta(days=30))
    assert copy.reminder_days == 5
    training.reminder_days = 0
    assert duplicate_training(dbsession, training, region=training.region,
                              starts_on=training.starts_on + dt.timedelta(days=60)).reminder_days == 0


@pytest.mark.parametrize(("chosen", "kept"), [(None, 0), (0, 0), (3, 3)])
def test_a_new_training_keeps_the_reminder_chosen_even_none(dbsession, chosen, kept):
    from trainings.services.schedule import TrainingDetails, create_training

    region = factories.RegionFactory()
    training = create_training(dbsession, TrainingDetails(
        title="Nuevo", kind="workshop", region_id=region.id, starts_on=dt.date(2030, 1, 1),
        ends_on=dt.date(2030, 1, 1), capacity=10, reminder_days=chosen))
    dbsession.expire(training)
    assert training.reminder_days == kept
