"""Translated names of what reports count and group by."""
from trainings.i18n import _

from .models import CompletionRule, IndicatorUnit

DIMENSION = {
    "sex": _("Sex"),
    "institution_kind": _("Kind of institution"),
    "institution": _("Institution"),
    "training_region": _("Region of the training"),
    "home_region": _("Region of the person"),
    "country": _("Country of the training"),
    "age_band": _("Age band"),
}
MEASURE = {
    "participations": _("Participations"),
    "persons": _("Unique persons"),
    "completed": _("Persons who completed"),
    "certificates": _("Certificates issued"),
}
AGE_BAND = {
    "under_25": _("Under 25"),
    "25_34": _("25 to 34"),
    "35_44": _("35 to 44"),
    "45_54": _("45 to 54"),
    "55_64": _("55 to 64"),
    "65_over": _("65 and over"),
}
NOT_STATED = _("Not stated")
COMPLETION = {
    CompletionRule.completed: _("Reached the training's attendance rule"),
    CompletionRule.attended: _("Attended at least one session"),
    CompletionRule.certified: _("Holds a certificate of the training"),
}
UNIT = {
    IndicatorUnit.persons: _("Unique persons"),
    IndicatorUnit.institutions: _("Unique institutions"),
}
