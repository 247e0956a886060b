"""Form schemas of the trainings package (accounts; the schedule's forms join them)."""
import colander
import deform

from .forms import CSRFSchema, WholeNumber
from .i18n import _
from .labels import LANGUAGE, TRAINING_KIND, choices
from .models import DEFAULT_REMINDER_DAYS, MAX_REMINDER_DAYS, Language, TrainingKind, is_valid_timezone
from .scoping import organisation_choices
from .services.places import programme_choices, region_choices, venue_choices
from .services.schedule import CAPACITY_TOO_LARGE, MAX_CAPACITY


class LoginSchema(CSRFSchema):
    email = colander.SchemaNode(
        colander.String(), title=_("Email"), validator=colander.Length(max=254),
        widget=deform.widget.TextInputWidget(attributes={"autocomplete": "username", "type": "email"}),
    )
    password = colander.SchemaNode(
        colander.String(), title=_("Password"), validator=colander.Length(max=200),
        widget=deform.widget.PasswordWidget(attributes={"autocomplete": "current-password"}),
    )


# --- the schedule ------------------------------------------------------------------------------

def _date_widget():
    return deform.widget.TextInputWidget(attributes={"type": "date"})


def _time_widget():
    return deform.widget.TextInputWidget(attributes={"type": "time", "step": "300"})


def _from_request(choices_of):
    @colander.deferred
    def widget(node, kw):
        return deform.widget.SelectWidget(values=choices_of(kw["request"]))

    return widget


def _region_choices(request):
    return [("", request.localizer.translate(_("— choose —"))), *region_choices(request)]


def _venue_choices(request):
    return [("", request.localizer.translate(_("— none yet —"))), *venue_choices(request)]


def _programme_choices(request):
    return [("", request.localizer.translate(_("— none —"))), *programme_choices(request)]


@colander.deferred
def _kind_widget(node, kw):
    return deform.widget.SelectWidget(values=choices(TRAINING_KIND))


@colander.deferred
def _language_widget(node, kw):
    return deform.widget.SelectWidget(values=choices(LANGUAGE))


@colander.deferred
def _languages_widget(node, kw):
    return deform.widget.CheckboxChoiceWidget(values=choices(LANGUAGE), inline=True)


# Phones show their digits keyboard; the text stays free for "1.000" (a number input refuses it).
NUMBER_WIDGET = deform.widget.TextInputWidget(attributes={"inputmode": "numeric"})


class OptionalId(colander.Int):
    """A select whose empty choice means None."""

    def deserialize(self, node, cstruct):
        if cstruct in (colander.null, "", None):
            return None
        return super().deserialize(node, cstruct)


def _optional(validator):
    """`validator` for a value that may be left empty (None passes)."""
    def validate(node, value):
        if value is not None:
            validator(node, value)
    return validate


@colander.deferred
def _organisation_widget(node, kw):
    return deform.widget.SelectWidget(values=[(str(i), name) for i, name in organisation_choices(kw["request"])])


@colander.deferred
def _organisation_validator(node, kw):
    return colander.OneOf([i for i, _name in organisation_choices(kw["request"])],
                          msg_err=_("Choose one of your organisations."))


def organisation_node():
    """The organisation a training, venue or programme belongs to: one the user works in."""
    return colander.SchemaNode(colander.Int(), title=_("Organisation"), widget=_organisation_widget,
                               validator=_organisation_validator)


def _positive(message):
    return colander.Range(min=1, min_err=message)


class TrainingSchema(CSRFSchema):
    organisation_id = organisation_node()
    title = colander.SchemaNode(colander.String(), title=_("Title"), validator=colander.Length(max=200))
    kind = colander.SchemaNode(colander.String(), title=_("Kind"), widget=_kind_widget, default="workshop",
                               validator=colander.OneOf([kind.value for kind in TrainingKind]))
    programme_id = colander.SchemaNode(OptionalId(), title=_("Programme"), missing=None,
                                       widget=_from_request(_programme_choices))
    region_id = colander.SchemaNode(colander.Int(), title=_("Region"), widget=_from_request(_region_choices),
                                    description=_("Times are entered and shown in the region's time zone."))
    venue_id = colander.SchemaNode(OptionalId(), title=_("Venue"), missing=None,
                                   widget=_from_request(_venue_choices),
                                   description=_("A venue of the chosen region; it can be set later."))
    starts_on = colander.SchemaNode(colander.Date(), title=_("First day"), widget=_date_widget())
    ends_on = colander.SchemaNode(colander.Date(), title=_("Last day"), widget=_date_widget())
    capacity = colander.SchemaNode(WholeNumber(), title=_("Places"), default=30, widget=NUMBER_WIDGET,
                                   validator=colander.Range(min=1, max=MAX_CAPACITY,
                                                            min_err=_("Capacity must be at least 1."),
                                                            max_err=CAPACITY_TOO_LARGE))
    language = colander.SchemaNode(colander.String(), title=_("Language"), default="es", widget=_language_widget,
                                   validator=colander.OneOf([language.value for language in Language]))
    offered_languages = colander.SchemaNode(
        colander.Set(), title=_("Also offered in"), missing=(), widget=_languages_widget,
        validator=colander.ContainsOnly([language.value for language in Language]),
        description=_("Languages of certificates and emails besides the main one."))
    requires_approval = colander.SchemaNode(colander.Boolean(), title=_("Registrations need approval"),
                                            missing=False)
    registration_deadline = colander.SchemaNode(
        colander.Date(), title=_("Registration closes after"), missing=None, widget=_date_widget(),
        description=_("The last day on which the public form accepts registrations (organisers can still "
                      "register people). Empty: until the training ends."))
    institution_quota = colander.SchemaNode(
        WholeNumber(optional=True), title=_("Places per institution"), missing=None, widget=NUMBER_WIDGET,
        validator=_optional(colander.Range(1, 100_000, min_err=_("At least 1, or leave it empty."),
                                           max_err=_("At most 100,000, or leave it empty."))),
        description=_("At most this many registrations per institution through the public form. Empty: no limit."))
    reminder_days = colander.SchemaNode(
        OptionalId(), title=_("Reminder email, days before"), missing=None, default=DEFAULT_REMINDER_DAYS,
        validator=_optional(colander.Range(0, MAX_REMINDER_DAYS, min_err=_("Zero or more days."),
                                           max_err=_("At most 30 days before, or leave it empty."))),
        description=_("Confirmed participants are reminded by email this many days before the first session, "
                      "with its times, venue and their private link. 0 or empty: no reminder."))
    attendance_threshold = colander.SchemaNode(
        colander.Int(), title=_("Attendance needed for a certificate (%)"), default=80,
        validator=colander.Range(0, 100, min_err=_("Between 0 and 100."), max_err=_("Between 0 and 100.")))
    late_after_minutes = colander.SchemaNode(
        colander.Int(), title=_("Late after (minutes)"), default=15,
        validator=colander.Range(min=0, min_err=_("Zero or more minutes.")))
    description = colander.SchemaNode(colander.String(), title=_("Description"), missing="",
                                      widget=deform.widget.TextAreaWidget(rows=5))


