"""Form schemas of accounts: passwords, invitations, memberships, organisations."""
import colander
import deform

from .accounts import MIN_PASSWORD_LENGTH
from .forms import CSRFSchema
from .i18n import _
from .labels import LANGUAGE, MEMBER_ROLE, choices
from .models import Language, MemberRole


@colander.deferred
def _new_password_widget(node, kw):
    # The second box has no label of its own in deform's template: screen readers get one here.
    repeat = kw["request"].localizer.translate(_("Repeat the new password"))
    return deform.widget.CheckedPasswordWidget(
        attributes={"autocomplete": "new-password"},
        confirm_attributes={"autocomplete": "new-password", "aria-label": repeat},
        mismatch_message=_("The two passwords differ."))


def _new_password_node(title):
    return colander.SchemaNode(
        colander.String(), title=title, widget=_new_password_widget,
        validator=colander.Length(min=MIN_PASSWORD_LENGTH, max=200,
                                  min_err=_("At least ${min} characters.", mapping={"min": MIN_PASSWORD_LENGTH})))


class PasswordChangeSchema(CSRFSchema):
    current_password = colander.SchemaNode(
        colander.String(), title=_("Current password"), validator=colander.Length(max=200),
        widget=deform.widget.PasswordWidget(attributes={"autocomplete": "current-password"}))
    new_password = _new_password_node(_("New password"))


class PasswordSetSchema(CSRFSchema):
    new_password = _new_password_node(_("New password"))


class PasswordForgottenSchema(CSRFSchema):
    email = colander.SchemaNode(
        colander.String(), title=_("Email"), validator=colander.All(colander.Length(max=254), colander.Email()),
        widget=deform.widget.TextInputWidget(attributes={"autocomplete": "username", "type": "email"}))


def role_choices(with_none: bool = False):
    values = choices(MEMBER_ROLE)
    return [("", _("— no access —")), *values] if with_none else values


class InviteSchema(CSRFSchema):
    email = colander.SchemaNode(colander.String(), title=_("Email"),
                                validator=colander.All(colander.Length(max=254), colander.Email()))
    display_name = colander.SchemaNode(colander.String(), title=_("Name"), missing="",
                                       validator=colander.Length(max=200))
    organisation_id = colander.SchemaNode(colander.Int(), title=_("Organisation"))
    role = colander.SchemaNode(colander.String(), title=_("Role"), default=MemberRole.organiser.value,
                               widget=deform.widget.SelectWidget(values=role_choices()),
                               validator=colander.OneOf([role.value for role in MemberRole]))
    language = colander.SchemaNode(colander.String(), title=_("Language of the invitation"), default="es",
                                   widget=deform.widget.SelectWidget(values=choices(LANGUAGE)),
                                   validator=colander.OneOf([language.value for language in Language]))


def invite_schema(organisations) -> InviteSchema:
    """The invitation form, offering the organisations (id, name) whose members the user manages."""
    schema = InviteSchema()
    node = schema["organisation_id"]
    node.widget = deform.widget.SelectWidget(values=[(str(i), name) for i, name in organisations])
    node.validator = colander.OneOf([i for i, _name in organisations], msg_err=_("Choose one of your organisations."))
    return schema


def membership_schema(organisations, may_deactivate: bool) -> colander.SchemaNode:
    """The account page's form: a role (or none) in each organisation the editor manages, and
    whether the account may log in."""
    schema = CSRFSchema()
    for organisation_id, name in organisations:
        schema.add(colander.SchemaNode(
            colander.String(), name=f"organisation_{organisation_id}", title=name, missing="",
            widget=deform.widget.SelectWidget(values=role_choices(with_none=True)),
            validator=colander.OneOf(["", *(role.value for role in MemberRole)])))
    if may_deactivate:
        schema.add(colander.SchemaNode(colander.Boolean(), name="active", title=_("May log in"), missing=False,
                                       description=_("Unticked: the account cannot log in and its sessions end.")))
    return schema


class OrganisationSchema(CSRFSchema):
    name = colander.SchemaNode(colander.String(), title=_("Name"), validator=colander.Length(min=1, max=200))


class CodeSchema(CSRFSchema):
    code = colander.SchemaNode(
        colander.String(), title=_("Code"), validator=colander.Length(max=40),
        description=_("The six digits your authenticator app shows, or one of your recovery codes."),
        widget=deform.widget.TextInputWidget(attributes={"autocomplete": "one-time-code", "inputmode": "numeric"}))
