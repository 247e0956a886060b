"""Form schemas of the certificates package."""
import colander
import deform
from sqlalchemy import select

from trainings.forms import CSRFSchema
from trainings.i18n import _
from trainings.models import Programme
from trainings.scoping import visible_organisation_ids

from .labels import CERTIFICATE_KIND
from .layouts import InvalidLayout, describe, parse_layout
from .models import CertificateLayout


def _translate_kind_choices():
    return [(str(kind), label) for kind, label in CERTIFICATE_KIND.items()]


@colander.deferred
def _registration_choices(node, kw):
    choices = [(str(registration.id), registration.person.full_name) for registration in kw["registrations"]]
    return deform.widget.SelectWidget(values=[("", _("Choose a person"))] + choices)


@colander.deferred
def _registration_validator(node, kw):
    return colander.OneOf([str(registration.id) for registration in kw["registrations"]])


class ManualIssueSchema(CSRFSchema):
    registration = colander.SchemaNode(colander.String(), title=_("Person"), widget=_registration_choices,
                                       validator=_registration_validator)
    kind = colander.SchemaNode(colander.String(), title=_("Kind of certificate"),
                               widget=deform.widget.SelectWidget(values=_translate_kind_choices()),
                               validator=colander.OneOf([str(kind) for kind in CERTIFICATE_KIND]))
    reason = colander.SchemaNode(colander.String(), title=_("Reason"), validator=colander.Length(1, 1000),
                                 description=_("Kept with the certificate; organisers see it."),
                                 widget=deform.widget.TextAreaWidget(rows=3))


class RevokeSchema(CSRFSchema):
    reason = colander.SchemaNode(colander.String(), title=_("Reason"), validator=colander.Length(1, 1000),
                                 description=_("Kept with the certificate; the public page shows only the date."),
                                 widget=deform.widget.TextAreaWidget(rows=3))


@colander.deferred
def _layout_choices(node, kw):
    layouts = usable_layouts(kw["request"])
    return deform.widget.SelectWidget(values=[("", _("Default layout"))]
                                      + [(str(layout.id), layout.name) for layout in layouts])


def usable_layouts(request) -> list[CertificateLayout]:
    """The layouts shared by all (no organisation) and those of the user's organisations."""
    ids = visible_organisation_ids(request)
    query = select(CertificateLayout).order_by(CertificateLayout.name)
    if ids is not None:
        query = query.where(CertificateLayout.organisation_id.is_(None)
                            | CertificateLayout.organisation_id.in_(sorted(ids)))
    return list(request.dbsession.scalars(query))


class LayoutChoiceSchema(CSRFSchema):
    layout = colander.SchemaNode(colander.String(), title=_("Layout"), widget=_layout_choices, missing="")


def _valid_definition(node, value):
    try:
        parse_layout(value)
    except InvalidLayout as invalid:
        raise colander.Invalid(node, describe(invalid)) from invalid


@colander.deferred
def _programme_choices(node, kw):
    programmes = kw["request"].dbsession.scalars(select(Programme).order_by(Programme.name)).all()
    return deform.widget.SelectWidget(values=[("", _("Any programme"))]
                                      + [(str(programme.id), programme.name) for programme in programmes])


class LayoutSchema(CSRFSchema):
    name = colander.SchemaNode(colander.String(), title=_("Name"), validator=colander.Length(1, 120))
    programme = colander.SchemaNode(colander.String(), title=_("Programme"), widget=_programme_choices,
                                    missing="")
    definition = colander.SchemaNode(
        colander.String(), title=_("Layout (JSON)"), validator=_valid_definition,
        description=_("Positions in millimetres from the top-left corner; see docs/certificates.md."),
        widget=deform.widget.TextAreaWidget(rows=24, css_class="font-monospace small"))


class MemoryTmpStore(dict):
    """deform's file widget keeps an upload between a failed validation and the next try;
    one request is all it needs here."""

    def preview_url(self, uid):
        return None


@colander.deferred
def _upload_widget(node, kw):
    return deform.widget.FileUploadWidget(MemoryTmpStore(), accept="image/png,image/jpeg")


class AssetSchema(CSRFSchema):
    name = colander.SchemaNode(colander.String(), title=_("Image name"), validator=colander.Regex(
        r"^[A-Za-z0-9][A-Za-z0-9._-]{0,119}$", msg=_("Letters, digits, dots, dashes and underscores only.")),
        description=_("The name the layout file uses, e.g. logo-oim.png"))
    upload = colander.SchemaNode(deform.FileData(), title=_("Image (PNG or JPEG, at most 2 MB)"),
                                 widget=_upload_widget)
