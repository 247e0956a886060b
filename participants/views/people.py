"""Organisers' pages about the registry: people, one person's history, duplicates and merging."""
from __future__ import annotations

from pyramid.httpexceptions import HTTPFound
from pyramid.view import view_config
from slugify import slugify

from trainings.forms import make_form
from trainings.i18n import _
from trainings.paging import LIST_PAGE_SIZE, Page, clamp_page, requested_page
from trainings.resources import get_by_id
from trainings.security import Permission
from trainings.views import form_page

from .. import exports
from ..duplicates import GROUPS_PER_PAGE, probable_duplicates
from ..models import Person
from ..people import (
    COUNT_CAP,
    CannotMerge,
    count_people,
    history,
    merge_people,
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
    table = exports.people_table(request, search_people(request.dbsession, _query(request), limit=None,
                                                           scope=people_scope(request)))
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
        update_person(request.dbsession, person, values)
        return request.route_path("person", id=person.id)

    return form_page(request, form, save, appstruct=person_values(person), page={"person": person},
                     success_message=_("Saved. Certificates already issued keep the name they were issued with."))


@view_config(route_name="duplicates", renderer="participants/organiser/duplicates.jinja2",
             permission=Permission.read)
def duplicates_view(request):
    number = requested_page(request.params)
    groups = probable_duplicates(request.dbsession, limit=GROUPS_PER_PAGE + 1, offset=(number - 1) * GROUPS_PER_PAGE,
                                 scope=people_scope(request))
    return {"groups": groups[:GROUPS_PER_PAGE], "number": number, "has_next": len(groups) > GROUPS_PER_PAGE}


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
