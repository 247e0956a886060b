"""Calendar invites by email (iTIP, RFC 5546, over iMIP, RFC 6047) and personal feeds.

Invites follow the registration and the schedule through their events: a confirmed
registration gets a METHOD:REQUEST for each session (the same UIDs as the public feeds);
a changed session an updated REQUEST with its higher SEQUENCE; a cancelled session,
registration or training a METHOD:CANCEL. One iTIP message carries one UID (RFC 5546): mail
clients (Thunderbird, Outlook) act on the first event of a message only, so every session
goes in an email of its own, and an update or cancellation reaches exactly its event. A
training that is over sends none of them (people registered afterwards, to receive a
certificate, get no invitation for past sessions).
Everything goes through the outbox, in the recipient's language, so a rolled-back change
never sends an invite.

Personal feeds: `calendar_registration` (one registration's sessions) and `calendar_person`
(every confirmed training of a person), each by a revocable, read-only token of its own
(`CalendarFeedToken`, stored hashed, shown once when made). The private link is never put in a
calendar address: calendar programs and Google/Outlook keep subscribed addresses on their
servers, and whoever holds the address must not be able to open the page, cancel or download.
"""
from __future__ import annotations

from email.utils import parseaddr

import sqlalchemy as sa
from pyramid.httpexceptions import HTTPNotFound
from pyramid.view import view_config
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, selectinload

from trainings.calendar import feeds, ics
from trainings.calendar.web import calendar_options, rendering, serve_feed
from trainings.events import SessionCancelled, SessionsChanged, TrainingCancelled, TrainingPublished
from trainings.i18n import _
from trainings.mail import default_sender, queue_mail, render_mail, speaking
from trainings.models import SessionSpeaker, Training, TrainingSession, TrainingStatus, utcnow
from trainings.security import Permission

from .events import RegistrationCancelled, RegistrationConfirmed
from .models import CalendarFeedToken, Person, Registration, RegistrationStatus
from .tokens import hash_token, new_token, registration_by_token

REQUEST, CANCEL = "REQUEST", "CANCEL"
SENT_IN_THIS_REQUEST = "capacita.invites.sent"


# --- invites -------------------------------------------------------------------------------

def organizer(request, training: Training) -> ics.Organizer:
    address = parseaddr(default_sender(request.registry.settings))[1]
    name = training.programme.name if training.programme is not None else "Capacita"
    return ics.Organizer(email=address, name=name)


def invite_calendar(request, registration: Registration, session, method: str) -> str:
    """The iTIP object of one session for the registration's person: one VEVENT, one UID."""
    person, training = registration.person, registration.training
    options = calendar_options(
        request, str(person.preferred_language), training.title, method=method,
        organizer=organizer(request, training), attendee=ics.Attendee(email=person.email, name=person.full_name),
        status="CANCELLED" if method == CANCEL else None, stamp=utcnow(),
        sequence_offset=registration.invite_revision,
    )
    return ics.build_calendar([session], options).to_ical().decode("utf-8")


def next_revision(registration: Registration, method: str) -> None:
    """A CANCEL of the person's registration must outrank the invitation they accepted, and a
    later invitation (registered again) the CANCEL; the sessions' own SEQUENCE has not moved,
    so the registration's revision does: odd after a CANCEL, even at the next invitation."""
    cancelled_last = registration.invite_revision % 2 == 1
    if (method == CANCEL) != cancelled_last:
        registration.invite_revision += 1


def _not_yet_sent(request, registration: Registration, sessions: list, method: str) -> list:
    """The same invite is not sent twice in one request (a cancelled training also cancels
    its registrations; each person gets one CANCEL)."""
    sent = request.environ.setdefault(SENT_IN_THIS_REQUEST, set())

    def key(session):
        return registration.person_id, session.uid, method, ics.effective_sequence(session) + \
            registration.invite_revision

    fresh = [session for session in sessions if key(session) not in sent]
    sent.update(map(key, fresh))
    return fresh


