"""Route factories: load what a URL names, or answer 404; organiser pages inherit BASE_ACL."""
from __future__ import annotations

from pyramid.httpexceptions import HTTPNotFound
from sqlalchemy import select

from trainings.models import Training
from trainings.security import BASE_ACL

from .models import ParticipantImport, Person, Registration
from .tokens import hash_token


def _digits(request, name: str) -> int:
    value = request.matchdict.get(name, "")
    if not value.isdigit():
        raise HTTPNotFound()
    return int(value)


class TrainingContext:
    """A training named by `{id}`; registrations and imports of it by their own ids."""

    __acl__ = BASE_ACL

    def __init__(self, request):
        self.request = request
        self.training = request.dbsession.get(Training, _digits(request, "id"))
        if self.training is None:
            raise HTTPNotFound()

    def registration(self, registration_id) -> Registration:
        registration = self.request.dbsession.get(Registration, int(registration_id))
        if registration is None or registration.training_id != self.training.id:
            raise HTTPNotFound()
        return registration

    def participant_import(self, import_id) -> ParticipantImport:
        upload = self.request.dbsession.get(ParticipantImport, int(import_id))
        if upload is None or upload.training_id != self.training.id:
            raise HTTPNotFound()
        return upload


class PersonContext:
    __acl__ = BASE_ACL

    def __init__(self, request):
        self.person = request.dbsession.get(Person, _digits(request, "id"))
        if self.person is None:
            raise HTTPNotFound()


class PrivateLinkContext:
    """The registration a private link's token opens; None for an unknown token (the view
    answers 404 with a message that explains what to do)."""

    __acl__ = BASE_ACL

    def __init__(self, request):
        self.token = request.matchdict.get("token", "")
        self.registration = None
        if 20 <= len(self.token) <= 100:
            self.registration = request.dbsession.scalar(
                select(Registration).where(Registration.token_hash == hash_token(self.token))
            )
