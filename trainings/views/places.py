"""Organisers manage regions, venues and programmes."""
from __future__ import annotations

from pyramid.view import view_config

from ..forms import make_form
from ..i18n import _
from ..resources import ProgrammeContext, RegionContext, VenueContext, parse_id
from ..schemas import ProgrammeSchema, RegionSchema, VenueSchema
from ..scoping import visible_organisation_ids
from ..security import Permission
from ..services import places
from . import form_page

FORM = "trainings/organiser/form.jinja2"


@view_config(route_name="regions", renderer="trainings/organiser/regions.jinja2", permission=Permission.read)
def region_list(request):
    return {"regions": places.regions(request.dbsession),
            "venues": places.venues(request.dbsession, visible_organisation_ids(request))}


@view_config(route_name="programmes", renderer="trainings/organiser/programmes.jinja2",
             permission=Permission.read)
def programme_list(request):
    return {"programmes": places.programmes(request.dbsession, visible_organisation_ids(request))}


def _edit(request, schema, save, appstruct, heading, back):
    def on_valid(values):
        save(values)
        return request.route_path(back)

    return form_page(request, make_form(request, schema), on_valid, appstruct=appstruct,
                     success_message=_("Changes saved."),
                     page={"heading": heading, "training": None, "back": request.route_path(back)})


def _fields(obj, names) -> dict:
    return {name: getattr(obj, name) for name in names}


# A region's time zone sets the clock of every training held there: administrators keep them.
@view_config(route_name="region_new", renderer=FORM, permission=Permission.administer)
def region_new(request):
    return _edit(request, RegionSchema(), lambda values: places.save_region(request, values),
                 {"country": "PE", "timezone": "America/Lima"}, _("New region"), "regions")


@view_config(route_name="region_edit", context=RegionContext, renderer=FORM, permission=Permission.administer)
def region_edit(context, request):
    region = context.object
    return _edit(request, RegionSchema(), lambda values: places.save_region(request, values, region),
                 _fields(region, ("country", "name", "city", "timezone")), _("Edit the region"), "regions")


@view_config(route_name="venue_new", renderer=FORM, permission=Permission.manage)
def venue_new(request):
    return _edit(request, VenueSchema(), lambda values: places.save_venue(request, values),
                 _preselected_region(request), _("New venue"), "regions")


def _preselected_region(request) -> dict:
    region = request.params.get("region", "")
    return {"region_id": parse_id(region)} if parse_id(region) else {}


@view_config(route_name="venue_edit", context=VenueContext, renderer=FORM, permission=Permission.manage)
def venue_edit(context, request):
    venue = context.object
    return _edit(request, VenueSchema(), lambda values: places.save_venue(request, values, venue),
                 _fields(venue, ("organisation_id", "region_id", "name",
                                 "address", "latitude", "longitude")), _("Edit the venue"),
                 "regions")


@view_config(route_name="programme_new", renderer=FORM, permission=Permission.manage)
def programme_new(request):
    return _edit(request, ProgrammeSchema(), lambda values: places.save_programme(request.dbsession, values),
                 {}, _("New programme"), "programmes")


@view_config(route_name="programme_edit", context=ProgrammeContext, renderer=FORM, permission=Permission.manage)
def programme_edit(context, request):
    programme = context.object
    return _edit(request, ProgrammeSchema(),
                 lambda values: places.save_programme(request.dbsession, values, programme),
                 _fields(programme, ("organisation_id", "name", "donor", "starts_on", "ends_on", "description")),
                 _("Edit the programme"), "programmes")
