"""Form schemas of the reports package: indicators and the institutions registry."""
from __future__ import annotations

import colander
import deform
from sqlalchemy import select

from participants import labels as participant_labels
from participants.models import Institution, InstitutionKind
from participants.schemas import INSTITUTION_MAX, country_validator, country_widget
from trainings.forms import CSRFSchema
from trainings.i18n import _
from trainings.labels import TRAINING_KIND, choices
from trainings.schemas import OptionalId
from trainings.scoping import organisation_choices
from trainings.security import Permission
from trainings.services.places import programme_choices

from . import labels
from .filters import REPORTED_ROLES


@colander.deferred
def _programmes_widget(node, kw):
    return deform.widget.CheckboxChoiceWidget(values=programme_choices(kw["request"]))


@colander.deferred
def _programmes_validator(node, kw):
    return colander.ContainsOnly([value for value, _name in programme_choices(kw["request"])])


def _owner_choices(request) -> list[tuple[str, str]]:
    """The organisations the user may give an indicator to; administrators may also share it
    with every organisation (the empty choice)."""
    choices = [(str(i), name) for i, name in organisation_choices(request)]
    if request.may(Permission.administer):
        choices.insert(0, ("", request.localizer.translate(_("Every organisation (shared)"))))
    return choices


@colander.deferred
def _owner_widget(node, kw):
    return deform.widget.SelectWidget(values=_owner_choices(kw["request"]))


@colander.deferred
def _owner_validator(node, kw):
    allowed = [value for value, _name in _owner_choices(kw["request"])]

    def validate(node, value):
        if ("" if value is None else str(value)) not in allowed:
            raise colander.Invalid(node, _("Choose one of your organisations."))
    return validate


ROLE_CHOICES = [(role.value, participant_labels.ROLE[role]) for role in REPORTED_ROLES]


def _set_of(choice_pairs, title, description=None):
    return colander.SchemaNode(
        colander.Set(), title=title, description=description, missing=set(),
        widget=deform.widget.CheckboxChoiceWidget(values=choice_pairs, inline=True),
        validator=colander.ContainsOnly([value for value, _label in choice_pairs]),
    )


class IndicatorSchema(CSRFSchema):
    organisation_id = colander.SchemaNode(
        OptionalId(), title=_("Organisation"), widget=_owner_widget, validator=_owner_validator, missing=None,
        description=_("Its members see the indicator and may change it."))
    name = colander.SchemaNode(colander.String(), title=_("Name"), validator=colander.Length(min=1, max=200))
    definition = colander.SchemaNode(
        colander.String(), title=_("Definition"), widget=deform.widget.TextAreaWidget(rows=4),
        description=_("What is counted, written for the donor: it is shown beside the number."),
        validator=colander.Length(min=1, max=4000))
    unit = colander.SchemaNode(colander.String(), title=_("Count"),
                               widget=deform.widget.SelectWidget(values=choices(labels.UNIT)),
                               validator=colander.OneOf([value for value, _label in choices(labels.UNIT)]),
                               default="persons")
    completion = colander.SchemaNode(
        colander.String(), title=_("Who counts"),
        widget=deform.widget.SelectWidget(values=choices(labels.COMPLETION)),
        validator=colander.OneOf([value for value, _label in choices(labels.COMPLETION)]), default="completed")
    roles = _set_of(ROLE_CHOICES, _("Roles"), _("None ticked: every role."))
    training_kinds = _set_of(choices(TRAINING_KIND), _("Kinds of training"), _("None ticked: every kind."))
    institution_kinds = _set_of(choices(participant_labels.INSTITUTION_KIND), _("Kinds of institution"),
                                _("None ticked: every kind."))
    programmes = colander.SchemaNode(colander.Set(), title=_("Programmes"),
                                     description=_("None ticked: every programme."),
                                     widget=_programmes_widget, validator=_programmes_validator, missing=set())
    topic = colander.SchemaNode(
        colander.String(), title=_("Topic"), missing="", validator=colander.Length(max=120),
        description=_("Only trainings whose title or description contains these letters, e.g. “identifica”."))


class InstitutionSchema(CSRFSchema):
    name = colander.SchemaNode(colander.String(), title=_("Name"),
                               validator=colander.Length(min=1, max=INSTITUTION_MAX))
    kind = colander.SchemaNode(
        colander.String(), title=_("Kind of institution"),
        widget=deform.widget.SelectWidget(values=choices(participant_labels.INSTITUTION_KIND)),
        validator=colander.OneOf([kind.value for kind in InstitutionKind]))
    country = colander.SchemaNode(colander.String(), title=_("Country"), widget=country_widget,
                                  validator=country_validator, missing="")
    reviewed = colander.SchemaNode(
        colander.Boolean(), title=_("Reviewed"), missing=False, widget=deform.widget.CheckboxWidget(),
        label=_("Checked: offered in the public registration form"))


@colander.deferred
def _merge_widget(node, kw):
    current = kw["institution"]
    rows = kw["request"].dbsession.execute(
        select(Institution.id, Institution.name, Institution.country)
        .where(Institution.id != current.id).order_by(Institution.name, Institution.country))
    return deform.widget.SelectWidget(values=[("", "—")] + [
        (str(i), f"{name} ({country})" if country else name) for i, name, country in rows])


@colander.deferred
def _merge_validator(node, kw):
    current = kw["institution"]
    ids = [str(i) for i in kw["request"].dbsession.scalars(select(Institution.id).where(Institution.id != current.id))]
    return colander.OneOf(ids, msg_err=_("Choose an institution from the list."))


def _must_confirm(node, value):
    if not value:
        raise colander.Invalid(node, _("Tick the box to confirm the merge."))


class InstitutionMergeSchema(CSRFSchema):
    keep = colander.SchemaNode(colander.String(), title=_("Merge into"), widget=_merge_widget,
                               validator=_merge_validator,
                               description=_("The institution that stays; this one is removed."))
    confirm = colander.SchemaNode(
        colander.Boolean(), title=_("Confirmation"), missing=False, validator=_must_confirm,
        widget=deform.widget.CheckboxWidget(),
        label=_("I understand that this institution's people move to the other one and this one is deleted"))
