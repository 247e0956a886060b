"""The institutions registry: review, correct, merge."""
from __future__ import annotations

from pyramid.httpexceptions import HTTPFound
from pyramid.view import view_config

from participants.models import Institution
from trainings.forms import handle_form, make_form
from trainings.i18n import _
from trainings.security import Permission

from ..institutions import PAGE_SIZE, institution_lines, merge_institutions, update_institution
from ..schemas import InstitutionMergeSchema, InstitutionSchema
from .report import page_number

FORM = "reports/form.jinja2"


@view_config(route_name="institutions", renderer="reports/institutions.jinja2", permission=Permission.manage,
             request_method="GET")
def institution_list(request):
    unreviewed = request.GET.get("unreviewed") == "1"
    search = (request.GET.get("q") or "").strip()[:100]
    page = page_number(request.GET.get("page", "1"))
    total, lines = institution_lines(request.dbsession, unreviewed_only=unreviewed, search=search, page=page)
    return {"lines": lines, "total": total, "page": page, "pages": max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1),
            "unreviewed": unreviewed, "q": search}


@view_config(route_name="institution_edit", renderer=FORM, permission=Permission.manage)
def institution_edit(context, request):
    institution: Institution = context.object
    form = make_form(request, InstitutionSchema(), submit_label=_("Save the institution"))

    def save(values):
        update_institution(request.dbsession, institution, values)
        return request.route_path("institutions", _query={"unreviewed": "1"} if request.GET.get("unreviewed") else {})

    appstruct = {"name": institution.name, "kind": institution.kind.value, "country": institution.country or "",
                 "reviewed": True}  # saving this form is the review
    result = handle_form(request, form, save, appstruct=appstruct, success_message=_("Institution saved."))
    if isinstance(result, dict):
        result.update(heading=request.localizer.translate(_("Review the institution")),
                      back=request.route_path("institutions"),
                      merge_url=request.route_path("institution_merge", id=institution.id))
    return result


@view_config(route_name="institution_merge", renderer=FORM, permission=Permission.manage)
def institution_merge(context, request):
    institution: Institution = context.object
    schema = InstitutionMergeSchema().bind(request=request, institution=institution)
    form = make_form(request, schema, submit_label=_("Merge the two institutions"))

    def merge(values):
        keep = request.dbsession.get(Institution, int(values["keep"]))
        moved = merge_institutions(request.dbsession, institution, keep, request=request)
        request.session.flash(request.localizer.pluralize(
            "${count} person moved to ${name}.", "${count} people moved to ${name}.", moved, domain="capacita",
            mapping={"count": moved, "name": keep.name}), "success")
        return HTTPFound(location=request.route_path("institutions"))

    result = handle_form(request, form, merge)
    if isinstance(result, dict):
        translate = request.localizer.translate
        result.update(heading=translate(_("Merge “${name}” into another institution",
                                          mapping={"name": institution.name})),
                      back=request.route_path("institution_edit", id=institution.id),
                      intro=translate(_("Its people and their registrations move to the institution you choose; "
                                        "this one is then deleted. This cannot be undone.")))
    return result
