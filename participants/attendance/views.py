"""Organiser pages of attendance, the check-in endpoint, and the participant's QR and badge."""
from __future__ import annotations

from pyramid.httpexceptions import HTTPBadRequest, HTTPFound, HTTPNotFound
from pyramid.response import Response
from pyramid.view import view_config
from slugify import slugify
from sqlalchemy.orm import joinedload

from trainings.forms import handle_form, make_form
from trainings.i18n import _
from trainings.models import utcnow
from trainings.paging import LIST_PAGE_SIZE, Page, clamp_page, requested_page
from trainings.resources import get_by_id, get_or_404, parse_id
from trainings.security import Permission

from ..models import AttendanceMethod, AttendanceStatus, Person, Registration, RegistrationStatus
from ..people import person_search_conditions
from ..registrations import CannotAdmit, admit_at_the_door
from ..spreadsheets import Download
from ..tokens import registration_by_token
from . import labels, services
from .checkin import CheckinResult, check_in, check_in_code
from .pdf import badge_pdf, signin_sheet_pdf
from .qr import make_token, qr_svg, secret_of
from .resources import SessionAttendance, TrainingAttendance
from .schemas import WalkInSchema
from .summary import people_summary, summary_table
from .walkins import register_walk_in

UNDO_KEY = "attendance.undo"


def _wants_json(request) -> bool:
    return (request.headers.get("X-Requested-With") == "fetch"
            or "application/json" in request.headers.get("Accept", ""))


def _selected_session(request, training):
    """The session chosen with ?session=, else the one people are arriving for now."""
    chosen = request.params.get("session", "")
    sessions = [session for session in training.sessions if not session.cancelled]
    if parse_id(chosen) is not None:
        for session in sessions:
            if session.id == parse_id(chosen):
                return session
        raise HTTPNotFound()
    return services.current_session(training, utcnow()) or (sessions[0] if sessions else None)


def _registration_of(request, training_id: int, value) -> Registration:
    value = str(value or "")
    registration = get_by_id(request.dbsession, Registration, value)
    if registration is None or registration.training_id != training_id:
        raise HTTPBadRequest(request.localizer.translate(_("This person is not registered for this training.")))
    return registration


# --- Summary -------------------------------------------------------------------------------

@view_config(route_name="organiser_attendance", context=TrainingAttendance, permission=Permission.read,
             renderer="participants/attendance/summary.jinja2")
def summary(context, request):
    training = context.training
    query = request.params.get("q", "").strip()[:100]
    conditions = person_search_conditions(request.dbsession, query)
    total = services.count_expected(request.dbsession, training.id, conditions)
    number = clamp_page(requested_page(request.params), total, LIST_PAGE_SIZE)
    registrations = services.expected_page(request.dbsession, training.id, LIST_PAGE_SIZE,
                                           (number - 1) * LIST_PAGE_SIZE, conditions)
    people = people_summary(request.dbsession, training, registrations)
    sessions = services.sessions_with_counts(request.dbsession, training, None if conditions else total)
    return {"training": training, "sessions": sessions, "people": people, "q": query,
            "page": Page(people, number, LIST_PAGE_SIZE, total),
            "att": labels, "statuses": list(AttendanceStatus),
            "role_label": {value: request.localizer.translate(label) for value, label in labels.ROLE.items()},
            "yes_no": {True: request.localizer.translate(_("Yes")), False: request.localizer.translate(_("No"))}}


@view_config(route_name="organiser_attendance_export", context=TrainingAttendance, permission=Permission.read,
             renderer="spreadsheet")
def export(context, request):
    training = context.training
    table = summary_table(request, people_summary(request.dbsession, training), training)
    return Download(table, f"asistencia-{training.id}-{slugify(training.title)[:40]}", request.matchdict["format"])


# --- One session's sheet ------------------------------------------------------------------

@view_config(route_name="session_attendance", context=SessionAttendance, permission=Permission.manage,
             renderer="participants/attendance/session.jinja2")
