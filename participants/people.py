"""The registry seen by organisers: finding people, a person's history, merging two persons."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import column, event, func, or_, select, table, update
from sqlalchemy.orm import Session, joinedload

from trainings.audit import differences, record, snapshot
from trainings.forms import FieldErrors
from trainings.i18n import _
from trainings.models import SessionSpeaker, Training, utcnow
from trainings.scoping import unscoped

from .attendance.rates import attendance_rates
from .models import (
    Attendance,
    CalendarFeedToken,
    EarlierPrivateLink,
    Institution,
    Person,
    Registration,
    RegistrationStatus,
    Sex,
)
from .registrations import ACTIVE, cancel
from .registry import find_person, normalise_document, normalise_email
from .signup import institution_from_values
from .text import normalise_text

# The certificates package builds on this one, so its table is named, not imported.
certificate_table = table("certificate", column("id"), column("registration_id"), column("serial"),
                          column("kind"), column("issued_at"), column("revoked_at"),
                          column("revoke_reason"))

STATUS_RANK = {RegistrationStatus.confirmed: 0, RegistrationStatus.waitlisted: 1, RegistrationStatus.pending: 2,
               RegistrationStatus.cancelled: 3}


def _like_pattern(word: str) -> str:
    return "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def person_search_conditions(dbsession: Session, query: str) -> list:
    """Conditions on Person finding whose name, email or document (`search_text`, accent-free)
    or institution contain every word of `query`, accents and case ignored: one condition per
    word in SQL, each indexed by trigrams on PostgreSQL. Institutions are few: their names are
    matched here, once per request."""
    words = normalise_text(query).split()
    if not words:
        return []
    institutions = _institution_names(dbsession)
    conditions = []
    for word in words:
        condition = Person.search_text.like(_like_pattern(word), escape="\\")
        matching = [institution_id for institution_id, name in institutions if word in name]
        conditions.append(or_(condition, Person.institution_id.in_(matching)) if matching else condition)
    return conditions


@event.listens_for(Session, "after_flush")
def _forget_institution_names(dbsession: Session, _flush_context) -> None:
    dbsession.info.pop("institution_names", None)  # something was written: perhaps an institution


def _institution_names(dbsession: Session) -> list[tuple[int, str]]:
    cached = dbsession.info.get("institution_names")
    if cached is None:
        cached = dbsession.info["institution_names"] = [
            (row.id, normalise_text(row.name)) for row in dbsession.execute(select(Institution.id, Institution.name))]
    return cached


def people_query(dbsession: Session, query: str, scope=unscoped):
    return scope(select(Person).where(*person_search_conditions(dbsession, query)))


def search_people(dbsession: Session, query: str, limit: int | None = 50, offset: int = 0,
                  scope=unscoped) -> list[Person]:
    """The persons `query` finds (see `people_query`) by family name, at most `limit` of them
    from `offset`, or all with None; `scope` narrows the registry to what the user may see."""
    statement = (people_query(dbsession, query, scope).options(joinedload(Person.institution))
                 .order_by(Person.sort_name, Person.id).offset(offset or None))
    if limit is not None:
        statement = statement.limit(limit)
    return list(dbsession.scalars(statement))


COUNT_CAP = 10_000  # a hundred pages of a hundred: past that, a search narrows better than paging


def count_people(dbsession: Session, query: str, cap: int = COUNT_CAP, scope=unscoped) -> int:
    """How many persons the search finds, counted in SQL up to `cap` + 1 (more than `cap`):
    counting the whole registry on every page would read all of it."""
    found = people_query(dbsession, query, scope).with_only_columns(Person.id).order_by(None).limit(cap + 1).subquery()
    return dbsession.scalar(select(func.count()).select_from(found)) or 0


@dataclass
class HistoryLine:
    registration: Registration
    attendance_percent: float | None
    certificates: list


def history(dbsession: Session, person: Person, scope=unscoped) -> list[HistoryLine]:
    """The person's registrations (those `scope` lets through), latest training first."""
    registrations = list(dbsession.scalars(scope(
        select(Registration).where(Registration.person_id == person.id)
        .options(joinedload(Registration.training).joinedload(Training.region))
        .join(Training).order_by(Training.starts_on.desc())
    )))
    certificates: dict[int, list] = {}
    if registrations:
        rows = dbsession.execute(
            select(certificate_table).where(certificate_table.c.registration_id.in_([r.id for r in registrations]))
            .order_by(certificate_table.c.issued_at)
        )
        for row in rows:
            certificates.setdefault(row.registration_id, []).append(row)
    lines = []
    for registration in registrations:
        rate = attendance_rates(dbsession, registration.training_id).get(registration.id)
        lines.append(HistoryLine(registration, rate.percent if rate else None, certificates.get(registration.id, [])))
    return lines


