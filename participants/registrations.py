"""Registering people for trainings: capacity, approval and the waitlist.

Capacity is never exceeded, even under concurrent registrations: a place is taken with one
guarded UPDATE (`confirmed_count < capacity`) that the database serialises on the training's
row, and the CHECK constraint on `training` is the last line of defence.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session

from trainings.events import PlacesAdded
from trainings.i18n import _
from trainings.models import Training, TrainingStatus, utcnow
from trainings.scoping import editable_organisation_ids, scope_to_organisations

from .confirmation import await_confirmation
from .events import RegistrationCancelled, RegistrationConfirmed
from .models import Institution, Person, Registration, RegistrationRole, RegistrationSource, RegistrationStatus
from .tokens import give_new_link, new_token

# Only these roles take one of the training's places; speakers and organisers come on top.
ROLES_TAKING_A_PLACE = frozenset({RegistrationRole.participant, RegistrationRole.observer})
ACTIVE = frozenset({RegistrationStatus.pending, RegistrationStatus.confirmed, RegistrationStatus.waitlisted})


def institution_registrations(dbsession: Session, training: Training, institution: Institution, *,
                              with_sign_ups: bool = False, excluding: Person | None = None) -> int:
    """Active registrations (confirmed, waiting or pending) of people of `institution`; with
    `with_sign_ups`, also the public sign-ups still waiting for their address to be confirmed
    (not yet expired), which will become active as soon as it is. `excluding`: a person whose
    own registration is not counted (signing up again revives it rather than adding one)."""
    holding = Registration.status.in_([status.value for status in ACTIVE])
    if with_sign_ups:
        holding = or_(holding, and_(Registration.status == RegistrationStatus.unverified.value,
                                    Registration.confirm_by > utcnow()))
    query = (select(func.count()).select_from(Registration).join(Person, Person.id == Registration.person_id)
             .where(Registration.training_id == training.id, Person.institution_id == institution.id, holding))
    if excluding is not None and excluding.id is not None:
        query = query.where(Registration.person_id != excluding.id)
    return dbsession.scalar(query) or 0


def institution_quota_refusal(dbsession: Session, training: Training, institution: Institution | None):
    """Why one more person of `institution` may not register for `training` from the public form
    (its quota per institution is reached by active registrations), or None. Checked on the form
    and again when the address is confirmed. Sign-ups still waiting for their confirmation do not
    count: anyone may type any address, and a few made-up ones would otherwise shut an
    institution out for a day (`institution_places_contested` warns instead)."""
    if training.institution_quota is None or institution is None or institution.id is None:
        return None
    if institution_registrations(dbsession, training, institution) < training.institution_quota:
        return None
    return _("${institution} has reached this training's limit of ${count} per institution. Ask the organisers "
             "if another person should take part.",
             mapping={"institution": institution.name, "count": training.institution_quota})


def institution_places_contested(dbsession: Session, training: Training, institution: Institution | None,
                                 person: Person | None) -> bool:
    """Whether colleagues' sign-ups, confirmed or still waiting for their address (not `person`'s
    own), already take the institution's quota: the place then goes to whoever confirms first."""
    if training.institution_quota is None or institution is None or institution.id is None:
        return False
    return institution_registrations(dbsession, training, institution, with_sign_ups=True,
                                     excluding=person) >= training.institution_quota


class AlreadyRegistered(Exception):
    def __init__(self, registration: Registration):
        super().__init__(registration.id)
        self.registration = registration


def take_place(dbsession: Session, training_id: int) -> bool:
    """Take one place if one is left; False when the training is full."""
    result = dbsession.execute(
        update(Training)
        .where(Training.id == training_id, Training.confirmed_count < Training.capacity)
        .values(confirmed_count=Training.confirmed_count + 1, updated_at=Training.updated_at)
        .execution_options(synchronize_session=False)
    )
    _refresh_count(dbsession, training_id)
    return result.rowcount == 1