def session_sheet(context, request):
    """One session's sheet. The one-tap list is searched (name, email, document, institution)
    and paged by LIST_PAGE_SIZE; the paper mode lists everyone, since whoever it leaves unticked
    is recorded absent."""
    rows = services.sheet(request.dbsession, context.session)
    undo = request.session.get(UNDO_KEY)
    paper = request.params.get("mode") == "paper"
    query = "" if paper else request.params.get("q", "").strip()[:100]
    shown = rows if paper else services.matching_rows(rows, query)
    number = clamp_page(requested_page(request.params), len(shown), LIST_PAGE_SIZE)
    page = Page(shown if paper else shown[(number - 1) * LIST_PAGE_SIZE:number * LIST_PAGE_SIZE],
                1 if paper else number, len(shown) if paper else LIST_PAGE_SIZE, len(shown))
    return {"training": context.training, "session": context.session, "rows": page.items, "page": page,
            "everyone": len(rows), "q": query, "counts": services.status_counts(rows), "att": labels,
            "statuses": list(AttendanceStatus), "paper": paper, "started": services.has_started(context.session),
            "undo": undo if undo and undo.get("session") == context.session.id else None}


def _back_to_sheet(request, session, anchor=None):
    """Back to the sheet, on the search and page the organiser was on (without JavaScript)."""
    extra = {"_anchor": anchor} if anchor else {}
    kept = {name: request.POST[name].strip()[:100] for name in ("q", "page") if request.POST.get(name, "").strip()}
    if kept:
        extra["_query"] = kept
    return HTTPFound(location=request.route_path("session_attendance", id=session.id, **extra))


@view_config(route_name="session_attendance_mark", context=SessionAttendance, permission=Permission.manage,
             request_method="POST")
def mark(context, request):
    registration = _registration_of(request, context.training.id, request.POST.get("registration"))
    try:
        status = AttendanceStatus(request.POST.get("status", ""))
    except ValueError:
        raise HTTPBadRequest(request.localizer.translate(_("Unknown attendance status."))) from None
    if registration.status != RegistrationStatus.confirmed:
        raise HTTPBadRequest(request.localizer.translate(_("This registration is not confirmed.")))
    attendance = services.record(request.dbsession, registration, context.session, status, AttendanceMethod.manual,
                                 request.identity)
    if _wants_json(request):
        translate = request.localizer.translate
        return _json(request, {"registration": registration.id, "status": str(status),
                               "label": translate(labels.STATUS[status]), "changed": attendance is not None})
    return _back_to_sheet(request, context.session, f"r{registration.id}")


def _json(request, payload, status=200):
    response = Response(json_body=payload, status=status)
    response.headers["Cache-Control"] = "no-store"
    return response


@view_config(route_name="session_attendance_all", context=SessionAttendance, permission=Permission.manage,
             request_method="POST")
def mark_everyone_present(context, request):
    translate = request.localizer.translate
    try:
        marked = services.mark_everyone_present(request.dbsession, context.session, request.identity)
    except services.SessionNotStarted:
        request.session.flash(translate(_(
            "This session has not started yet: everyone can be marked present only once it has begun. "
            "Mark the people who are here one by one.")), "error")
        return _back_to_sheet(request, context.session)
    if marked.count:
        request.session[UNDO_KEY] = marked.as_dict()
        request.session.flash(request.localizer.pluralize(
            "${count} person marked present.", "${count} people marked present.", marked.count,
            domain="capacita", mapping={"count": marked.count}), "success")
    else:
        request.session.flash(translate(_("Everyone already had a status: nothing changed.")), "info")
    return _back_to_sheet(request, context.session)


@view_config(route_name="session_attendance_undo", context=SessionAttendance, permission=Permission.manage,
             request_method="POST")
def undo_mark_everyone_present(context, request):
    undo = request.session.get(UNDO_KEY)
    translate = request.localizer.translate
    if not undo or undo.get("session") != context.session.id or undo.get("first") is None:
        request.session.flash(translate(_("There is nothing to undo.")), "info")
        return _back_to_sheet(request, context.session)
    restored, kept = services.undo_mark_everyone_present(request.dbsession, context.session, request.identity,
                                                         undo["first"], undo["last"])
    del request.session[UNDO_KEY]
    pluralize = request.localizer.pluralize
    request.session.flash(pluralize("${count} mark undone.", "${count} marks undone.", restored,
                                    domain="capacita", mapping={"count": restored}), "success")
    if kept:
        request.session.flash(pluralize(
            "${count} person changed since then and keeps the new status.",
            "${count} people changed since then and keep their new status.", kept,
            domain="capacita", mapping={"count": kept}), "warning")
    return _back_to_sheet(request, context.session)


@view_config(route_name="session_attendance_paper", context=SessionAttendance, permission=Permission.manage,
             request_method="POST")