def person_values(person: Person) -> dict:
    """The edit form's values for `person`."""
    return {"given_names": person.given_names, "family_names": person.family_names, "email": person.email or "",
            "phone": person.phone or "", "position": person.position or "",
            "institution": str(person.institution_id or ""), "sex": person.sex.value if person.sex else "",
            "country": person.country or "", "preferred_language": str(person.preferred_language or "es"),
            "id_document": person.id_document or "", "home_region": person.home_region or "",
            # An unknown year is left out: the form then shows an empty field.
            **({"year_of_birth": person.year_of_birth} if person.year_of_birth else {})}


def update_person(dbsession: Session, person: Person, values: dict, *, request=None) -> Person:
    """Write what the organiser typed, as typed: unlike imports and forms, an empty value here
    does erase. An email or document another person holds is refused (merge them instead).
    Certificates already issued keep the name they state. With the `request`, the change is
    recorded in the audit log (before → after of each changed field)."""
    before = snapshot(person)
    email, document = normalise_email(values.get("email")), normalise_document(values.get("id_document"))
    country = values.get("country") or None
    errors = {}
    holder = find_person(dbsession, email=email)
    if email and holder is not None and holder.id != person.id:
        errors["email"] = _("${name} already has this email: merge the two persons instead.",
                            mapping={"name": holder.full_name})
    holder = find_person(dbsession, id_document=document, country=country) if document and country else None
    if holder is not None and holder.id != person.id:
        errors["id_document"] = _("${name} already has this document: merge the two persons instead.",
                                  mapping={"name": holder.full_name})
    if errors:
        raise FieldErrors(errors)
    person.given_names, person.family_names = values["given_names"].strip(), values["family_names"].strip()
    person.email, person.id_document, person.country = email, document, country
    person.phone, person.position = values.get("phone", "").strip(), values.get("position", "").strip()
    person.sex = Sex(values["sex"]) if values.get("sex") else None
    person.home_region = " ".join((values.get("home_region") or "").split())
    person.year_of_birth = values.get("year_of_birth")
    person.preferred_language = values.get("preferred_language") or person.preferred_language
    person.institution = institution_from_values(dbsession, values)
    dbsession.flush()
    changes = differences(before, snapshot(person))
    if request is not None and changes:
        record(request, "person.update", person, changes=changes, summary=person.full_name)
    return person


class CannotMerge(Exception):
    pass


MERGED_FIELDS = (("given_names", _("Given names")), ("family_names", _("Family names")), ("email", _("Email")),
                 ("phone", _("Phone")), ("institution", _("Institution")), ("position", _("Position")),
                 ("country", _("Country")), ("home_region", _("Region")), ("year_of_birth", _("Year of birth")),
                 ("id_document", _("Identity document")))


@dataclass
class MergePreview:
    """What `merge_people(keep, other)` will do, for the organiser to check first: each detail
    as it stands on both and as it will be on the person kept, and the registrations that move."""

    keep: Person
    other: Person
    details: list  # (label, kept value, merged value, result, taken from the merged person)
    moving: int  # registrations of `other` that move onto `keep`
    shared: int  # trainings both are registered for: one registration is combined into the other


def merge_preview(dbsession: Session, keep: Person, other: Person, shown=lambda name, value: value) -> MergePreview:
    """`shown(name, value)`: how a detail reads on the page (a country's name rather than its code)."""
    if keep.id == other.id:
        raise CannotMerge("same person")
    details = []
    for name, label in MERGED_FIELDS:
        kept, merged = _detail(keep, name), _detail(other, name)
        taken = kept in (None, "") and merged not in (None, "")
        kept, merged = shown(name, kept), shown(name, merged)
        details.append((label, kept, merged, merged if taken else kept, taken))
    theirs = set(dbsession.scalars(select(Registration.training_id).where(Registration.person_id == other.id)))
    mine = set(dbsession.scalars(select(Registration.training_id).where(Registration.person_id == keep.id)))
    return MergePreview(keep, other, details, moving=len(theirs - mine), shared=len(theirs & mine))


def _detail(person: Person, name: str):
    if name == "institution":
        return person.institution.name if person.institution else ""
    value = getattr(person, name)
    return "" if value is None else value


