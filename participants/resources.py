"""Route factories: load what a URL names, or answer 404; organiser pages inherit BASE_ACL."""
from __future__ import annotations

from pyramid.httpexceptions import HTTPNotFound
from sqlalchemy.orm import joinedload

from trainings.models import Training
from trainings.resources import OfTraining, get_or_404, training_with_place
from trainings.security import BASE_ACL

from .models import ParticipantImport, Person, Registration
from .scoping import visible_person_or_404
from .tokens import registration_by_token


class TrainingContext(OfTraining):
    """A training named by `{id}`; registrations and imports of it by their own ids."""

    def __init__(self, request):
        self.request = request
        self.training = get_or_404(request.dbsession, Training, request.matchdict.get("id"), training_with_place())

    def registration(self, registration_id) -> Registration:
        registration = get_or_404(self.request.dbsession, Registration, str(registration_id))
        if registration.training_id != self.training.id:
            raise HTTPNotFound()
        return registration

    def participant_import(self, import_id) -> ParticipantImport:
        upload = get_or_404(self.request.dbsession, ParticipantImport, str(import_id))
        if upload.training_id != self.training.id:
            raise HTTPNotFound()
        return upload


class PersonContext:
    """A person of the registry: members see only people registered in their organisations'
    trainings (anyone else is 404 to them, as if unknown)."""

    __acl__ = BASE_ACL

    def __init__(self, request):
        self.person = visible_person_or_404(request, request.matchdict.get("id"))


class PrivateLinkContext:
    """The registration a private link's token opens; None for an unknown token (the view
    answers 404 with a message that explains what to do)."""

    __acl__ = BASE_ACL

    def __init__(self, request):
        self.token = request.matchdict.get("token", "")
        # Everything the private page shows of the registration, in the same query.
        self.registration = registration_by_token(
            request.dbsession, self.token,
            joinedload(Registration.training).joinedload(Training.region),
            joinedload(Registration.training).joinedload(Training.venue),
            joinedload(Registration.person).joinedload(Person.institution))