def record_paper_sheet(context, request):
    signed = {parse_id(value) for value in request.POST.getall("signed") if parse_id(value)}
    expected = {registration.id for registration in
                services.expected_registrations(request.dbsession, context.training.id)}
    if signed - expected:
        raise HTTPBadRequest(request.localizer.translate(_("This person is not registered for this training.")))
    present, absent = services.record_paper_sheet(request.dbsession, context.session, signed, request.identity)
    request.session.flash(request.localizer.translate(_(
        "Paper sheet recorded: ${present} present, ${absent} absent.",
        mapping={"present": present, "absent": absent})), "success")
    return _back_to_sheet(request, context.session)


@view_config(route_name="attendance_history", context=SessionAttendance, permission=Permission.read,
             renderer="participants/attendance/history.jinja2")
def attendance_history(context, request):
    registration = get_or_404(request.dbsession, Registration, request.matchdict["registration"])
    if registration.training_id != context.training.id:
        raise HTTPNotFound()
    events = services.history(request.dbsession, registration.id, context.session.id)
    return {"training": context.training, "session": context.session, "registration": registration,
            "events": events, "att": labels}


@view_config(route_name="signin_sheet", context=SessionAttendance, permission=Permission.read)
def signin_sheet(context, request):
    registrations = services.expected_registrations(request.dbsession, context.training.id)
    body = signin_sheet_pdf(request, context.training, context.session, registrations)
    name = f"hoja-asistencia-{context.session.id}-{slugify(context.session.title)[:40]}.pdf"
    return Response(body=body, content_type="application/pdf", content_disposition=f'inline; filename="{name}"')


# --- Check-in at the door ------------------------------------------------------------------

@view_config(route_name="checkin", context=TrainingAttendance, permission=Permission.manage,
             renderer="participants/attendance/checkin.jinja2")
def checkin_page(context, request):
    training = context.training
    session = _selected_session(request, training)
    query = request.params.get("q", "").strip()[:100]
    matches = services.find_expected(request.dbsession, training.id, query) if query and session else []
    waiting = services.find_waiting(request.dbsession, training.id, query) if query and session else []
    statuses = {}
    if matches:
        attendances = services.session_attendances(request.dbsession, session.id)
        statuses = {registration.id: attendances[registration.id].status
                    for registration in matches if registration.id in attendances}
    return {"training": training, "session": session, "query": query, "matches": matches, "statuses": statuses,
            "waiting": waiting, "att": labels, "sessions": [s for s in training.sessions if not s.cancelled],
            # Back from a typed code: the scanner's next code must land in the field again.
            "focus_code": request.params.get("focus") == "code"}


def _scan_session(request, training, value):
    value = str(value or "")
    for session in training.sessions:
        if session.id == parse_id(value):
            return session
    return None


@view_config(route_name="checkin_scan", context=TrainingAttendance, permission=Permission.manage,
             request_method="POST")
def checkin_scan(context, request):
    """POST {code, session} (JSON or form) → {result, message, name, institution}."""
    try:
        payload = request.json_body if request.content_type == "application/json" else request.POST
        code, session_id = payload.get("code", ""), payload.get("session", "")
    except ValueError:
        code, session_id = "", ""
    translate = request.localizer.translate
    session = _scan_session(request, context.training, session_id)
    if session is None:
        return _json(request, {"result": CheckinResult.refused.value, "name": "", "institution": "",
                               "message": translate(_("Choose the session first."))}, status=400)
    result = check_in_code(request.dbsession, secret_of(request), context.training, session, str(code or ""),
                           request.identity)
    return _json(request, {"result": result.result.value, "message": translate(result.message),
                           "name": result.name, "institution": result.institution})


@view_config(route_name="checkin_mark", context=TrainingAttendance, permission=Permission.manage,
             request_method="POST")
def checkin_mark(context, request):
    """The search-by-name fallback: check in a registration found in the list."""
    training = context.training
    session = _scan_session(request, training, request.POST.get("session"))
    if session is None:
        raise HTTPNotFound()
    registration = _registration_of(request, training.id, request.POST.get("registration"))
    result = check_in(request.dbsession, training, session, registration, request.identity, AttendanceMethod.manual)
    request.session.flash(f"{result.name}: {request.localizer.translate(result.message)}",
                          CHECKIN_FLASH[result.result])
    return _back_to_checkin(request, training, session)


CHECKIN_FLASH = {CheckinResult.present: "success", CheckinResult.late: "warning", CheckinResult.already: "info",
                 CheckinResult.refused: "error"}


