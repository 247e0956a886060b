"""Administrators manage certificate layouts: the JSON definition, its images, a preview."""
from __future__ import annotations

from pyramid.httpexceptions import HTTPFound
from pyramid.view import view_config
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from trainings.forms import FieldErrors, handle_form, make_form, render_form
from trainings.i18n import _
from trainings.models import Training
from trainings.security import Permission

from .. import layout_admin
from ..layouts import default_definition_text
from ..models import CertificateLayout
from ..schemas import AssetSchema, LayoutSchema
from . import pdf_response
from .organiser import sample_pdf


@view_config(route_name="layouts", renderer="certificates/layouts.jinja2", permission=Permission.administer)
def layouts(request):
    form = make_form(request, LayoutSchema(), submit_label=_("Create the layout"), formid="layout")

    def create(values):
        layout = layout_admin.save_layout(request.dbsession, None, values)
        return request.route_path("layout", layout_id=layout.id)

    result = handle_form(request, form, create, appstruct={"definition": default_definition_text()},
                         success_message=_("Layout created."))
    if isinstance(result, dict):
        result["layouts"] = request.dbsession.scalars(
            select(CertificateLayout).options(selectinload(CertificateLayout.programme),
                                              selectinload(CertificateLayout.assets))
            .order_by(CertificateLayout.name)).all()
    return result


def _asset_form(request, layout):
    return make_form(request, AssetSchema(), submit_label=_("Upload the image"), formid="asset",
                     action=request.route_path("layout_assets", layout_id=layout.id))


@view_config(route_name="layout", renderer="certificates/layout_edit.jinja2", permission=Permission.administer)
def layout_page(context, request):
    layout = context.obj
    form = make_form(request, LayoutSchema(), submit_label=_("Save the layout"), formid="layout")

    def save(values):
        layout_admin.save_layout(request.dbsession, layout, values)
        return request.route_path("layout", layout_id=layout.id)

    appstruct = {"name": layout.name, "programme": str(layout.programme_id or ""), "definition": layout.definition}
    result = handle_form(request, form, save, appstruct=appstruct, success_message=_("Layout saved."))
    if isinstance(result, dict):
        result.update(layout=layout, asset_form=render_form(_asset_form(request, layout))["form"])
    return result


@view_config(route_name="layout_assets", request_method="POST", renderer="certificates/layout_edit.jinja2",
             permission=Permission.administer)
def upload_asset(context, request):
    layout = context.obj
    form = _asset_form(request, layout)

    def upload(values):
        stream = values["upload"]["fp"]
        data = stream.read(layout_admin.MAX_READ)
        try:
            layout_admin.add_asset(request.dbsession, layout, values["name"], data)
        except ValueError as error:
            raise FieldErrors({"upload": error.args[0]}) from error
        return request.route_path("layout", layout_id=layout.id)

    result = handle_form(request, form, upload, success_message=_("Image uploaded."))
    if isinstance(result, dict):
        layout_form = make_form(request, LayoutSchema(), submit_label=_("Save the layout"), formid="layout",
                                action=request.route_path("layout", layout_id=layout.id))
        result.update(layout=layout, asset_form=result["form"],
                      form=render_form(layout_form, {"name": layout.name, "definition": layout.definition,
                                                     "programme": str(layout.programme_id or "")})["form"])
    return result


@view_config(route_name="layout_preview", permission=Permission.administer)
def layout_preview(context, request):
    layout = context.obj
    training = request.dbsession.scalars(select(Training).order_by(Training.ends_on.desc()).limit(1)).first()
    if training is None:
        request.session.flash(request.localizer.translate(_("Create a training first: the preview uses one.")),
                              "warning")
        return HTTPFound(location=request.route_path("layout", layout_id=layout.id))
    return pdf_response(sample_pdf(request, training, layout), f"layout-{layout.id}-sample.pdf")
