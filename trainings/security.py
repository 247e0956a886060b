"""Who may do what: organiser identity from the signed session, permissions by role.

Administrators may do everything everywhere. Everyone else works through memberships: a role
(manager, organiser, viewer) in each organisation. Pages that name an object of one
organisation (a training, a venue, a programme) grant by that organisation's roles (the
resource's `__acl__`, built by `organisation_acl`); pages that list or create grant by the best
role held anywhere, and their queries are narrowed to the user's organisations by
`trainings.scoping`."""
from __future__ import annotations

import enum

from pyramid.authentication import SessionAuthenticationHelper
from pyramid.authorization import ACLHelper, Allow, Authenticated, Everyone
from pyramid.csrf import SessionCSRFStoragePolicy
from pyramid.session import SignedCookieSessionFactory
from sqlalchemy.orm import joinedload

from .models import MemberRole, User, UserRole
from .settings import as_bool


class Permission(enum.StrEnum):
    view = "view"  # anyone: public pages, feeds, verification
    read = "read"  # every member, viewers included: lists, people, reports and their exports
    manage = "manage"  # organisers: trainings, venues, programmes, participants, attendance, certificates
    members = "members"  # managers: their organisation's accounts and roles
    administer = "administer"  # admins: organisations, regions (their time zones), certificate layouts


# What each role of a membership may do, in that organisation.
ROLE_PERMISSIONS = {
    MemberRole.viewer: (Permission.read,),
    MemberRole.organiser: (Permission.read, Permission.manage),
    MemberRole.manager: (Permission.read, Permission.manage, Permission.members),
}
ADMIN_PERMISSIONS = (Permission.read, Permission.manage, Permission.members, Permission.administer)


def role_principal(role: str) -> str:
    return f"role:{role}"


def member_principal(organisation_id: int, role: str) -> str:
    return f"organisation:{organisation_id}:{role}"


# The ACL of pages that belong to no organisation (lists, "new" forms, reports): a role held in
# any organisation; what the page then shows is narrowed by `trainings.scoping`.
BASE_ACL = (
    (Allow, Everyone, Permission.view),
    (Allow, role_principal("admin"), ADMIN_PERMISSIONS),
    *((Allow, role_principal(role), permissions) for role, permissions in ROLE_PERMISSIONS.items()),
)


def organisation_acl(organisation_id: int | None) -> tuple:
    """The ACL of an object of one organisation: its members by role, and administrators."""
    return (
        (Allow, Everyone, Permission.view),
        (Allow, role_principal("admin"), ADMIN_PERMISSIONS),
        *((Allow, member_principal(organisation_id, role), permissions)
          for role, permissions in ROLE_PERMISSIONS.items()),
    )


class Root:
    """The root resource of every route without a factory of its own."""

    __acl__ = BASE_ACL

    def __init__(self, request):
        self.request = request


EPOCH_KEY = "capacita.session_epoch"
IDENTITY_KEY = "_capacita_identity"


class SecurityPolicy:
    def __init__(self):
        self.session_helper = SessionAuthenticationHelper()
        self.acl_helper = ACLHelper()

    def identity(self, request) -> User | None:
        """The logged-in organiser, read once per request: `request.identity` is asked for by
        every permission check, link and menu of a page."""
        if IDENTITY_KEY not in request.__dict__:
            request.__dict__[IDENTITY_KEY] = self._load_identity(request)
        return request.__dict__[IDENTITY_KEY]

    def _load_identity(self, request) -> User | None:
        user_id = self.session_helper.authenticated_userid(request)
        if user_id is None:
            return None
        # One statement for the user and their memberships: every page asks for both.
        user = request.dbsession.get(User, user_id, options=[joinedload(User.memberships)])
        if user is None or not user.active or request.session.get(EPOCH_KEY) != user.session_epoch:
            return None
        return user

    def authenticated_userid(self, request):
        user = request.identity
        return None if user is None else user.id

    def principals(self, request) -> list[str]:
        principals = [Everyone]
        user = request.identity
        if user is None:
            return principals
        principals += [Authenticated, f"user:{user.id}"]
        if user.role == UserRole.admin:
            return [*principals, role_principal("admin")]
        for membership in user.memberships:
            principals += [role_principal(membership.role),
                           member_principal(membership.organisation_id, membership.role)]
        return principals

    def permits(self, request, context, permission):
        return self.acl_helper.permits(context, self.principals(request), permission)

    def remember(self, request, userid, **kw):
        request.__dict__.pop(IDENTITY_KEY, None)
        user = request.dbsession.get(User, userid)
        request.session[EPOCH_KEY] = user.session_epoch
        return self.session_helper.remember(request, userid, **kw)

    def forget(self, request, **kw):
        """Log out: this session ends, and so does every copy of it or other session of the user."""
        user = request.identity
        if user is not None:
            user.session_epoch += 1
        headers = self.session_helper.forget(request, **kw)
        request.__dict__.pop(IDENTITY_KEY, None)
        return headers


# Sent with every answer. No page is meant to be framed by another site (clickjacking a
# "cancel my registration" button); and private links carry their token in the path, so no
# address of this site is ever sent to another one as a Referer (a calendar service, a map).
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "frame-ancestors 'none'; base-uri 'self'; object-src 'none'",
    "Referrer-Policy": "same-origin",
}


def add_security_headers(event) -> None:
    headers = event.response.headers
    for name, value in SECURITY_HEADERS.items():
        headers.setdefault(name, value)


class _OfOrganisation:
    """The permissions over one organisation's objects, for `may`."""

    def __init__(self, organisation_id: int):
        self.__acl__ = organisation_acl(organisation_id)


def may(request, permission: str, organisation_id: int | None = None) -> bool:
    """Whether the user may do `permission` on this page's object, or on the objects of
    `organisation_id` (a list mixing organisations): templates offer a button only to those it
    would not refuse. Remembered for the request."""
    key = (permission, organisation_id)
    known = request.__dict__.setdefault("_capacita_may", {})
    if key not in known:
        context = request.context if organisation_id is None else _OfOrganisation(organisation_id)
        known[key] = bool(request.has_permission(permission, context))
    return known[key]


def includeme(config):
    settings = config.get_settings()
    config.add_request_method(may, "may")
    config.add_subscriber(add_security_headers, "pyramid.events.NewResponse")
    session_factory = SignedCookieSessionFactory(
        settings["session.secret"],
        cookie_name="capacita_session",
        httponly=True,
        samesite="Lax",
        secure=as_bool(settings.get("session.secure", False)),
        timeout=8 * 3600,
        reissue_time=600,
    )
    config.set_session_factory(session_factory)
    config.set_csrf_storage_policy(SessionCSRFStoragePolicy())
    config.set_default_csrf_options(require_csrf=True)
    config.set_security_policy(SecurityPolicy())
    config.set_root_factory(Root)
