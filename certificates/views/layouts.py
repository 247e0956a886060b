"""Certificate layouts: organisers design them in a form with a live preview; administrators may
also edit the JSON definition and upload images by name."""
from __future__ import annotations

import deform
from pyramid.response import Response
from pyramid.view import view_config
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from trainings.forms import FieldErrors, handle_form, make_form, render_form
from trainings.i18n import _
from trainings.security import Permission

from .. import documents, layout_admin, layout_design
from ..layouts import InvalidLayout, describe
from ..models import CertificateLayout
from ..pdf import Renderer
from ..schemas import AssetSchema, LayoutDesignSchema, LayoutSchema, NewLayoutSchema
from . import pdf_response
from .organiser import sample_content


@view_config(route_name="layouts", renderer="certificates/layouts.jinja2", permission=Permission.manage)
def layouts(request):
    """Everyone creates a layout by naming it: it starts as the default design and opens in the
    designer. The JSON stays an administrator's advanced option for existing layouts."""
    form = make_form(request, NewLayoutSchema(), submit_label=_("Create the layout"), formid="layout")

    def create(values):
        layout = layout_admin.create_layout(request.dbsession, values["name"], values["programme"])
        return request.route_path("layout_design", layout_id=layout.id)

    result = handle_form(request, form, create, success_message=_("Layout created."))
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
    """Administrators edit the JSON itself (positions, fonts, sizes the form does not offer)."""
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


@view_config(route_name="layout_preview", permission=Permission.manage)
def layout_preview(context, request):
    layout = context.obj
    language = _preview_language(request)
    renderer = documents.cached_renderer((layout.id, layout.updated_at), lambda: documents.layout_of(layout))
    return pdf_response(renderer.render(sample_content(request, language)), f"layout-{layout.id}-sample.pdf")


def _preview_language(request) -> str:
    language = request.params.get("preview_language", "")
    return language if language in layout_design.LANGUAGES else request.locale_name


def _design_form(request, layout):
    return make_form(request, LayoutDesignSchema(), submit_label=_("Save the layout"), formid="design",
                     action=request.route_path("layout_design", layout_id=layout.id))


@view_config(route_name="layout_design", renderer="certificates/layout_design.jinja2", permission=Permission.manage)
def design_page(context, request):
    """The layout editor: a form, and beside it the preview of what it would print."""
    layout = context.obj
    form = _design_form(request, layout)

    def save(values):
        layout_design.save_design(request.dbsession, layout, values)
        return request.route_path("layout_design", layout_id=layout.id)

    result = handle_form(request, form, save, appstruct=layout_design.design_values(layout),
                         success_message=_("Layout saved."))
    if isinstance(result, dict):
        result.update(layout=layout, preview_language=_preview_language(request),
                      languages=layout_design.LANGUAGES)
    return result


@view_config(route_name="layout_design_preview", request_method="POST", permission=Permission.manage)
def design_preview(context, request):
    """A sample certificate with the form's values as they stand, saved or not (nothing is
    written). The page's script shows it beside the form; without script, the "Preview"
    button opens it in a new tab. Invalid values answer 400 with the form's messages."""
    layout = context.obj
    form = _design_form(request, layout)
    try:
        values = form.validate(request.POST.items())
        preview = layout_design.preview_layout(layout, values)
    except deform.ValidationFailure as failure:
        request.tm.doom()
        return Response(failure.render(), status=400, content_type="text/html", charset="utf-8")
    except InvalidLayout as invalid:
        request.tm.doom()
        return Response(describe(invalid), status=400, content_type="text/plain", charset="utf-8")
    request.tm.doom()  # reading an upload changes nothing, but make sure of it
    body = Renderer(preview).render(sample_content(request, _preview_language(request)))
    return pdf_response(body, f"layout-{layout.id}-preview.pdf")
