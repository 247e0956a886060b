"""Translated names of the attendance enumerations, for pages and exports."""
from trainings.i18n import _

from ..labels import ROLE  # noqa: F401 - the attendance pages name roles too
from ..models import AttendanceMethod, AttendanceStatus

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
# Bootstrap colours of the status buttons and badges.
STATUS_CSS = {
    AttendanceStatus.present: "success",
    AttendanceStatus.late: "warning",
    AttendanceStatus.excused: "info",
    AttendanceStatus.absent: "danger",
}
