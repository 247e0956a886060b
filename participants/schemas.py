"""Form schemas of the participants package."""
from __future__ import annotations

import colander
import deform
from email_validator import EmailNotValidError, validate_email

from trainings.forms import CSRFSchema
from trainings.i18n import _, country_choices
from trainings.labels import LANGUAGE
from trainings.labels import choices as label_choices

from . import labels
from .institutions import grouped_by_country
from .models import InstitutionKind, RegistrationRole, Sex

NAME_MAX, EMAIL_MAX, POSITION_MAX, INSTITUTION_MAX, DOCUMENT_MAX, REGION_MAX = 150, 254, 200, 250, 40, 120
# A year of birth outside this range is a typing mistake (reports group people by age band).
YEAR_OF_BIRTH_MIN, YEAR_OF_BIRTH_MAX = 1900, 2100


def checked_email(value: str) -> str:
    """The address, lower-cased and trimmed; ValueError with a reason when it is not one."""
    value = (value or "").strip()
    try:
        validate_email(value, check_deliverability=False)
    except EmailNotValidError as error:
        raise ValueError(str(error)) from error
    return value.lower()


def email_validator(node, value):
    try:
        checked_email(value)
    except ValueError as error:
        raise colander.Invalid(node, _("This is not a valid email address.")) from error


def _translated(request, pairs):
    return [(value, request.localizer.translate(label)) for value, label in pairs]


@colander.deferred
def institution_widget(node, kw):
    request = kw["request"]
    values = [("", request.localizer.translate(_("— choose your institution, or type it below —")))]
    # The public sees only institutions an organiser reviewed; organisers see the whole registry.
    training = getattr(getattr(request, "context", None), "training", None)  # the public form's
    here = training.region.country if training is not None and training.region is not None else None
    for country, items in grouped_by_country(request, reviewed_only=request.identity is None, first_country=here):
        values.append(deform.widget.OptGroup(country or request.localizer.translate(_("Other countries")), *items))
    return deform.widget.SelectWidget(values=values)


@colander.deferred
def institution_kind_widget(node, kw):
    kinds = _translated(kw["request"], label_choices(labels.INSTITUTION_KIND))
    return deform.widget.SelectWidget(values=[("", "—"), *kinds])


@colander.deferred
def sex_widget(node, kw):
    return deform.widget.SelectWidget(values=[("", "—")] + _translated(kw["request"], label_choices(labels.SEX)))


@colander.deferred
def country_widget(node, kw):
    return deform.widget.SelectWidget(values=[("", "—")] + country_choices(kw["request"]))


@colander.deferred
def country_validator(node, kw):
    return colander.OneOf([code for code, _name in country_choices(kw["request"])],
                          msg_err=_("Choose a country from the list."))


@colander.deferred
def language_widget(node, kw):
    return deform.widget.SelectWidget(values=_translated(kw["request"], label_choices(LANGUAGE)))


@colander.deferred
def default_language(node, kw):
    locale = kw["request"].locale_name
    return locale if locale in {"es", "en", "fr"} else "es"


def _must_consent(node, value):
    if not value:
        raise colander.Invalid(node, _("Your consent is needed to register."))


CONSENT_TEXT = _("I agree that the organisers of the programme keep and use these details to manage my "
                 "registration, record my attendance, issue my certificate and report anonymous statistics "
                 "to the programme's donors.")