def _back_to_checkin(request, training, session, **query):
    return HTTPFound(location=request.route_path("checkin", id=training.id,
                                                 _query={"session": session.id, **query}))


@view_config(route_name="checkin_code", context=TrainingAttendance, permission=Permission.manage,
             request_method="POST")
def checkin_code(context, request):
    """The typed-code field: a USB scanner types the code and Enter, or the organiser types it
    when the camera fails; works without JavaScript."""
    training = context.training
    session = _scan_session(request, training, request.POST.get("session"))
    if session is None:
        raise HTTPNotFound()
    code = request.POST.get("code", "").strip()[:500]
    result = check_in_code(request.dbsession, secret_of(request), training, session, code, request.identity)
    message = request.localizer.translate(result.message)
    request.session.flash(f"{result.name}: {message}" if result.name else message, CHECKIN_FLASH[result.result])
    return _back_to_checkin(request, training, session, focus="code")


@view_config(route_name="checkin_admit", context=TrainingAttendance, permission=Permission.manage,
             request_method="POST")
def checkin_admit(context, request):
    """Someone waiting for a place is at the door: confirm them (over capacity if need be) and
    check them in, in one step."""
    training = context.training
    session = _scan_session(request, training, request.POST.get("session"))
    if session is None:
        raise HTTPNotFound()
    registration = _registration_of(request, training.id, request.POST.get("registration"))
    translate = request.localizer.translate
    try:
        raised_from = admit_at_the_door(request, registration)
    except CannotAdmit:
        request.session.flash(translate(_("${name} is not waiting for a place.",
                                          mapping={"name": registration.person.full_name})), "error")
        return _back_to_checkin(request, training, session)
    result = check_in(request.dbsession, training, session, registration, request.identity, AttendanceMethod.manual)
    request.session.flash(translate(_("Admitted from the waiting list: ${name}. ${result}", mapping={
        "name": registration.person.full_name, "result": translate(result.message)})), CHECKIN_FLASH[result.result])
    if raised_from is not None:
        request.session.flash(translate(_(
            "The training was full: its capacity went from ${before} to ${after} for this person. "
            "Nobody else's place changed.", mapping={"before": raised_from, "after": training.capacity})), "warning")
    return _back_to_checkin(request, training, session)


@view_config(route_name="walk_in", context=TrainingAttendance, permission=Permission.manage,
             renderer="participants/attendance/walk_in.jinja2")
def walk_in(context, request):
    training = context.training
    session = _selected_session(request, training)
    if session is None:
        raise HTTPNotFound()
    back = request.params.get("back") == "sheet"
    query = {"session": session.id, **({"back": "sheet"} if back else {})}
    form = make_form(request, WalkInSchema(), submit_label=_("Register and mark present"),
                     action=request.route_path("walk_in", id=training.id, _query=query))

    def register(values):
        registration = register_walk_in(request, training, session, values)
        request.session.flash(request.localizer.translate(_(
            "${name} is registered and marked present.", mapping={"name": registration.person.full_name})),
            "success")
        if back:
            return request.route_path("session_attendance", id=session.id)
        return request.route_path("checkin", id=training.id, _query={"session": session.id})

    result = handle_form(request, form, register)
    if isinstance(result, dict):
        result.update(training=training, session=session, back=back)
    return result


# --- The participant's own QR code and badge ---------------------------------------------

def _registration_by_token(request) -> Registration:
    registration = registration_by_token(
        request.dbsession, request.matchdict["token"],
        joinedload(Registration.person).joinedload(Person.institution), joinedload(Registration.training))
    if registration is None or registration.status != RegistrationStatus.confirmed:
        raise HTTPNotFound()
    return registration


@view_config(route_name="my_qr", permission=Permission.view)
def my_qr(request):
    registration = _registration_by_token(request)
    svg = qr_svg(make_token(secret_of(request), registration), scale=6, standalone=True)
    response = Response(body=svg.encode("utf-8"), content_type="image/svg+xml", charset="utf-8")
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


@view_config(route_name="my_badge", permission=Permission.view)
def my_badge(request):
    registration = _registration_by_token(request)
    name = f"credencial-{slugify(registration.person.full_name)[:40] or registration.id}.pdf"
    response = Response(body=badge_pdf(request, registration), content_type="application/pdf",
                        content_disposition=f'inline; filename="{name}"')
    response.headers["Cache-Control"] = "private, no-store"
    return response