def merge_people(request, keep: Person, other: Person) -> list[Registration]:
    """Move everything of `other` onto `keep` and delete `other`, all or nothing (one savepoint).

    Where both are registered for the same training, the registration with the better status
    (confirmed, waitlisted, pending, cancelled; then the earlier) is kept: the other one is
    cancelled (its place, if any, goes to the waitlist), its attendance and certificates join
    the kept one, and it is removed. Returns the registrations removed that way."""
    if keep.id == other.id:
        raise CannotMerge("same person")
    dbsession: Session = request.dbsession
    absorbed = []
    other_id, other_name, kept_before = other.id, other.full_name, snapshot(keep)
    with dbsession.begin_nested():
        mine = {r.training_id: r for r in dbsession.scalars(
            select(Registration).where(Registration.person_id == keep.id))}
        for registration in list(dbsession.scalars(select(Registration).where(Registration.person_id == other.id))):
            twin = mine.get(registration.training_id)
            if twin is None:
                registration.person_id = keep.id
                continue
            better, worse = sorted((twin, registration), key=lambda r: (STATUS_RANK[r.status], r.created_at, r.id))
            if worse.status in ACTIVE:
                cancel(request, worse)
            _absorb(dbsession, worse, better)
            absorbed.append(worse)
            dbsession.delete(worse)
            dbsession.flush()
            better.person_id = keep.id
        dbsession.flush()
        _move_speaker_rows(dbsession, keep, other)
        dbsession.execute(update(CalendarFeedToken).where(CalendarFeedToken.person_id == other.id)
                          .values(person_id=keep.id))
        unique_fields = {"email", "id_document"}
        taken = {name: getattr(other, name) for name in unique_fields
                 if getattr(keep, name) in (None, "") and getattr(other, name) not in (None, "")}
        for name in ("given_names", "family_names", "phone", "sex", "position", "institution_id", "country",
                     "home_region", "year_of_birth"):
            if getattr(keep, name) in (None, "") and getattr(other, name) not in (None, ""):
                setattr(keep, name, getattr(other, name))
        dbsession.delete(other)
        dbsession.flush()
        merged_changes = differences(kept_before, {**snapshot(keep), **{k: str(v) for k, v in taken.items()}})
        for name, value in taken.items():
            setattr(keep, name, value)
        dbsession.flush()
        record(request, "person.merge", keep, changes=merged_changes,
               summary=f"person {other_id} ({other_name}) merged into {keep.id} ({keep.full_name})")
    return absorbed


def _absorb(dbsession: Session, worse: Registration, better: Registration) -> None:
    """Attendance and certificates of `worse` join `better` (where `better` has its own for the
    same session, or a valid certificate of the same kind, `better`'s is kept)."""
    dbsession.flush()
    sessions = set(dbsession.scalars(select(Attendance.session_id).where(Attendance.registration_id == better.id)))
    for attendance in list(dbsession.scalars(select(Attendance).where(Attendance.registration_id == worse.id))):
        if attendance.session_id in sessions:
            dbsession.delete(attendance)
        else:
            attendance.registration_id = better.id
    dbsession.flush()
    valid_kinds = set(dbsession.scalars(
        select(certificate_table.c.kind).where(certificate_table.c.registration_id == better.id,
                                               certificate_table.c.revoked_at.is_(None))))
    if valid_kinds:
        dbsession.execute(
            update(certificate_table)
            .where(certificate_table.c.registration_id == worse.id, certificate_table.c.revoked_at.is_(None),
                   certificate_table.c.kind.in_(valid_kinds))
            .values(revoked_at=utcnow(), revoke_reason="duplicate of a merged person")
        )
    dbsession.execute(update(certificate_table).where(certificate_table.c.registration_id == worse.id)
                      .values(registration_id=better.id))
    # The links emailed for the absorbed registration now open the one kept.
    dbsession.execute(update(EarlierPrivateLink).where(EarlierPrivateLink.registration_id == worse.id)
                      .values(registration_id=better.id))
    dbsession.add(EarlierPrivateLink(registration_id=better.id, token_hash=worse.token_hash))
    # And its calendar addresses show the kept one's sessions.
    dbsession.execute(update(CalendarFeedToken).where(CalendarFeedToken.registration_id == worse.id)
                      .values(registration_id=better.id))


def _move_speaker_rows(dbsession: Session, keep: Person, other: Person) -> None:
    kept_sessions = set(dbsession.scalars(select(SessionSpeaker.session_id).where(SessionSpeaker.person_id == keep.id)))
    for row in dbsession.scalars(select(SessionSpeaker).where(SessionSpeaker.person_id == other.id)):
        if row.session_id in kept_sessions:
            dbsession.delete(row)
        else:
            row.person_id = keep.id
    dbsession.flush()

