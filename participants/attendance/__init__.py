"""Attendance per session: statuses, QR check-in, sign-in sheets, walk-ins, summaries and the
audit trail. The rule deciding who attended enough is in rates.py."""
from trainings.i18n import _
from trainings.security import Permission

TRAINING = "participants.attendance.resources.training_factory"
SESSION = "participants.attendance.resources.session_factory"


def includeme(config):
    config.add_route("organiser_attendance", r"/organiser/trainings/{id:\d+}/attendance", factory=TRAINING)
    config.add_route("organiser_attendance_export", r"/organiser/trainings/{id:\d+}/attendance.{format:csv|xlsx}",
                     factory=TRAINING)
    config.add_route("checkin", r"/organiser/trainings/{id:\d+}/checkin", factory=TRAINING)
    config.add_route("checkin_scan", r"/organiser/trainings/{id:\d+}/checkin/scan", factory=TRAINING)
    config.add_route("checkin_mark", r"/organiser/trainings/{id:\d+}/checkin/mark", factory=TRAINING)
    config.add_route("checkin_admit", r"/organiser/trainings/{id:\d+}/checkin/admit", factory=TRAINING)
    config.add_route("checkin_code", r"/organiser/trainings/{id:\d+}/checkin/code", factory=TRAINING)
    config.add_route("walk_in", r"/organiser/trainings/{id:\d+}/walk-in", factory=TRAINING)
    config.add_route("session_attendance", r"/organiser/sessions/{id:\d+}/attendance", factory=SESSION)
    config.add_route("session_attendance_mark", r"/organiser/sessions/{id:\d+}/attendance/mark", factory=SESSION)
    config.add_route("session_attendance_all", r"/organiser/sessions/{id:\d+}/attendance/all", factory=SESSION)
    config.add_route("session_attendance_undo", r"/organiser/sessions/{id:\d+}/attendance/undo", factory=SESSION)
    config.add_route("session_attendance_paper", r"/organiser/sessions/{id:\d+}/attendance/paper", factory=SESSION)
    config.add_route("attendance_history", r"/organiser/sessions/{id:\d+}/attendance/{registration:\d+}/history",
                     factory=SESSION)
    config.add_route("signin_sheet", r"/organiser/sessions/{id:\d+}/sheet.pdf", factory=SESSION)
    config.add_route("my_qr", "/me/{token}/qr.svg")
    config.add_route("my_badge", "/me/{token}/badge.pdf")
    config.add_training_tab("organiser_attendance", _("Attendance"), Permission.read, order=30)
    config.add_registration_panel("participants/attendance/_my_qr.jinja2", order=10)
    config.add_request_method(checkin_short_code, "checkin_short_code")


def checkin_short_code(request, registration) -> str:
    """The short check-in code of `registration`, for the private page's panel."""
    from .qr import secret_of, short_code

    return short_code(secret_of(request), registration)
