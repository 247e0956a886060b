"""The audit log's one way in: `record(request, action, target, changes=…)`, called by the
services that create, change, merge, export, issue, revoke or anonymise, in the same
transaction as their change (a rolled-back change leaves no entry, and no change goes
unrecorded). Every package may use it; the page that reads it is `views/audit.py`."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import func, select

from .i18n import _
from .models import AuditEntry, User
from .paging import LIST_PAGE_SIZE, Page, clamp_page

# What can be recorded, with the label the audit page shows. Packages that record something new
# add it here (account changes of the organisations branch, for instance).
ACTIONS = {
    "person.update": _("Person changed"),
    "person.merge": _("People merged"),
    "institution.merge": _("Institutions merged"),
    "registrations.approve": _("Registrations approved together"),
    "registrations.cancel": _("Registrations cancelled together"),
    "registrations.move": _("Registrations moved together"),
    "registrations.email": _("Message to registrants"),
    "registrations.reminder_off": _("Reminder stopped for registrations"),
    "registrations.reminder_on": _("Reminder resumed for registrations"),
    "person.self_update": _("Person corrected their details"),
    "person.export": _("Person's data exported"),
    "person.anonymise": _("Person anonymised"),
    "people.import": _("Participants imported"),
    "people.export": _("People exported"),
    "registrations.export": _("Registrations exported"),
    "report.export": _("Report exported"),
    "certificate.issue": _("Certificates issued"),
    "certificate.revoke": _("Certificate revoked"),
    "training.publish": _("Training published"),
    "training.cancel": _("Training cancelled"),
    "account.create": _("Account created"),
}
# What an entry's object is, by its table, as the audit page names it (any other shows as stored).
OBJECT_TYPES = {
    "training": _("Training"), "person": _("Person"), "registration": _("Registration"),
    "certificate": _("Certificate"), "institution": _("Institution"), "user_account": _("Account"),
    "organisation": _("Organisation"),
}
# Fields whose value the log may copy; anything else of a person shows only that it changed.
PERSON_FIELDS = ("given_names", "family_names", "email", "phone", "sex", "position", "institution_id",
                 "country", "home_region", "year_of_birth", "preferred_language", "id_document")


def _actor(request) -> User | None:
    return getattr(request, "identity", None) if request is not None else None


def record(request, action: str, target=None, *, changes: dict | None = None, summary: str = "",
           dbsession=None) -> AuditEntry:
    """Add one entry: the logged-in user (none from the command line or the worker), `action`
    (one of ACTIONS), the object (`target`: a model instance, or a (type, id) pair) and, for
    person data, `changes` as `{field: [before, after]}`."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    user = _actor(request)
    if isinstance(target, tuple):
        target_type, target_id = target
    elif target is not None:
        target_type, target_id = target.__tablename__, target.id
    else:
        target_type, target_id = "", None
    entry = AuditEntry(user_id=user.id if user else None, user_email=user.email if user else "",
                       action=action, target_type=target_type, target_id=target_id, summary=summary[:500],
                       changes=changes or None)
    (dbsession if dbsession is not None else request.dbsession).add(entry)
    return entry


def snapshot(obj, fields=PERSON_FIELDS) -> dict:
    """The values of `fields`, as strings or None, to compare before and after an edit."""
    values = {}
    for name in fields:
        value = getattr(obj, name, None)
        values[name] = None if value is None else str(value)
    return values


def differences(before: dict, after: dict) -> dict:
    """`{field: [before, after]}` of the fields whose value changed."""
    return {name: [before.get(name), after.get(name)] for name in after if before.get(name) != after.get(name)}


@dataclass
class AuditFilter:
    """The page's filters. `scope` is where a restriction by organisation can be added: a
    callable given the query, returning it narrowed (None: everything)."""

    action: str | None = None
    user_id: int | None = None
    target_type: str | None = None
    target_id: int | None = None
    since: dt.date | None = None
    until: dt.date | None = None
    scope: object = field(default=None, repr=False)

    def apply(self, query):
        if self.action:
            query = query.where(AuditEntry.action == self.action)
        if self.user_id:
            query = query.where(AuditEntry.user_id == self.user_id)
        if self.target_type:
            query = query.where(AuditEntry.target_type == self.target_type)
        if self.target_id:
            query = query.where(AuditEntry.target_id == self.target_id)
        if self.since:
            query = query.where(AuditEntry.at >= dt.datetime.combine(self.since, dt.time(), dt.UTC))
        if self.until:
            query = query.where(AuditEntry.at < dt.datetime.combine(self.until + dt.timedelta(days=1), dt.time(),
                                                                     dt.UTC))
        return self.scope(query) if self.scope is not None else query


def entries(dbsession, audit_filter: AuditFilter, page_number: int = 1, size: int = LIST_PAGE_SIZE) -> Page:
    """One page of the log, newest first, with the total."""
    total = dbsession.scalar(audit_filter.apply(select(func.count(AuditEntry.id))))
    number = clamp_page(page_number, total, size)
    rows = dbsession.scalars(audit_filter.apply(select(AuditEntry))
                             .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
                             .limit(size).offset((number - 1) * size)).all()
    return Page(rows, number, size, total)


def entries_about(dbsession, target_type: str, target_id: int) -> list[AuditEntry]:
    return list(dbsession.scalars(select(AuditEntry).where(AuditEntry.target_type == target_type,
                                                           AuditEntry.target_id == target_id)
                                  .order_by(AuditEntry.at, AuditEntry.id)))
