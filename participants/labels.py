"""Translated names of the participants package's enumerations, for pages, forms and exports."""
from trainings.i18n import _

from .models import InstitutionKind, RegistrationRole, RegistrationSource, RegistrationStatus, Sex

SEX = {
    Sex.female: _("Female"),
    Sex.male: _("Male"),
    Sex.other: _("Other"),
    Sex.undisclosed: _("Prefer not to say"),
}
INSTITUTION_KIND = {
    InstitutionKind.prosecution: _("Prosecution service"),
    InstitutionKind.police: _("Police"),
    InstitutionKind.judiciary: _("Judiciary"),
    InstitutionKind.government: _("Government ministry or agency"),
    InstitutionKind.local_government: _("Local or regional government"),
    InstitutionKind.ombudsman: _("Ombudsman"),
    InstitutionKind.ngo: _("Civil society organisation"),
    InstitutionKind.international: _("International organisation"),
    InstitutionKind.academia: _("University or research"),
    InstitutionKind.other: _("Other"),
}
ROLE = {
    RegistrationRole.participant: _("Participant"),
    RegistrationRole.speaker: _("Speaker"),
    RegistrationRole.moderator: _("Moderator"),
    RegistrationRole.organiser: _("Organiser"),
    RegistrationRole.observer: _("Observer"),
}
STATUS = {
    RegistrationStatus.unverified: _("Email not confirmed"),
    RegistrationStatus.confirmed: _("Confirmed"),
    RegistrationStatus.waitlisted: _("Waitlisted"),
    RegistrationStatus.pending: _("Pending approval"),
    RegistrationStatus.cancelled: _("Cancelled"),
}
SOURCE = {
    RegistrationSource.web: _("Web form"),
    RegistrationSource.import_: _("Import"),
    RegistrationSource.organiser: _("Organiser"),
    RegistrationSource.walk_in: _("Walk-in"),
}


def includeme(config):
    """Templates reach these labels as `participant_labels` (the trainings ones are `labels`)."""
    import sys

    def add():
        config.get_jinja2_environment(".jinja2").globals["participant_labels"] = sys.modules[__name__]

    config.action(None, add, order=1)
