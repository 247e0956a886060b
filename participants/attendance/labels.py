"""Translated names of the attendance enumerations, for pages and exports."""
from trainings.i18n import _

from ..models import AttendanceMethod, AttendanceStatus, RegistrationRole

STATUS = {
    AttendanceStatus.present: _("Present"),
    AttendanceStatus.late: _("Late"),
    AttendanceStatus.excused: _("Excused"),
    AttendanceStatus.absent: _("Absent"),
}
NOT_MARKED = _("Not yet marked")
METHOD = {
    AttendanceMethod.manual: _("by hand"),
    AttendanceMethod.qr: _("QR code"),
    AttendanceMethod.sheet: _("paper sheet"),
    AttendanceMethod.walk_in: _("walk-in"),
}
ROLE = {
    RegistrationRole.participant: _("Participant"),
    RegistrationRole.observer: _("Observer"),
    RegistrationRole.speaker: _("Speaker"),
    RegistrationRole.moderator: _("Moderator"),
    RegistrationRole.organiser: _("Organiser"),
}
# Bootstrap colours of the status buttons and badges.
STATUS_CSS = {
    AttendanceStatus.present: "success",
    AttendanceStatus.late: "warning",
    AttendanceStatus.excused: "info",
    AttendanceStatus.absent: "danger",
}