class SessionSchema(CSRFSchema):
    title = colander.SchemaNode(colander.String(), title=_("Title"), validator=colander.Length(max=200))
    day = colander.SchemaNode(colander.Date(), title=_("Day"), widget=_date_widget())
    start = colander.SchemaNode(colander.Time(), title=_("Starts at (local time)"), widget=_time_widget())
    end = colander.SchemaNode(colander.Time(), title=_("Ends at (local time)"), widget=_time_widget())
    room = colander.SchemaNode(colander.String(), title=_("Room"), missing="", validator=colander.Length(max=120))
    topic = colander.SchemaNode(colander.String(), title=_("Topic"), missing="",
                                widget=deform.widget.TextAreaWidget(rows=3))


class CancelSchema(CSRFSchema):
    reason = colander.SchemaNode(colander.String(), title=_("Reason (shown on the public page)"), missing="",
                                 widget=deform.widget.TextAreaWidget(rows=3))


class DuplicateSchema(CSRFSchema):
    region_id = colander.SchemaNode(colander.Int(), title=_("Region"), widget=_from_request(_region_choices))
    starts_on = colander.SchemaNode(colander.Date(), title=_("First day"), widget=_date_widget(),
                                    description=_("Every session moves by the same number of days and keeps "
                                                  "its local clock time."))
    venue_id = colander.SchemaNode(OptionalId(), title=_("Venue"), missing=None,
                                   widget=_from_request(_venue_choices))
    title = colander.SchemaNode(colander.String(), title=_("Title"), missing="",
                                description=_("Leave empty to keep the same title."))


@colander.deferred
def _timezone_validator(node, kw):
    def validate(node, value):
        if not is_valid_timezone(value):
            raise colander.Invalid(node, _("Not a known IANA time zone, such as America/Lima."))

    return validate


class RegionSchema(CSRFSchema):
    country = colander.SchemaNode(colander.String(), title=_("Country code"),
                                  validator=colander.Regex(r"^[A-Za-z]{2}$", _("Two letters, such as PE or PY.")))
    name = colander.SchemaNode(colander.String(), title=_("Region"), validator=colander.Length(max=120))
    city = colander.SchemaNode(colander.String(), title=_("City"), validator=colander.Length(max=120))
    timezone = colander.SchemaNode(colander.String(), title=_("Time zone"), validator=_timezone_validator,
                                   description=_("IANA name, such as America/Lima or America/Asuncion."))


class VenueSchema(CSRFSchema):
    organisation_id = organisation_node()
    region_id = colander.SchemaNode(colander.Int(), title=_("Region"), widget=_from_request(_region_choices))
    name = colander.SchemaNode(colander.String(), title=_("Name"), validator=colander.Length(max=200))
    address = colander.SchemaNode(colander.String(), title=_("Address"), missing="",
                                  validator=colander.Length(max=300))
    latitude = colander.SchemaNode(colander.Float(), title=_("Latitude"), missing=None,
                                   validator=colander.Range(-90, 90))
    longitude = colander.SchemaNode(colander.Float(), title=_("Longitude"), missing=None,
                                    validator=colander.Range(-180, 180))


class ProgrammeSchema(CSRFSchema):
    organisation_id = organisation_node()
    name = colander.SchemaNode(colander.String(), title=_("Name"), validator=colander.Length(max=200))
    donor = colander.SchemaNode(colander.String(), title=_("Donor"), missing="", validator=colander.Length(max=200))
    starts_on = colander.SchemaNode(colander.Date(), title=_("Starts on"), missing=None, widget=_date_widget())
    ends_on = colander.SchemaNode(colander.Date(), title=_("Ends on"), missing=None, widget=_date_widget())
    description = colander.SchemaNode(colander.String(), title=_("Description"), missing="",
                                      widget=deform.widget.TextAreaWidget(rows=3))