def queue_invite(request, registration: Registration, sessions: list, method: str, template: str,
                 subject, revise: bool = False, **values) -> list:
    """Queue one iTIP email per session to the registration's person (RFC 5546: one UID per
    message); returns them, none when there is nobody to tell. `subject` takes the session's
    and the training's titles. `revise`: the registration itself was cancelled or invited
    again, so its revision moves (see `next_revision`)."""
    person = registration.person
    if not person.email or not sessions:
        return []
    if revise:
        next_revision(registration, method)
    sessions = _not_yet_sent(request, registration, sessions, method)
    _load_speakers(request.dbsession, sessions)
    language = str(person.preferred_language)
    training = registration.training
    queued = []
    for session in sessions:
        context = dict(values, person=person, training=training, sessions=[session], zone=training.region.timezone)
        text, html = render_mail(request, f"participants/invites/mail/{template}", context, language)
        with speaking(request, language) as localizer:
            title = localizer.translate(_(subject, mapping={"session": session.title, "title": training.title}))
        queued.append(queue_mail(
            request.dbsession, to=person.email, subject=title[:300], text=text, html=html, language=language,
            calendar=invite_calendar(request, registration, session, method), calendar_method=method))
    return queued


def _load_speakers(dbsession: Session, sessions: list) -> None:
    """Every session's speakers, their persons and institutions (each invitation lists them)
    in two queries, not three per session: a registration to ten sessions wrote 34 statements."""
    ids = [session.id for session in sessions
           if session.id is not None and "speakers" in sa.inspect(session).unloaded]
    if ids:
        dbsession.scalars(select(TrainingSession).where(TrainingSession.id.in_(ids)).options(
            selectinload(TrainingSession.speakers).joinedload(SessionSpeaker.person).joinedload(Person.institution)
        )).all()


def live_sessions(training: Training) -> list:
    return [session for session in training.sessions if not session.cancelled]


def confirmed_registrations(dbsession: Session, training_id: int) -> list[Registration]:
    return list(dbsession.scalars(
        select(Registration)
        .where(Registration.training_id == training_id, Registration.status == RegistrationStatus.confirmed)
        .order_by(Registration.id)
    ))


SUBJECTS = {
    "invitation": _("Invitation: ${session} — ${title}"),
    "updated": _("Updated: ${session} — ${title}"),
    # One session is off, the training goes on: the subject must not alarm.
    "session": _("Session cancelled: ${session} — ${title}"),
    # The training goes on, without this person.
    "registration": _("Registration cancelled: ${session} — ${title}"),
    "training": _("Training cancelled: ${session} — ${title}"),
    # Moved to another training: the "moved" email says where; this one clears the calendar.
    "moved": _("Moved to another training: ${session} — ${title}"),
}


def invite(request, registration: Registration, sessions: list | None = None, updated: bool = False) -> list:
    training = registration.training
    if training.status != TrainingStatus.published:
        return []  # drafts invite nobody yet; publishing sends the invites
    if training.has_ended():
        return []  # registered afterwards (for a certificate): nothing to put in a calendar
    sessions = live_sessions(training) if sessions is None else sessions
    subject = SUBJECTS["updated" if updated else "invitation"]
    return queue_invite(request, registration, sessions, REQUEST, "request", subject, revise=not updated,
                        updated=updated)


def withdraw(request, registration: Registration, sessions: list, reason: str, **values) -> list:
    training = registration.training
    if training.has_ended():
        return []  # its sessions stay in calendars as what happened; nobody is told twice it is over
    return queue_invite(request, registration, sessions, CANCEL, "cancel", SUBJECTS[reason],
                        revise=reason in ("registration", "moved"), reason=reason, **values)


def on_registration_confirmed(event: RegistrationConfirmed):
    if not event.notify:
        return  # the organiser chose not to email this person; the private page offers the sessions
    invite(event.request, event.registration)


def on_registration_cancelled(event: RegistrationCancelled):
    registration = event.registration
    if registration.confirmed_at is None:
        return  # never confirmed, never invited
    training = registration.training
    if event.moved_to is not None:
        withdraw(event.request, registration, list(training.sessions), "moved", target=event.moved_to)
        return
    reason = "training" if training.status == TrainingStatus.cancelled else "registration"
    withdraw(event.request, registration, list(training.sessions), reason)


