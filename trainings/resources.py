"""Route factories: load the object a URL names, or answer 404. Each returns a context with
the base ACL, so that views declare their permission as usual."""
from __future__ import annotations

from pyramid.httpexceptions import HTTPNotFound

from .models import Programme, Region, Training, TrainingSession, Venue
from .security import BASE_ACL


class ObjectContext:
    __acl__ = BASE_ACL
    model: type = None

    def __init__(self, request):
        self.request = request
        raw = request.matchdict.get("id", "")
        found = request.dbsession.get(self.model, int(raw)) if raw.isdigit() else None
        if found is None:
            raise HTTPNotFound()
        self.object = found


class TrainingContext(ObjectContext):
    model = Training

    @property
    def training(self) -> Training:
        return self.object


class SessionContext(ObjectContext):
    model = TrainingSession

    @property
    def session(self) -> TrainingSession:
        return self.object

    @property
    def training(self) -> Training:
        return self.object.training


class RegionContext(ObjectContext):
    model = Region


class VenueContext(ObjectContext):
    model = Venue


class ProgrammeContext(ObjectContext):
    model = Programme
