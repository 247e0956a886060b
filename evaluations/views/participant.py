"""Participants answering from their private link, on a phone, without logging in."""
from __future__ import annotations

from pyramid.httpexceptions import HTTPFound
from pyramid.view import view_config

from trainings.i18n import _
from trainings.models import utcnow
from trainings.security import Permission

from ..answers import Closed, Value, answer_set_of, check_open, current_values, fields_for, may_answer, submit
from ..questionnaires import training_questionnaires
from ..windows import window


def my_questionnaires(request, registration) -> list[dict]:
    """The private page's panel: the questionnaires of the registration's training, with whether
    each is open and answered."""
    if not may_answer(registration):
        return []
    now = utcnow()
    listed = []
    for questionnaire in training_questionnaires(request.dbsession, registration.training_id):
        span = window(questionnaire)
        if span is None or now < span.opens_at:
            continue
        listed.append({"questionnaire": questionnaire, "window": span, "open": span.is_open(now),
                       "answered": answer_set_of(request.dbsession, questionnaire, registration) is not None})
    return listed


def _language(request, registration) -> str:
    return request.locale_name or str(registration.person.preferred_language)


@view_config(route_name="my_questionnaire", renderer="evaluations/answer.jinja2", permission=Permission.view)
def my_questionnaire(context, request):
    registration, questionnaire = context.registration, context.questionnaire
    request.response.headers["Referrer-Policy"] = "no-referrer"
    request.response.headers["Cache-Control"] = "private, no-store"
    if registration is None:
        request.response.status_int = 404
        return {"registration": None}
    page = {"registration": registration, "training": registration.training, "questionnaire": questionnaire,
            "token": context.token, "window": window(questionnaire), "closed": None, "errors": {}}
    if not may_answer(registration):
        page["closed"] = _("Only confirmed participants answer this training's questionnaires.")
        return {**page, "fields": [], "values": {}}
    fields = fields_for(request.dbsession, questionnaire, _language(request, registration))
    answer_set = answer_set_of(request.dbsession, questionnaire, registration)
    page.update(fields=fields, values=current_values(answer_set, fields), answer_set=answer_set)
    now = utcnow()
    if request.method != "POST":
        try:
            check_open(questionnaire, now)
        except Closed as closed:
            page["closed"] = closed.message
        return page
    try:
        saved, errors = submit(request.dbsession, questionnaire, registration, fields, request.POST.getall, now=now)
    except Closed as closed:
        request.response.status_int = 409
        page["closed"] = closed.message
        return page
    if errors:
        request.response.status_int = 400
        page["errors"] = errors
        page["values"] = _typed(fields, request.POST)
        return page
    request.session.flash(request.localizer.translate(
        _("Thank you: your answers are saved. You can change them until the questionnaire closes.")), "success")
    return HTTPFound(location=request.route_path("my_registration", token=context.token))


def _typed(fields, params) -> dict:
    """What the person sent, to show it again next to the messages (nothing is lost)."""
    typed = {}
    for field_ in fields:
        raws = params.getall(field_.key)
        choices = [int(raw) for raw in raws if raw.isascii() and raw.isdigit() and len(raw) < 10]
        rating = choices[0] if field_.kind == "rating" and choices else None
        typed[field_.key] = Value(choices=choices, rating=rating, text=raws[0] if raws else "")
    return typed
