"""Route factories: the object a page is about, or 404. Every one carries the base ACL."""
from __future__ import annotations

from pyramid.httpexceptions import HTTPNotFound

from trainings.models import Job, Training
from trainings.resources import get_or_404, training_with_place
from trainings.security import BASE_ACL

from .exports import JOB_KIND
from .models import Certificate, CertificateLayout


class Context:
    __acl__ = BASE_ACL

    def __init__(self, obj):
        self.obj = obj


def _load(request, model, key: str, options=()):
    obj = get_or_404(request.dbsession, model, request.matchdict.get(key), options)
    return obj


def training_factory(request) -> Context:
    return Context(_load(request, Training, "id", training_with_place()))


def certificate_factory(request) -> Context:
    return Context(_load(request, Certificate, "certificate_id"))


def layout_factory(request) -> Context:
    return Context(_load(request, CertificateLayout, "layout_id"))


def job_factory(request) -> Context:
    job = _load(request, Job, "job_id")
    if job.kind != JOB_KIND:
        raise HTTPNotFound()
    return Context(job)
