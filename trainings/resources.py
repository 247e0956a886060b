"""Route factories: load the object a URL names, or answer 404. Each returns a context with
the base ACL, so that views declare their permission as usual."""
from __future__ import annotations

from pyramid.authorization import Allow, Everyone
from pyramid.httpexceptions import HTTPNotFound
from sqlalchemy.orm import joinedload

from .models import Organisation, Programme, Region, Training, TrainingSession, User, UserRole, Venue
from .security import ADMIN_PERMISSIONS, BASE_ACL, Permission, member_principal, organisation_acl, role_principal

MAX_ID = 2**31 - 1  # the largest PostgreSQL integer: a bigger number names nothing


def parse_id(text) -> int | None:
    """The id a URL or form value names, or None: only ASCII digits, within the database's range
    (a 20-digit number or a superscript digit used to reach the database and fail there)."""
    text = text.strip() if isinstance(text, str) else ""
    if not (text.isascii() and text.isdigit()):
        return None
    value = int(text)
    return value if 1 <= value <= MAX_ID else None


def get_by_id(dbsession, model, text, options=()):
    """The object a URL or form value names, or None (`options`: what to load with it)."""
    found_id = parse_id(text)
    return None if found_id is None else dbsession.get(model, found_id, options=list(options))


def training_with_place() -> list:
    """Loader options for a training page: its region and venue, which every tab shows."""
    return [joinedload(Training.region), joinedload(Training.venue)]


def get_or_404(dbsession, model, text, options=()):
    found = get_by_id(dbsession, model, text, options)
    if found is None:
        raise HTTPNotFound()
    return found


class OfTraining:
    """A context about one training (`self.training`): guarded by its organisation's roles."""

    @property
    def __acl__(self):
        return organisation_acl(self.training.organisation_id)


class ObjectContext:
    """An object named by the URL. Objects of an organisation (trainings, sessions, venues,
    programmes) are guarded by that organisation's roles; others (regions) by the base ACL."""

    model: type = None

    def __init__(self, request):
        self.request = request
        self.object = get_or_404(request.dbsession, self.model, request.matchdict.get("id"), self.load_options())

    def load_options(self) -> list:
        return []

    @property
    def organisation_id(self) -> int | None:
        return getattr(self.object, "organisation_id", None)

    @property
    def __acl__(self):
        if self.organisation_id is None:
            return BASE_ACL
        return organisation_acl(self.organisation_id)


class TrainingContext(ObjectContext):
    model = Training

    def load_options(self) -> list:
        return training_with_place()

    @property
    def training(self) -> Training:
        return self.object


class SessionContext(ObjectContext):
    model = TrainingSession

    @property
    def session(self) -> TrainingSession:
        return self.object

    @property
    def organisation_id(self) -> int:
        return self.object.training.organisation_id

    @property
    def training(self) -> Training:
        return self.object.training


class RegionContext(ObjectContext):
    model = Region


class VenueContext(ObjectContext):
    model = Venue


class ProgrammeContext(ObjectContext):
    model = Programme


class AccountContext(ObjectContext):
    """An account: administrators manage every one; a manager manages the members of their
    organisations (never an administrator's account)."""

    model = User

    @property
    def __acl__(self):
        acl = [(Allow, Everyone, Permission.view), (Allow, role_principal("admin"), ADMIN_PERMISSIONS)]
        if self.object.role != UserRole.admin:
            acl += [(Allow, member_principal(m.organisation_id, "manager"), Permission.members)
                    for m in self.object.memberships]
        return acl


class OrganisationContext(ObjectContext):
    model = Organisation

    @property
    def organisation_id(self) -> int:
        return self.object.id
