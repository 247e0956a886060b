"""The public listing of trainings, a training's page, and the JSON read API."""
from __future__ import annotations

import functools

from pyramid.httpexceptions import HTTPFound, HTTPNotFound
from pyramid.view import view_config
from slugify import slugify

from ..resources import parse_id
from ..security import Permission
from ..services import catalogue
from ..services.api import training_document


def _visible_training(request):
    training = catalogue.load_training_page(request.dbsession, parse_id(request.matchdict["id"]))
    # Drafts exist only for organisers: to everyone else they are not there at all.
    if training is None or not (catalogue.is_public(training)
                                or request.has_permission(Permission.manage, request.root)):
        raise HTTPNotFound()
    return training


def training_slug(training) -> str:
    return _slug_of_title(training.title)


@functools.lru_cache(maxsize=4096)
def _slug_of_title(title: str) -> str:
    """Transliterating a title costs more than the rest of its line in the listing: once per title."""
    return slugify(title, max_length=80, word_boundary=True) or "training"


@view_config(route_name="trainings", renderer="trainings/public/listing.jinja2", permission=Permission.view)
def listing(request):
    filters = catalogue.Filters.from_params(request.params)
    page = catalogue.list_public_trainings(request.dbsession, filters)
    return {"filters": filters, "page": page, "choices": catalogue.filter_choices(request.dbsession),
            "slug": training_slug}


@view_config(route_name="training", renderer="trainings/public/training.jinja2", permission=Permission.view)
@view_config(route_name="training_slug", renderer="trainings/public/training.jinja2", permission=Permission.view)
def training_page(request):
    training = _visible_training(request)
    slug = training_slug(training)
    if request.matched_route.name == "training_slug" and request.matchdict["slug"] != slug:
        return HTTPFound(location=request.route_path("training_slug", id=training.id, slug=slug))
    return {"training": training, "timetable": catalogue.timetable(training),
            "canonical": request.route_url("training", id=training.id),
            "open_for_registration": catalogue.accepts_registrations(training)}


def _page_url(request, filters, number):
    return request.route_url("api_trainings", _query=filters.query_params(page=number))


@view_config(route_name="api_trainings", renderer="json", permission=Permission.view)
def api_trainings(request):
    filters = catalogue.Filters.from_params(request.params)
    page = catalogue.list_public_trainings(request.dbsession, filters)
    return {
        "trainings": [training_document(request, training) for training in page.items],
        "page": page.number, "pages": page.pages, "total": page.total,
        "next": _page_url(request, filters, page.number + 1) if page.has_next else None,
        "previous": _page_url(request, filters, page.number - 1) if page.has_previous else None,
        "ignored_filters": filters.ignored,
    }


@view_config(route_name="api_training", renderer="json", permission=Permission.view)
def api_training(request):
    training = catalogue.load_training_page(request.dbsession, parse_id(request.matchdict["id"]))
    if training is None or not catalogue.is_public(training):
        request.response.status_int = 404
        return {"error": "not found"}
    return training_document(request, training, with_sessions=True)
