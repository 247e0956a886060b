"""The one place that narrows what a user sees to their organisations.

Every query that lists trainings, programmes, venues (and, in the packages built on this one,
people, registrations and report figures) goes through `scope_to_organisations`; pages about one
object are guarded by that object's ACL (`trainings.security.organisation_acl`). Memberships
come with the identity, read once per request, so scoping costs no statement."""
from __future__ import annotations

from sqlalchemy import false, select

from .models import MemberRole, Organisation, UserRole
from .models.organisations import default_organisation

# The roles that may change things (create trainings, venues…) in an organisation.
EDITING_ROLES = (MemberRole.manager, MemberRole.organiser)


def unscoped(statement):
    """The scope that narrows nothing: services' default, for commands and administrators."""
    return statement


def _organisations_where(request, roles) -> frozenset[int] | None:
    """The user's organisations in which they hold one of `roles`, or None for all (administrators
    and commands)."""
    if getattr(request, "is_command_line", False):
        return None
    user = request.identity
    if user is None:
        return frozenset()
    if user.role == UserRole.admin:
        return None
    return frozenset(m.organisation_id for m in user.memberships if m.role in roles)


def visible_organisation_ids(request) -> frozenset[int] | None:
    """The organisations whose data the user sees, or None for all."""
    return _organisations_where(request, tuple(MemberRole))


def editable_organisation_ids(request) -> frozenset[int] | None:
    """The organisations in which the user may create and change things, or None for all."""
    return _organisations_where(request, EDITING_ROLES)


def managed_organisation_ids(request) -> frozenset[int] | None:
    """The organisations whose members the user manages, or None for all."""
    return _organisations_where(request, (MemberRole.manager,))


def scope_to_organisations(query, request, organisation_column, ids: frozenset[int] | None = ...):
    """`query` narrowed to rows whose `organisation_column` is one of the user's organisations
    (all rows for administrators; none for a user without any)."""
    if ids is ...:
        ids = visible_organisation_ids(request)
    if ids is None:
        return query
    if not ids:
        return query.where(false())
    return query.where(organisation_column.in_(sorted(ids)))


def scope_trainings(query, request):
    """A query over `Training` narrowed to the user's organisations."""
    from .models import Training

    return scope_to_organisations(query, request, Training.organisation_id)


def trainings_scope(request):
    """`scope_trainings` as a scope for services (`dashboard.current_trainings(…, scope=…)`)."""
    return lambda statement: scope_trainings(statement, request)


def organisation_choices(request) -> list[tuple[int, str]]:
    """(id, name) of the organisations a form may offer: those the user may create and change
    things in. Members' come with their memberships (no statement); administrators' are all."""
    key = "_capacita_organisation_choices"
    if key not in request.__dict__:
        user = request.identity
        if user is not None and user.role == UserRole.admin:
            rows = request.dbsession.execute(select(Organisation.id, Organisation.name).order_by(Organisation.name))
            choices = [(row.id, row.name) for row in rows]
            if not choices:  # a new installation: its first training makes the default organisation
                organisation = default_organisation(request.dbsession)
                request.dbsession.flush()
                choices = [(organisation.id, organisation.name)]
        else:
            choices = sorted(((m.organisation_id, m.organisation.name) for m in (user.memberships if user else ())
                              if m.role in EDITING_ROLES), key=lambda choice: choice[1])
        request.__dict__[key] = choices
    return request.__dict__[key]


def may_edit_in(request, organisation_id: int | None) -> bool:
    ids = editable_organisation_ids(request)
    return ids is None or organisation_id in ids