def release_place(dbsession: Session, training_id: int) -> None:
    dbsession.execute(
        update(Training)
        .where(Training.id == training_id, Training.confirmed_count > 0)
        .values(confirmed_count=Training.confirmed_count - 1, updated_at=Training.updated_at)
        .execution_options(synchronize_session=False)
    )
    _refresh_count(dbsession, training_id)


def _refresh_count(dbsession: Session, training_id: int) -> None:
    training = dbsession.get(Training, training_id)
    if training is not None:
        dbsession.refresh(training, ["confirmed_count"])


def takes_a_place(registration: Registration) -> bool:
    return registration.role in ROLES_TAKING_A_PLACE


def register(request, training: Training, person: Person, *, role=RegistrationRole.participant,
             source=RegistrationSource.web, consent: bool = False,
             approved: bool = False, notify: bool = True, verify_email: bool = False) -> tuple[Registration, str]:
    """Register `person`; returns the registration and its private-link token (given only now).

    Participants of a training that requires approval wait as pending unless `approved`
    (organisers registering someone directly approve by doing so); otherwise they take a place
    or join the waitlist. A cancelled (or still unconfirmed) registration of the same person is
    revived. Without `notify`, a confirmed place sends no calendar invitation either. With
    `verify_email` (the public form) it waits unverified, holding no place, until the person
    confirms their address (confirmation.py)."""
    dbsession: Session = request.dbsession
    registration = dbsession.scalar(
        select(Registration).where(Registration.training_id == training.id, Registration.person_id == person.id)
    )
    if registration is not None and registration.status in ACTIVE:
        raise AlreadyRegistered(registration)
    if registration is None:
        token, token_hash = new_token()
        registration = Registration(training=training, person=person, token_hash=token_hash)
        dbsession.add(registration)
    else:  # a cancelled registration revived: a new link, and the earlier ones still open it
        token = give_new_link(dbsession, registration)
    registration.role, registration.source = role, source
    registration.emails_off = not notify  # kept: the reminder before the training respects it too
    registration.cancelled_at = registration.confirmed_at = registration.confirm_by = None
    registration.created_at = utcnow()  # the waitlist is in order of (re)arrival
    if consent:
        registration.consent_at = utcnow()
    if verify_email:
        await_confirmation(request, registration)
        return registration, token
    needs_approval = training.requires_approval and not approved and role in ROLES_TAKING_A_PLACE
    registration.status = RegistrationStatus.pending if needs_approval else RegistrationStatus.waitlisted
    dbsession.flush()
    if not needs_approval:
        _confirm_if_possible(request, registration, notify=notify)
    return registration, token


def approve(request, registration: Registration, *, notify: bool = True) -> Registration:
    """An organiser accepts a pending registration: it takes a place, or waits in the list.
    The person is emailed (with a fresh private link)."""
    if registration.status == RegistrationStatus.pending:
        registration.status = RegistrationStatus.waitlisted
        _confirm_if_possible(request, registration, notify=notify)
        if notify:
            from .notifications import send_registration_mail

            send_registration_mail(request, registration, reason="approved")
    return registration


def _confirm_if_possible(request, registration: Registration, *, notify: bool = True) -> bool:
    if takes_a_place(registration) and not take_place(request.dbsession, registration.training_id):
        registration.status = RegistrationStatus.waitlisted
        request.dbsession.flush()
        return False
    registration.status = RegistrationStatus.confirmed
    registration.confirmed_at = utcnow()
    request.dbsession.flush()
    request.registry.notify(RegistrationConfirmed(request, registration, notify=notify))
    return True


