"""Data protection: a person's own corrections, everything held about a person (for their
access request), anonymisation, and retention.

Anonymising erases what identifies the person — names, email, phone, position, document, year
of birth, private and calendar links, the emails sent to them, the personal values copied into
the audit log — and keeps what the programme's totals are made of: their registrations,
attendance and certificates, with sex, institution, country and region (counted, never shown
with a name). Certificates stay verifiable: verification answers that the certificate is
genuine and that its holder was anonymised."""
from __future__ import annotations

import datetime as dt
import json

import sqlalchemy as sa
from sqlalchemy import column, delete, func, or_, select, table, update
from sqlalchemy.orm import Session
from webob.cookies import SignedSerializer

from trainings.audit import differences, entries_about, record, snapshot
from trainings.forms import FieldErrors
from trainings.i18n import _
from trainings.mail import queue_mail, render_mail, speaking
from trainings.models import AuditEntry, OutboxMessage, Training, utcnow

from .models import (
    Attendance,
    CalendarFeedToken,
    EarlierPrivateLink,
    Person,
    Registration,
)
from .registry import find_person, normalise_email
from .signup import institution_from_values
from .spreadsheets import Table
from .tokens import new_token

ANONYMISED = "Anonimizado/Anonymised"
LOCKED = _("A certificate has been issued to you: ask the organisers to correct your details.")
EMAIL_CHANGE_HOURS = 24
# The certificates package builds on this one, so its table is named, not imported.
certificates = table("certificate", column("id"), column("registration_id"), column("serial"), column("kind"),
                     column("issued_at"), column("revoked_at"), column("given_names"), column("family_names"),
                     column("training_title"), column("verification_code"))


# --- the participant's own corrections -------------------------------------------------------

def has_certificate(dbsession: Session, person_id: int) -> bool:
    """Once a valid certificate states the person's name, they no longer correct it themselves
    (the organisers do, and revoke and issue again if needed)."""
    return dbsession.scalar(
        select(func.count()).select_from(certificates)
        .join(Registration, Registration.id == certificates.c.registration_id)
        .where(Registration.person_id == person_id, certificates.c.revoked_at.is_(None))) > 0


def own_details(person: Person) -> dict:
    return {"given_names": person.given_names, "family_names": person.family_names, "email": person.email or "",
            "phone": person.phone or "", "position": person.position or "",
            "institution": str(person.institution_id or "")}


def _email_serializer(request) -> SignedSerializer:
    return SignedSerializer(request.registry.settings["session.secret"], salt="capacita-email-change",
                            hashalg="sha256")


def correct_own_details(request, registration: Registration, values: dict) -> str | None:
    """Write the person's corrections (recorded in the audit log); a new email address is not
    written but confirmed first: a link goes to it. Returns the new address awaiting confirmation."""
    person = registration.person
    if has_certificate(request.dbsession, person.id):
        raise FieldErrors({None: LOCKED})
    before = snapshot(person)
    person.given_names, person.family_names = values["given_names"].strip(), values["family_names"].strip()
    person.phone, person.position = values.get("phone", "").strip(), values.get("position", "").strip()
    institution = institution_from_values(request.dbsession, values, reviewed_only=True)
    if institution is not None:
        person.institution = institution
    request.dbsession.flush()
    changes = differences(before, snapshot(person))
    if changes:
        record(request, "person.self_update", person, changes=changes, summary="from their private page")
    new_email = normalise_email(values.get("email"))
    if new_email and new_email != person.email:
        send_email_change(request, registration, new_email)
        return new_email
    return None


def send_email_change(request, registration: Registration, new_email: str) -> None:
    holder = find_person(request.dbsession, email=new_email)
    if holder is not None:  # said plainly: the address is the person's own or an organiser will merge
        raise FieldErrors({"email": _("This address belongs to another registration. Ask the organisers to "
                                      "join the two.")})
    expires = (utcnow() + dt.timedelta(hours=EMAIL_CHANGE_HOURS)).timestamp()
    signed = _email_serializer(request).dumps({"r": registration.id, "e": new_email, "x": expires}).decode()
    person = registration.person
    language = str(person.preferred_language or "es")
    link = request.route_url("my_email_confirm", signed=signed)
    values = {"person": person, "training": registration.training, "link": link, "hours": EMAIL_CHANGE_HOURS}
    text, html = render_mail(request, "participants/mail/confirm_email_change", values, language)
    with speaking(request, language) as localizer:
        subject = localizer.translate(_("Confirm your new email address"))
    queue_mail(request.dbsession, to=new_email, subject=subject, text=text, html=html, language=language)