class PersonFields(colander.MappingSchema):
    given_names = colander.SchemaNode(colander.String(), title=_("Given names"),
                                      validator=colander.Length(min=1, max=NAME_MAX))
    family_names = colander.SchemaNode(colander.String(), title=_("Family names"),
                                       validator=colander.Length(min=1, max=NAME_MAX))
    email = colander.SchemaNode(
        colander.String(), title=_("Email"), validator=colander.All(colander.Length(max=EMAIL_MAX), email_validator),
        widget=deform.widget.TextInputWidget(attributes={"type": "email", "autocomplete": "email"}),
    )
    institution = colander.SchemaNode(colander.String(), title=_("Institution"), widget=institution_widget,
                                      missing="")
    new_institution = colander.SchemaNode(
        colander.String(), title=_("Or type your institution if it is not in the list"),
        validator=colander.Length(max=INSTITUTION_MAX), missing="",
    )
    new_institution_kind = colander.SchemaNode(
        colander.String(), title=_("Kind of institution (only for a new one)"), widget=institution_kind_widget,
        validator=colander.OneOf([kind.value for kind in InstitutionKind]), missing="",
    )
    position = colander.SchemaNode(colander.String(), title=_("Position"),
                                   validator=colander.Length(max=POSITION_MAX), missing="")
    sex = colander.SchemaNode(colander.String(), title=_("Sex"), widget=sex_widget,
                              validator=colander.OneOf([sex.value for sex in Sex]))
    country = colander.SchemaNode(colander.String(), title=_("Country"), widget=country_widget,
                                  validator=country_validator)
    preferred_language = colander.SchemaNode(
        colander.String(), title=_("Preferred language for emails and certificates"), widget=language_widget,
        validator=colander.OneOf(["es", "en", "fr"]), default=default_language,
    )
    id_document = colander.SchemaNode(
        colander.String(), title=_("Identity document number (optional)"),
        description=_("Helps us recognise you if you change email address."),
        validator=colander.Length(max=DOCUMENT_MAX), missing="",
    )
    home_region = colander.SchemaNode(
        colander.String(), title=_("Region where you work (optional)"), validator=colander.Length(max=REGION_MAX),
        missing="",
    )
    year_of_birth = colander.SchemaNode(
        colander.Int(), title=_("Year of birth (optional)"),
        description=_("Only used, without your name, to count people trained by age group."),
        validator=colander.Range(YEAR_OF_BIRTH_MIN, YEAR_OF_BIRTH_MAX,
                                 min_err=_("Write the year with four digits, e.g. 1985."),
                                 max_err=_("Write the year with four digits, e.g. 1985.")),
        widget=deform.widget.TextInputWidget(attributes={"inputmode": "numeric", "autocomplete": "bday-year"}),
        missing=None,
    )


class RegistrationSchema(CSRFSchema, PersonFields):
    consent = colander.SchemaNode(
        colander.Boolean(), title=_("Use of your data"), validator=_must_consent,
        widget=deform.widget.CheckboxWidget(), label=CONSENT_TEXT, missing=False,
    )


class LostLinkSchema(CSRFSchema):
    # A mistyped address is said so, rather than "we sent you an email" that never comes.
    email = colander.SchemaNode(
        colander.String(), title=_("Email"), validator=colander.All(colander.Length(max=EMAIL_MAX), email_validator),
        widget=deform.widget.TextInputWidget(attributes={"type": "email", "autocomplete": "email"}),
    )


@colander.deferred
def role_widget(node, kw):
    return deform.widget.SelectWidget(values=_translated(kw["request"], label_choices(labels.ROLE)))


class DirectRegistrationSchema(CSRFSchema, PersonFields):
    """An organiser registers someone: an existing person (by email or document) is updated."""

    email = colander.SchemaNode(
        colander.String(), title=_("Email"), validator=colander.All(colander.Length(max=EMAIL_MAX), email_validator),
        missing="", widget=deform.widget.TextInputWidget(attributes={"type": "email"}),
    )
    sex = colander.SchemaNode(colander.String(), title=_("Sex"), widget=sex_widget,
                              validator=colander.OneOf([sex.value for sex in Sex]), missing="")
    role = colander.SchemaNode(colander.String(), title=_("Role"), widget=role_widget,
                               validator=colander.OneOf([role.value for role in RegistrationRole]),
                               default=RegistrationRole.participant.value)
    send_email = colander.SchemaNode(colander.Boolean(),
                                     title=_("Email the private link and calendar invitation to the person"),
                                     default=True, missing=False)


class PersonEditSchema(CSRFSchema, PersonFields):
    """An organiser corrects what the registry knows of a person (a typo, a new email)."""

    email = colander.SchemaNode(
        colander.String(), title=_("Email"), validator=colander.All(colander.Length(max=EMAIL_MAX), email_validator),
        missing="", widget=deform.widget.TextInputWidget(attributes={"type": "email"}),
    )
    phone = colander.SchemaNode(colander.String(), title=_("Phone"), validator=colander.Length(max=50), missing="")
    sex = colander.SchemaNode(colander.String(), title=_("Sex"), widget=sex_widget,
                              validator=colander.OneOf([sex.value for sex in Sex]), missing="")
    country = colander.SchemaNode(colander.String(), title=_("Country"), widget=country_widget,
                                  validator=country_validator, missing="")


class OwnDetailsSchema(CSRFSchema, PersonFields):
    """A participant corrects their own details from their private page (until a certificate
    states them): names, email (confirmed again before it is used), phone, institution, position."""

    phone = colander.SchemaNode(colander.String(), title=_("Phone"), validator=colander.Length(max=50), missing="")
    ASKED = ("csrf_token", "given_names", "family_names", "email", "phone", "institution", "new_institution",
             "new_institution_kind", "position")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for node in list(self.children):
            if node.name not in self.ASKED:
                del self[node.name]