def cancel(request, registration: Registration, *, notify: bool = True,
           moved_to: Training | None = None) -> list[Registration]:
    """Cancel a registration (kept, never deleted); a place it held goes to the waitlist, and
    whoever is promoted is emailed. Returns the registrations promoted from the waitlist."""
    if registration.status == RegistrationStatus.cancelled:
        return []
    held_a_place = registration.status == RegistrationStatus.confirmed and takes_a_place(registration)
    registration.status = RegistrationStatus.cancelled
    registration.cancelled_at = utcnow()
    request.dbsession.flush()
    request.registry.notify(RegistrationCancelled(request, registration, moved_to=moved_to))
    if held_a_place:
        release_place(request.dbsession, registration.training_id)
        return promote_waitlisted(request, registration.training, notify=notify)
    return []


def promote_waitlisted(request, training: Training, *, notify: bool = True) -> list[Registration]:
    """Give free places to the waitlist in order of arrival; each promoted person is emailed."""
    promoted = []
    while training.places_left > 0:
        candidate = request.dbsession.scalar(
            select(Registration)
            .where(Registration.training_id == training.id, Registration.status == RegistrationStatus.waitlisted)
            .order_by(Registration.created_at, Registration.id)
            .limit(1)
        )
        if candidate is None or not _confirm_if_possible(request, candidate, notify=notify):
            break
        promoted.append(candidate)
        if notify:
            from .notifications import send_registration_mail

            send_registration_mail(request, candidate, reason="promoted")
    return promoted


class CannotAdmit(Exception):
    """Only a registration waiting (waitlisted or pending) can be admitted at the door."""


def admit_at_the_door(request, registration: Registration) -> int | None:
    """Someone waiting (on the waiting list, or pending approval) came to the door and the
    organiser lets them in: they are confirmed at once, ahead of the others waiting. When the
    training is full the room takes one more: its capacity is raised by one (so the CHECK holds
    and nobody else's place is touched). Returns the capacity before it was raised, or None.
    No email: the person is standing there."""
    if registration.status not in (RegistrationStatus.waitlisted, RegistrationStatus.pending):
        raise CannotAdmit(registration.id)
    dbsession: Session = request.dbsession
    raised_from = None
    if takes_a_place(registration) and not take_place(dbsession, registration.training_id):
        raised_from = registration.training.capacity
        dbsession.execute(
            update(Training)
            .where(Training.id == registration.training_id, Training.confirmed_count >= Training.capacity)
            .values(capacity=Training.confirmed_count + 1, updated_at=Training.updated_at)
            .execution_options(synchronize_session=False))
        dbsession.refresh(registration.training, ["capacity"])
        if not take_place(dbsession, registration.training_id):  # pragma: no cover - the row is ours now
            raise CannotAdmit(registration.id)
    registration.status = RegistrationStatus.confirmed
    registration.confirmed_at = utcnow()
    dbsession.flush()
    request.registry.notify(RegistrationConfirmed(request, registration, notify=False))
    return raised_from


def waitlist_position(dbsession: Session, registration: Registration) -> int | None:
    """1 for the first in line; None when the registration is not waitlisted."""
    if registration.status != RegistrationStatus.waitlisted:
        return None
    ahead = dbsession.scalar(
        select(func.count()).select_from(Registration).where(
            Registration.training_id == registration.training_id,
            Registration.status == RegistrationStatus.waitlisted,
            (Registration.created_at < registration.created_at)
            | ((Registration.created_at == registration.created_at) & (Registration.id < registration.id)),
        )
    )
    return ahead + 1


class CannotMove(Exception):
    """The target training does not accept the registration (same training, or cancelled)."""


def move_targets(request, training: Training) -> list[Training]:
    """The trainings a registration of `training` may be moved to: another one, neither cancelled
    nor over (nobody moves into the past), of an organisation the user works in."""
    return list(request.dbsession.scalars(scope_to_organisations(
        select(Training).where(Training.id != training.id, Training.status != TrainingStatus.cancelled,
                               Training.ends_on >= dt.date.today())
        .order_by(Training.starts_on, Training.title),
        request, Training.organisation_id, editable_organisation_ids(request))))