def read_email_change(request, signed: str) -> tuple[int, str] | None:
    """(registration id, new address) of a confirmation link still valid, else None."""
    try:
        data = _email_serializer(request).loads(signed.encode())
    except (ValueError, TypeError):
        return None
    if not isinstance(data, dict) or data.get("x", 0) < utcnow().timestamp():
        return None
    return data.get("r"), data.get("e")


def apply_email_change(request, registration: Registration, new_email: str) -> None:
    person = registration.person
    holder = find_person(request.dbsession, email=new_email)
    if holder is not None and holder.id != person.id:
        raise FieldErrors({None: _("This address belongs to another registration. Ask the organisers to "
                                   "join the two.")})
    before = snapshot(person)
    person.email = new_email
    request.dbsession.flush()
    record(request, "person.self_update", person, changes=differences(before, snapshot(person)),
           summary="email confirmed from the new address")


# --- everything held about a person -----------------------------------------------------------

def _iso(value):
    return value.isoformat() if isinstance(value, dt.datetime | dt.date) else value


def person_data(dbsession: Session, person: Person) -> dict[str, list[dict]]:
    """Every record about the person, section by section (what an access request is owed)."""
    details = {name: _iso(getattr(person, name)) for name in (
        "id", "given_names", "family_names", "email", "phone", "sex", "position", "country", "home_region",
        "year_of_birth", "preferred_language", "id_document", "created_at", "updated_at", "anonymised_at")}
    details["institution"] = person.institution.name if person.institution else None
    registrations = dbsession.execute(
        select(Registration, Training.title).join(Training, Training.id == Registration.training_id)
        .where(Registration.person_id == person.id).order_by(Registration.created_at)).all()
    registration_rows = [{"id": r.id, "training": title, "training_id": r.training_id, "role": str(r.role),
                          "status": str(r.status), "source": str(r.source), "created_at": _iso(r.created_at),
                          "confirmed_at": _iso(r.confirmed_at), "cancelled_at": _iso(r.cancelled_at),
                          "consent_at": _iso(r.consent_at), "note": r.note} for r, title in registrations]
    ids = [r.id for r, _title in registrations]
    attendance = dbsession.scalars(select(Attendance).where(Attendance.registration_id.in_(ids))
                                   .order_by(Attendance.recorded_at)).all() if ids else []
    attendance_rows = [{"registration_id": a.registration_id, "session_id": a.session_id,
                        "session": a.session.title, "status": str(a.status), "method": str(a.method),
                        "recorded_at": _iso(a.recorded_at)} for a in attendance]
    certificate_rows = [{"serial": c.serial, "kind": str(c.kind), "training": c.training_title,
                         "name_stated": f"{c.given_names} {c.family_names}".strip(),
                         "issued_at": _iso(c.issued_at), "revoked_at": _iso(c.revoked_at)}
                        for c in dbsession.execute(select(certificates).where(certificates.c.registration_id.in_(ids))
                                                   .order_by(certificates.c.issued_at))] if ids else []
    mail_rows = [{"subject": m.subject, "queued_at": _iso(m.created_at), "sent_at": _iso(m.sent_at)}
                 for m in dbsession.scalars(select(OutboxMessage).where(_addressed_to(person.email))
                                            .order_by(OutboxMessage.created_at))] if person.email else []
    audit_rows = [{"at": _iso(e.at), "user": e.user_email, "action": e.action, "summary": e.summary,
                   "changes": json.dumps(e.changes, ensure_ascii=False) if e.changes else ""}
                  for e in entries_about(dbsession, "person", person.id)]
    return {"person": [details], "registrations": registration_rows, "attendance": attendance_rows,
            "certificates": certificate_rows, "emails": mail_rows, "audit": audit_rows}


def _addressed_to(email: str):
    """Outbox rows sent to `email` (recipients are comma-separated)."""
    address = email.lower()
    recipients = func.lower(OutboxMessage.recipients)
    return or_(recipients == address, recipients.like(f"{address},%"), recipients.like(f"%,{address}"),
               recipients.like(f"%,{address},%"), recipients.like(f"%, {address}"))


