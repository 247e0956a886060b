"""Translated names of the enumerations, for pages, forms and exports."""
from .i18n import _
from .models import Language, MemberRole, SpeakerRole, TrainingKind, TrainingStatus, UserRole

TRAINING_KIND = {
    TrainingKind.seminar: _("Seminar"),
    TrainingKind.workshop: _("Workshop"),
    TrainingKind.course: _("Course"),
    TrainingKind.conference: _("Conference"),
    TrainingKind.other: _("Other"),
}
TRAINING_STATUS = {
    TrainingStatus.draft: _("Draft"),
    TrainingStatus.published: _("Published"),
    TrainingStatus.cancelled: _("Cancelled"),
}
# Headings over a group of trainings of one status, in the plural.
TRAINING_STATUS_GROUP = {
    TrainingStatus.draft: _("Drafts"),
    TrainingStatus.published: _("Published trainings"),
    TrainingStatus.cancelled: _("Cancelled trainings"),
}
SPEAKER_ROLE = {SpeakerRole.speaker: _("Speaker"), SpeakerRole.moderator: _("Moderator")}
USER_ROLE = {UserRole.admin: _("Administrator"), UserRole.organiser: _("Organiser")}
MEMBER_ROLE = {MemberRole.manager: _("Manager"), MemberRole.organiser: _("Organiser"), MemberRole.viewer: _("Viewer")}
LANGUAGE = {Language.es: _("Spanish"), Language.en: _("English"), Language.fr: _("French")}


def choices(labels: dict) -> list[tuple[str, object]]:
    """(value, label) pairs for a select widget."""
    return [(str(value), label) for value, label in labels.items()]