def move(request, registration: Registration, target: Training) -> tuple[Registration, str]:
    """Move a registration to another training: it is cancelled where it was (its place goes to
    that waitlist) and the person is registered in `target`, with the same role, where capacity
    is checked again — they may be waitlisted there. Returns the new registration and its token.
    The pages offer only `move_targets`."""
    if target.id == registration.training_id or target.status == TrainingStatus.cancelled:
        raise CannotMove(target.id)
    existing = request.dbsession.scalar(
        select(Registration).where(Registration.training_id == target.id,
                                   Registration.person_id == registration.person_id)
    )
    if existing is not None and existing.status in ACTIVE:
        raise AlreadyRegistered(existing)
    role, person = registration.role, registration.person
    cancel(request, registration, moved_to=target)
    registration.note = (registration.note + "\n" if registration.note else "") + f"moved to training {target.id}"
    moved, token = register(request, target, person, role=role, source=RegistrationSource.organiser, approved=True)
    moved.consent_at = registration.consent_at
    return moved, token


def register_many(request, training: Training, people: list[Person], *, source=RegistrationSource.import_,
                  notify: bool = True) -> list[tuple[Registration, str]]:
    """Register many participants at once (an import), with the rules of `register`: pending
    when the training requires approval, else places in list order, then the waitlist. The
    places are taken with one guarded UPDATE under a lock on the training's row, so capacity
    holds against concurrent registrations. Raises AlreadyRegistered if one is registered.
    Without `notify`, confirmed places send no calendar invitations."""
    dbsession: Session = request.dbsession
    existing = {
        registration.person_id: registration
        for registration in dbsession.scalars(select(Registration).where(Registration.training_id == training.id))
    }
    results = []
    for person in people:
        registration = existing.get(person.id) if person.id is not None else None
        if registration is not None and registration.status in ACTIVE:
            raise AlreadyRegistered(registration)
        if registration is None:
            token, token_hash = new_token()
            registration = Registration(training_id=training.id, person=person, token_hash=token_hash)
            dbsession.add(registration)
        else:
            token = give_new_link(dbsession, registration)
        registration.role, registration.source = RegistrationRole.participant, source
        registration.emails_off = not notify
        registration.cancelled_at = registration.confirmed_at = registration.confirm_by = None
        registration.created_at = utcnow()
        registration.status = (RegistrationStatus.pending if training.requires_approval
                               else RegistrationStatus.waitlisted)
        results.append((registration, token))
    if not training.requires_approval and results:
        places = _take_places(dbsession, training, len(results))
        now = utcnow()
        for registration, _token in results[:places]:
            registration.status, registration.confirmed_at = RegistrationStatus.confirmed, now
    dbsession.flush()
    for registration, _token in results:
        if registration.status == RegistrationStatus.confirmed:
            request.registry.notify(RegistrationConfirmed(request, registration, notify=notify))
    return results


def _take_places(dbsession: Session, training: Training, wanted: int) -> int:
    """Take up to `wanted` places at once; returns how many were taken."""
    query = select(Training.capacity, Training.confirmed_count).where(Training.id == training.id)
    if dbsession.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    capacity, confirmed = dbsession.execute(query).one()
    places = max(min(wanted, capacity - confirmed), 0)
    if places:
        result = dbsession.execute(
            update(Training)
            .where(Training.id == training.id, Training.confirmed_count + places <= Training.capacity)
            .values(confirmed_count=Training.confirmed_count + places, updated_at=Training.updated_at)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:  # pragma: no cover - the row lock makes this impossible
            places = 0
    _refresh_count(dbsession, training.id)
    return places


def on_places_added(event: PlacesAdded) -> None:
    """More places: the first people waiting take them, and are told."""
    promote_waitlisted(event.request, event.training)


def includeme(config):
    config.add_subscriber(on_places_added, PlacesAdded)
