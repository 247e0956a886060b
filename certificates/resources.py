"""Route factories: the object a page is about, or 404. Every one carries the base ACL."""
from __future__ import annotations

import json

from pyramid.httpexceptions import HTTPNotFound

from trainings.models import Job, Training
from trainings.resources import get_or_404, training_with_place
from trainings.security import BASE_ACL, organisation_acl

from .exports import JOB_KIND
from .models import Certificate, CertificateLayout


class Context:
    """What a page is about; guarded by its organisation's roles when it has one."""

    def __init__(self, obj, organisation_id: int | None = None):
        self.obj = obj
        self.organisation_id = organisation_id

    @property
    def __acl__(self):
        return BASE_ACL if self.organisation_id is None else organisation_acl(self.organisation_id)


def _load(request, model, key: str, options=()):
    obj = get_or_404(request.dbsession, model, request.matchdict.get(key), options)
    return obj


def training_factory(request) -> Context:
    training = _load(request, Training, "id", training_with_place())
    return Context(training, training.organisation_id)


def certificate_factory(request) -> Context:
    certificate = _load(request, Certificate, "certificate_id")
    return Context(certificate, certificate.registration.training.organisation_id)


def layout_factory(request) -> Context:
    layout = _load(request, CertificateLayout, "layout_id")
    return Context(layout, layout.organisation_id)


def job_factory(request) -> Context:
    job = _load(request, Job, "job_id")
    if job.kind != JOB_KIND:
        raise HTTPNotFound()
    training_id = json.loads(job.parameters or "{}").get("training_id")
    training = request.dbsession.get(Training, training_id) if isinstance(training_id, int) else None
    return Context(job, training.organisation_id if training is not None else None)
