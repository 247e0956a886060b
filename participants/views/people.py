"""Organisers' pages about the registry: people, one person's history, duplicates and merging."""
from __future__ import annotations

from pyramid.httpexceptions import HTTPFound
from pyramid.view import view_config
from slugify import slugify

from trainings.audit import record
from trainings.forms import make_form
from trainings.i18n import _, country_name
from trainings.paging import LIST_PAGE_SIZE, Page, clamp_page, requested_page
from trainings.resources import get_by_id
from trainings.security import Permission
from trainings.views import form_page

from .. import exports
from ..duplicates import GROUPS_PER_PAGE, probable_duplicates, same_document
from ..models import Person
from ..people import (
    COUNT_CAP,
    CannotMerge,
    count_people,
    history,
    merge_people,
    merge_preview,
    person_values,
    search_people,
    update_person,
)
from ..schemas import PersonEditSchema
from ..scoping import people_scope, person_is_visible, registrations_scope
from ..spreadsheets import Download


def _query(request) -> str:
    return request.params.get("q", "").strip()[:100]


@view_config(route_name="people", renderer="participants/organiser/people.jinja2", permission=Permission.read)
def people_view(request):
    query = _query(request)
    counted = count_people(request.dbsession, query, scope=people_scope(request))
    total = min(counted, COUNT_CAP)
    number = clamp_page(requested_page(request.params), total, LIST_PAGE_SIZE)
    people = search_people(request.dbsession, query, limit=LIST_PAGE_SIZE, offset=(number - 1) * LIST_PAGE_SIZE,
                           scope=people_scope(request))
    return {"q": query, "page": Page(people, number, LIST_PAGE_SIZE, total), "more": counted > COUNT_CAP}


@view_config(route_name="people_export", renderer="spreadsheet", permission=Permission.read)
def people_export(request):
    """Everyone the page's search finds (not only the first page of them)."""
    people = search_people(request.dbsession, _query(request), limit=None, scope=people_scope(request))
    table = exports.people_table(request, people)
    record(request, "people.export", summary=f"{len(people)} people, search {_query(request)!r}, "
           f"{request.matchdict['format']}")
    return Download(table, slugify(table.title) or "people", request.matchdict["format"])


@view_config(route_name="person", renderer="participants/organiser/person.jinja2", permission=Permission.read)
def person_view(request):
    person = request.context.person
    return {"person": person, "lines": history(request.dbsession, person, registrations_scope(request))}


@view_config(route_name="person_edit", renderer="participants/organiser/person_edit.jinja2",
             permission=Permission.manage)
def person_edit(request):
    person = request.context.person
    form = make_form(request, PersonEditSchema(), submit_label=_("Save"))

    def save(values):
        update_person(request.dbsession, person, values, request=request)
        return request.route_path("person", id=person.id)

    return form_page(request, form, save, appstruct=person_values(person), page={"person": person},
                     success_message=_("Saved. Certificates already issued keep the name they were issued with."))


@view_config(route_name="duplicates", renderer="participants/organiser/duplicates.jinja2",
             permission=Permission.read)
def duplicates_view(request):
    number = requested_page(request.params)
    window = {"limit": GROUPS_PER_PAGE + 1, "offset": (number - 1) * GROUPS_PER_PAGE,
              "scope": people_scope(request)}
    groups = probable_duplicates(request.dbsession, **window)
    by_document = same_document(request.dbsession, **window)  # paged alongside, page for page
    return {"groups": groups[:GROUPS_PER_PAGE], "by_document": by_document[:GROUPS_PER_PAGE], "number": number,
            "has_next": len(groups) > GROUPS_PER_PAGE or len(by_document) > GROUPS_PER_PAGE}


MERGE_CANDIDATES = 20


def _visible_person(request, typed_id: str) -> Person | None:
    """The person of an id from the query string, if the user may see them (else None, as unknown)."""
    person = get_by_id(request.dbsession, Person, typed_id)
    return person if person is not None and person_is_visible(request, person.id) else None


@view_config(route_name="people_merge", request_method="GET", renderer="participants/organiser/merge.jinja2",
             permission=Permission.manage)
def merge_page(request):
    """Merging two persons the organiser chooses: the one to keep, then the other (searched by
    name, email, document or institution), then a preview of what is kept and what moves."""
    scope = people_scope(request)
    keep = _visible_person(request, request.params.get("keep", ""))
    if keep is None:
        return HTTPFound(location=request.route_path("duplicates"))
    other = _visible_person(request, request.params.get("other", ""))
    if other is not None and other.id != keep.id:
        preview = merge_preview(request.dbsession, keep, other,
                                shown=lambda name, value: country_name(request, value) if name == "country" else value)
        return {"keep": keep, "preview": preview, "q": "", "candidates": []}
    query = _query(request)
    candidates = []
    if query:
        found = search_people(request.dbsession, query, limit=MERGE_CANDIDATES + 1, scope=scope)
        candidates = [person for person in found if person.id != keep.id][:MERGE_CANDIDATES]
    return {"keep": keep, "preview": None, "q": query, "candidates": candidates}


@view_config(route_name="people_merge", request_method="POST", permission=Permission.manage)
def merge_view(request):
    keep_id, other_id = request.POST.get("keep", ""), request.POST.get("other", "")
    keep, other = get_by_id(request.dbsession, Person, keep_id), get_by_id(request.dbsession, Person, other_id)
    if keep is None or other is None or not all(person_is_visible(request, p.id) for p in (keep, other)):
        request.session.flash(request.localizer.translate(_("Choose the two persons to merge.")), "error")
        return HTTPFound(location=request.route_path("duplicates"))
    name = other.full_name
    try:
        absorbed = merge_people(request, keep, other)
    except CannotMerge:
        request.session.flash(request.localizer.translate(_("A person cannot be merged with themselves.")), "error")
        return HTTPFound(location=request.route_path("duplicates"))
    request.session.flash(request.localizer.pluralize(
        "${other} merged into ${keep}; ${count} duplicate registration combined.",
        "${other} merged into ${keep}; ${count} duplicate registrations combined.", len(absorbed),
        domain="capacita", mapping={"other": name, "keep": keep.full_name, "count": len(absorbed)}), "success")
    return HTTPFound(location=request.route_path("person", id=keep.id))