def on_sessions_changed(event: SessionsChanged):
    training = event.training
    changed = [session for session in event.sessions if not session.cancelled]
    if training.status != TrainingStatus.published or not changed or training.has_ended():
        return  # (a venue's new address revises every training held there, most of them past)
    for registration in confirmed_registrations(event.request.dbsession, training.id):
        invite(event.request, registration, changed, updated=True)


def on_session_cancelled(event: SessionCancelled):
    session = event.session
    if session.training.status == TrainingStatus.draft:
        return
    for registration in confirmed_registrations(event.request.dbsession, session.training_id):
        withdraw(event.request, registration, [session], "session")


def on_training_cancelled(event: TrainingCancelled):
    training = event.training
    for registration in confirmed_registrations(event.request.dbsession, training.id):
        withdraw(event.request, registration, list(training.sessions), "training")


def on_training_published(event: TrainingPublished):
    for registration in confirmed_registrations(event.request.dbsession, event.training.id):
        invite(event.request, registration)


# --- personal feeds ------------------------------------------------------------------------

def _live_feed_token(token: str):
    return CalendarFeedToken.token_hash == hash_token(token), CalendarFeedToken.revoked_at.is_(None)


def person_by_feed_token(dbsession: Session, token: str) -> Person | None:
    return dbsession.scalar(
        select(Person).join(CalendarFeedToken, CalendarFeedToken.person_id == Person.id)
        .where(*_live_feed_token(token), CalendarFeedToken.registration_id.is_(None))
    )


def registration_by_feed_token(dbsession: Session, token: str) -> Registration | None:
    return dbsession.scalar(
        select(Registration).join(CalendarFeedToken, CalendarFeedToken.registration_id == Registration.id)
        .where(*_live_feed_token(token))
    )


def _feed_tokens(person_id: int, registration_id: int | None):
    which = (CalendarFeedToken.registration_id == registration_id if registration_id is not None
             else CalendarFeedToken.registration_id.is_(None))
    return CalendarFeedToken.person_id == person_id, which, CalendarFeedToken.revoked_at.is_(None)


def has_personal_feed(dbsession: Session, person_id: int, registration_id: int | None = None) -> bool:
    return dbsession.scalar(
        select(func.count(CalendarFeedToken.id)).where(*_feed_tokens(person_id, registration_id))) > 0


def renew_personal_feed(dbsession: Session, person: Person, registration: Registration | None = None) -> str:
    """Revoke the feed address (the person's own, or one registration's) and make a new one;
    the token is returned only now."""
    registration_id = registration.id if registration is not None else None
    dbsession.execute(
        update(CalendarFeedToken).where(*_feed_tokens(person.id, registration_id))
        .values(revoked_at=utcnow()).execution_options(synchronize_session=False)
    )
    token, token_hash = new_token()
    dbsession.add(CalendarFeedToken(person_id=person.id, registration_id=registration_id, token_hash=token_hash))
    dbsession.flush()
    return token


_PERSON_TRAININGS = select(Registration.training_id).where(
    Registration.person_id == feeds.FEED_ID, Registration.status == RegistrationStatus.confirmed)
_PERSON = (Training.id.in_(_PERSON_TRAININGS), *feeds.public_criteria())
_PERSON_REGISTRATIONS = Registration.person_id == feeds.FEED_ID
_PERSON_STAMP = (select(func.count(Registration.id)).where(_PERSON_REGISTRATIONS).scalar_subquery(),
                 select(func.max(Registration.updated_at)).where(_PERSON_REGISTRATIONS).scalar_subquery(),
                 select(Person.updated_at).where(Person.id == feeds.FEED_ID).scalar_subquery())
_REGISTRATION = (TrainingSession.training_id == sa.bindparam("training_id", type_=sa.Integer),
                 *feeds.public_criteria())
_REGISTRATION_STAMP = (select(Registration.status).where(Registration.id == feeds.FEED_ID).scalar_subquery(),
                       select(Registration.updated_at).where(Registration.id == feeds.FEED_ID).scalar_subquery())


