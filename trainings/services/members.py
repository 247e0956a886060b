"""Who manages whom: the accounts a manager or administrator sees, and changes to memberships."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ..models import MemberRole, Membership, Organisation, User


def accounts_of(dbsession: Session, organisation_ids: frozenset[int] | None) -> list[User]:
    """Every account (None), or the members of the given organisations, by email."""
    query = select(User).options(selectinload(User.memberships)).order_by(User.email)
    if organisation_ids is not None:
        members = select(Membership.user_id).where(Membership.organisation_id.in_(sorted(organisation_ids)))
        query = query.where(User.id.in_(members))
    return list(dbsession.scalars(query))


def organisations(dbsession: Session, ids: frozenset[int] | None = None) -> list[Organisation]:
    query = select(Organisation).order_by(Organisation.name)
    if ids is not None:
        query = query.where(Organisation.id.in_(sorted(ids)))
    return list(dbsession.scalars(query))


def roles_by_organisation(user: User) -> dict[int, MemberRole]:
    return {membership.organisation_id: membership.role for membership in user.memberships}
