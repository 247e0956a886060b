"""Form schemas of the certificates package."""
import colander
import deform
from sqlalchemy import select, true

from trainings.forms import CSRFSchema
from trainings.i18n import _
from trainings.scoping import visible_organisation_ids
from trainings.services.places import programme_choices

from . import layout_admin
from .labels import CERTIFICATE_KIND
from .layouts import COLOUR, InvalidLayout, check_image, describe, parse_layout
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
                                 # The revocation email quotes the reason: say so before it is typed.
                                 description=_("Emailed to the person and kept with the certificate; "
                                               "the public verification page shows only the date."),
                                 widget=deform.widget.TextAreaWidget(rows=3))


def usable_by(request):
    """The condition on CertificateLayout: shared by all (no organisation) or of one of the
    user's organisations."""
    ids = visible_organisation_ids(request)
    if ids is None:
        return true()
    return CertificateLayout.organisation_id.is_(None) | CertificateLayout.organisation_id.in_(sorted(ids))


def usable_layouts(request) -> list[CertificateLayout]:
    return list(request.dbsession.scalars(
        select(CertificateLayout).where(usable_by(request)).order_by(CertificateLayout.name)))


class LayoutChoiceSchema(CSRFSchema):
    layout = colander.SchemaNode(colander.String(), title=_("Layout"), missing="")


def layout_choice_schema(layouts: list[tuple[int, str]]) -> LayoutChoiceSchema:
    """The form choosing a training's layout among `layouts` ((id, name) pairs, read by the view
    with the training's choice in one statement: the certificates tab has a statement budget)."""
    schema = LayoutChoiceSchema()
    schema["layout"].widget = deform.widget.SelectWidget(
        values=[("", _("Default layout"))] + [(str(layout_id), name) for layout_id, name in layouts])
    return schema


def _valid_definition(node, value):
    try:
        parse_layout(value)
    except InvalidLayout as invalid:
        raise colander.Invalid(node, describe(invalid)) from invalid


@colander.deferred
def _programme_choices(node, kw):
    """The programmes of the organisations the user works in (`places.programme_choices`)."""
    return deform.widget.SelectWidget(values=[("", _("Any programme")), *programme_choices(kw["request"])])


@colander.deferred
def _programme_validator(node, kw):
    """A programme offered, or none: a forged value is refused next to the field."""
    return colander.OneOf([""] + [value for value, _name in programme_choices(kw["request"])])


class LayoutSchema(CSRFSchema):
    """An existing layout as JSON: administrators' advanced option (a new layout is only named)."""
    name = colander.SchemaNode(colander.String(), title=_("Name"), validator=colander.Length(1, 120))
    programme = colander.SchemaNode(colander.String(), title=_("Programme"), widget=_programme_choices,
                                    validator=_programme_validator, missing="")
    definition = colander.SchemaNode(
        colander.String(), title=_("Layout (JSON)"), validator=_valid_definition,
        # The documentation is not at hand for users: say here what the numbers mean.
        description=_("Positions and sizes in millimetres from the page's top-left corner (a text's y is "
                      "its baseline); font sizes in points. Fields left out are not printed."),
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


# -- the layout editor's form (certificates/layout_design.py) ------------------------------------

def _checked_image(node, value):
    """An uploaded image is read once, here: PNG or JPEG, at most 2 MB, opened by Pillow."""
    if not value:
        return
    with value["fp"] as stream:  # a large upload is spooled to a temporary file: close it now
        data = stream.read(layout_admin.MAX_READ)
    try:
        check_image(data)
    except ValueError as error:
        raise colander.Invalid(node, error.args[0]) from error
    value["data"] = data


def _image_upload(title, description=None):
    return colander.SchemaNode(deform.FileData(), title=title, missing=None, validator=_checked_image,
                               widget=_upload_widget, description=description or _(
                                   "PNG or JPEG, at most 2 MB. Leave empty to keep the current one."))


def _colour(title):
    return colander.SchemaNode(colander.String(), title=title, validator=COLOUR,
                               widget=deform.widget.TextInputWidget(attributes={"type": "color"},
                                                                    css_class="form-control-color"))


class HeadingSchema(colander.MappingSchema):
    es = colander.SchemaNode(colander.String(), title=_("In Spanish"), missing="", validator=colander.Length(0, 120),
                             description=_("Printed instead of “Certificate of attendance” or “of participation”; "
                                           "leave empty to keep those."))
    en = colander.SchemaNode(colander.String(), title=_("In English"), missing="", validator=colander.Length(0, 120))
    fr = colander.SchemaNode(colander.String(), title=_("In French"), missing="", validator=colander.Length(0, 120))


class LogoSchema(colander.MappingSchema):
    upload = _image_upload(_("Logo"), _("PNG or JPEG, at most 2 MB; printed at the top left. "
                                       "Leave empty to keep the current one."))
    remove = colander.SchemaNode(colander.Boolean(), title=_("Remove the logo"), missing=False)


class SignatorySchema(colander.MappingSchema):
    name = colander.SchemaNode(colander.String(), title=_("Name"), missing="", validator=colander.Length(0, 120),
                               description=_("Leave the name empty for nobody: no empty signature line is printed."))
    position = colander.SchemaNode(colander.String(), title=_("Title or position"), missing="",
                                   validator=colander.Length(0, 160))
    signature = _image_upload(_("Signature (image)"))
    remove_signature = colander.SchemaNode(colander.Boolean(), title=_("Remove the signature"), missing=False)


class LayoutDesignSchema(CSRFSchema):
    name = colander.SchemaNode(colander.String(), title=_("Name of the layout"), validator=colander.Length(1, 120))
    programme = colander.SchemaNode(colander.String(), title=_("Programme"), widget=_programme_choices,
                                    validator=_programme_validator, missing="")
    heading = HeadingSchema(title=_("Title of the certificate"))
    main_colour = _colour(_("Main colour (frame, title, seal)"))
    accent_colour = _colour(_("Accent colour (inner frame, rules, seal)"))
    seal = colander.SchemaNode(colander.Boolean(), title=_("Print the seal at the top"), missing=False)
    logo = LogoSchema(title=_("Logo"))
    signatory_1 = SignatorySchema(title=_("First signatory"))
    signatory_2 = SignatorySchema(title=_("Second signatory"))
    signatory_3 = SignatorySchema(title=_("Third signatory"))


class NewLayoutSchema(CSRFSchema):
    """A new layout: a name (and a programme), nothing more — it starts as the default design."""
    name = colander.SchemaNode(colander.String(), title=_("Name"), validator=colander.Length(1, 120))
    programme = colander.SchemaNode(colander.String(), title=_("Programme"), widget=_programme_choices,
                                    validator=_programme_validator, missing="")