def person_feed(person: Person) -> feeds.Feed:
    """Every session of the trainings the person is confirmed in; changes with any of their
    registrations and with their name (the calendar's title)."""
    return feeds.Feed("person", f"person:{person.id}", _PERSON, {"feed_id": person.id}, extra_stamp=_PERSON_STAMP)


def registration_feed(registration: Registration) -> feeds.Feed:
    return feeds.Feed("registration", f"registration:{registration.id}", _REGISTRATION,
                      {"feed_id": registration.id, "training_id": registration.training_id},
                      extra_stamp=_REGISTRATION_STAMP)


def registration_event_status(registration: Registration) -> str | None:
    """A cancelled registration's sessions leave the person's calendar; a place not yet
    confirmed (pending approval, waitlisted) shows as tentative."""
    if registration.status == RegistrationStatus.cancelled:
        return "CANCELLED"
    if registration.status != RegistrationStatus.confirmed:
        return "TENTATIVE"
    return None


@view_config(route_name="calendar_person", renderer="ics", permission=Permission.view, request_method="GET")
def person_calendar(request):
    person = person_by_feed_token(request.dbsession, request.matchdict["token"])
    if person is None:
        raise HTTPNotFound()
    name = _("My trainings — ${name}", mapping={"name": person.full_name})
    how = rendering(request, str(person.preferred_language), name)
    return serve_feed(request, person_feed(person), how, "my-trainings.ics", private=True)


@view_config(route_name="calendar_registration", renderer="ics", permission=Permission.view, request_method="GET")
def registration_calendar(request):
    registration = registration_by_feed_token(request.dbsession, request.matchdict["token"])
    if registration is None or registration.training.status not in feeds.PUBLIC_STATUSES:
        raise HTTPNotFound()
    status = registration_event_status(registration)
    how = rendering(request, str(registration.person.preferred_language), registration.training.title,
                    extra_key=(status,), status=status)
    return serve_feed(request, registration_feed(registration), how, f"training-{registration.training_id}.ics",
                      private=True)


@view_config(route_name="calendar_person_address", renderer="participants/invites/personal_feed.jinja2",
             permission=Permission.view, request_method="POST")
@view_config(route_name="calendar_registration_address", renderer="participants/invites/personal_feed.jinja2",
             permission=Permission.view, request_method="POST")
def new_feed_address(request):
    """Make (or remake, revoking the old one) a calendar address, shown only now: the person's
    own (`calendar_person_address`) or this registration's (`calendar_registration_address`)."""
    registration = registration_by_token(request.dbsession, request.matchdict["token"])
    if registration is None:
        raise HTTPNotFound()
    one_training = request.matched_route.name == "calendar_registration_address"
    token = renew_personal_feed(request.dbsession, registration.person, registration if one_training else None)
    return {"registration": registration, "token": request.matchdict["token"], "feed_token": token,
            "feed_route": "calendar_registration" if one_training else "calendar_person"}


def includeme(config):
    config.add_route("calendar_registration", "/calendar/registrations/{token}.ics")
    config.add_route("calendar_person", "/calendar/people/{token}.ics")
    config.add_route("calendar_person_address", "/me/{token}/calendar/address")
    config.add_route("calendar_registration_address", "/me/{token}/calendar/training")
    config.add_registration_panel("participants/invites/_my_calendar.jinja2", order=20)
    config.add_subscriber(on_registration_confirmed, RegistrationConfirmed)
    config.add_subscriber(on_registration_cancelled, RegistrationCancelled)
    config.add_subscriber(on_sessions_changed, SessionsChanged)
    config.add_subscriber(on_session_cancelled, SessionCancelled)
    config.add_subscriber(on_training_cancelled, TrainingCancelled)
    config.add_subscriber(on_training_published, TrainingPublished)
    config.add_request_method(
        lambda request, person, registration=None: has_personal_feed(
            request.dbsession, person.id, registration.id if registration is not None else None),
        "has_personal_calendar")
