"""Administrators and managers invite organisers, change their roles and deactivate them;
administrators keep the list of organisations."""
from __future__ import annotations

from pyramid.view import view_config
from sqlalchemy import func, select

from ..account_schemas import OrganisationSchema, invite_schema, membership_schema
from ..accounts import invite, set_active, set_membership
from ..forms import FieldErrors, make_form
from ..i18n import _
from ..models import MemberRole, Organisation, TokenPurpose, UserRole
from ..resources import AccountContext, OrganisationContext
from ..scoping import managed_organisation_ids
from ..security import Permission
from ..services import members
from ..services.account_mail import send_account_link
from . import form_page

FORM = "trainings/organiser/form.jinja2"


def _managed(request) -> list[tuple[int, str]]:
    """(id, name) of the organisations whose members the user manages."""
    return [(o.id, o.name) for o in members.organisations(request.dbsession, managed_organisation_ids(request))]


@view_config(route_name="accounts", renderer="trainings/accounts/list.jinja2", permission=Permission.members)
def account_list(request):
    managed = managed_organisation_ids(request)
    return {"accounts": members.accounts_of(request.dbsession, managed),
            "organisations": {o.id: o.name for o in members.organisations(request.dbsession)},
            "managed": managed}


@view_config(route_name="account_invite", renderer=FORM, permission=Permission.members)
def account_invite(request):
    organisations = _managed(request)
    form = make_form(request, invite_schema(organisations), submit_label=_("Send the invitation"))

    def send(values):
        organisation = request.dbsession.get(Organisation, values["organisation_id"])
        user, created = invite(request.dbsession, values["email"], values["display_name"], organisation,
                               MemberRole(values["role"]), values["language"])
        if user.role == UserRole.admin:
            raise FieldErrors({"email": _("This is an administrator's account: it has access everywhere.")})
        if created:
            send_account_link(request, user, TokenPurpose.invitation, inviter=request.identity.name,
                              organisation=organisation.name)
            request.session.flash(request.localizer.translate(
                _("Invitation sent to ${email}.", mapping={"email": user.email})), "success")
        else:
            request.session.flash(request.localizer.translate(
                _("${email} already has an account: it now has access to ${organisation}.",
                  mapping={"email": user.email, "organisation": organisation.name})), "success")
        return request.route_path("accounts")

    appstruct = {"organisation_id": organisations[0][0]} if organisations else {}
    return form_page(request, form, send, appstruct=appstruct, page={
        "heading": _("Invite an organiser"), "training": None, "back": request.route_path("accounts"),
        "intro": _("They receive an email with a link to choose their password (valid 72 hours).")})


@view_config(route_name="account_edit", context=AccountContext, renderer=FORM, permission=Permission.members)
def account_edit(context, request):
    """Roles in the organisations the editor manages, and (not for oneself) whether the account
    may log in. Deactivating ends the account's sessions at once."""
    user = context.object
    organisations = _managed(request)
    itself = user.id == request.identity.id
    form = make_form(request, membership_schema(organisations, may_deactivate=not itself), submit_label=_("Save"))
    roles = members.roles_by_organisation(user)
    appstruct = {f"organisation_{i}": str(roles.get(i, "")) for i, _name in organisations}
    appstruct["active"] = user.active

    def save(values):
        for organisation_id, _name in organisations:
            role = values[f"organisation_{organisation_id}"]
            if itself and role != MemberRole.manager and roles.get(organisation_id) == MemberRole.manager:
                raise FieldErrors({f"organisation_{organisation_id}": _(
                    "You cannot take away your own management of an organisation.")})
            set_membership(request.dbsession, user, organisation_id, MemberRole(role) if role else None)
        if not itself:
            set_active(user, values["active"])
        return request.route_path("accounts")

    return form_page(request, form, save, appstruct=appstruct, success_message=_("Changes saved."),
                     page={"heading": user.name, "training": None, "back": request.route_path("accounts"),
                           "intro": user.email})


@view_config(route_name="organisations", renderer="trainings/accounts/organisations.jinja2",
             permission=Permission.administer)
def organisation_list(request):
    counts = dict(request.dbsession.execute(
        select(Organisation.id, func.count()).join(Organisation.memberships).group_by(Organisation.id)).all())
    return {"organisations": members.organisations(request.dbsession), "member_counts": counts}


def _organisation_form(request, organisation, heading):
    form = make_form(request, OrganisationSchema(), submit_label=_("Save"))

    def save(values):
        name = values["name"].strip()
        same = request.dbsession.scalar(select(Organisation).where(func.lower(Organisation.name) == name.lower()))
        if same is not None and same is not organisation:
            raise FieldErrors({"name": _("An organisation with this name exists already.")})
        target = organisation or Organisation()
        target.name = name
        request.dbsession.add(target)
        request.dbsession.flush()
        return request.route_path("organisations")

    appstruct = {"name": organisation.name} if organisation else {}
    return form_page(request, form, save, appstruct=appstruct, success_message=_("Changes saved."),
                     page={"heading": heading, "training": None, "back": request.route_path("organisations")})


@view_config(route_name="organisation_new", renderer=FORM, permission=Permission.administer)
def organisation_new(request):
    return _organisation_form(request, None, _("New organisation"))


@view_config(route_name="organisation_edit", context=OrganisationContext, renderer=FORM,
             permission=Permission.administer)
def organisation_edit(context, request):
    return _organisation_form(request, context.object, _("Edit the organisation"))