SECTION_TITLES = {"person": _("Person"), "registrations": _("Registrations"), "attendance": _("Attendance"),
                  "certificates": _("Certificates"), "emails": _("Emails sent"), "audit": _("Audit log")}


def person_data_tables(request, data: dict[str, list[dict]]) -> list[Table]:
    """The same sections as sheets, one per section (headers are the JSON's keys)."""
    tables = []
    for section, rows in data.items():
        header = list(rows[0]) if rows else []
        tables.append(Table(request.localizer.translate(SECTION_TITLES[section]), header,
                            [[row[name] for name in header] for row in rows]))
    return tables


# --- anonymisation ---------------------------------------------------------------------------

def anonymise(request, person: Person, *, reason: str = "") -> None:
    """Erase the person's personal data (see the module's docstring); recorded in the audit log
    without the values erased."""
    dbsession = request.dbsession
    if person.anonymised_at is not None:
        return
    email = person.email
    registration_ids = list(dbsession.scalars(select(Registration.id).where(Registration.person_id == person.id)))
    person.given_names, person.family_names = ANONYMISED, str(person.id)
    person.email = person.id_document = person.year_of_birth = None
    person.phone = person.position = ""
    person.anonymised_at = utcnow()
    if registration_ids:
        for registration in dbsession.scalars(select(Registration).where(Registration.id.in_(registration_ids))):
            registration.token_hash = new_token()[1]  # every private link stops working
            registration.note = ""
        dbsession.execute(delete(EarlierPrivateLink).where(EarlierPrivateLink.registration_id.in_(registration_ids)))
        dbsession.execute(update(certificates).where(certificates.c.registration_id.in_(registration_ids))
                          .values(given_names=ANONYMISED, family_names=""))
    dbsession.execute(delete(CalendarFeedToken).where(CalendarFeedToken.person_id == person.id))
    if email:
        dbsession.execute(delete(OutboxMessage).where(_addressed_to(email)))
    # The audit log keeps who did what and when about this person, but not the values it copied.
    dbsession.execute(update(AuditEntry).where(AuditEntry.target_type == "person", AuditEntry.target_id == person.id,
                                               AuditEntry.changes.is_not(None))
                      .values(changes=sa.null(), summary="(anonymised)").execution_options(synchronize_session=False))
    dbsession.flush()
    record(request, "person.anonymise", person, summary=reason[:400])


# --- retention -------------------------------------------------------------------------------

def last_activity():
    """Per person, the latest of: their record changing, a registration changing, a training of
    theirs ending."""
    registration_change = (select(Registration.person_id.label("person_id"),
                                  func.max(Registration.updated_at).label("changed"),
                                  func.max(Training.ends_on).label("ended"))
                           .join(Training, Training.id == Registration.training_id)
                           .group_by(Registration.person_id).subquery())
    return registration_change


def due_for_retention(dbsession: Session, years: int, today: dt.date | None = None) -> list[Person]:
    """Persons not anonymised whose last activity is more than `years` years ago."""
    today = today or dt.date.today()
    try:
        cutoff_date = today.replace(year=today.year - years)
    except ValueError:  # 29 February
        cutoff_date = today.replace(year=today.year - years, day=28)
    cutoff = dt.datetime.combine(cutoff_date, dt.time(), dt.UTC)
    activity = last_activity()
    query = (select(Person).outerjoin(activity, activity.c.person_id == Person.id)
             .where(Person.anonymised_at.is_(None), Person.updated_at < cutoff,
                    or_(activity.c.person_id.is_(None),
                        (activity.c.changed < cutoff) & (activity.c.ended < cutoff_date)))
             .order_by(Person.id))
    return list(dbsession.scalars(query))


def retention_years(settings) -> int | None:
    """`retention.years` from the settings; None (or 0) turns retention off."""
    try:
        years = int(settings.get("retention.years") or 0)
    except (TypeError, ValueError):
        return None
    return years if years > 0 else None


def apply_retention(request, years: int, *, dry_run: bool) -> list[Person]:
    people = due_for_retention(request.dbsession, years)
    if not dry_run:
        for person in people:
            anonymise(request, person, reason=f"retention: no activity for {years} years")
    return people


def retention_task(request) -> None:
    years = retention_years(request.registry.settings)
    if years:
        apply_retention(request, years, dry_run=False)


def includeme(config):
    if retention_years(config.get_settings()):
        config.add_worker_task("retention", retention_task, 24 * 3600)
