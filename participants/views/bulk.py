"""Organisers act on many registrations of a training at once, after a confirmation page."""
from __future__ import annotations

from pyramid.httpexceptions import HTTPFound
from pyramid.view import view_config

from trainings.i18n import _
from trainings.mail import render_mail
from trainings.security import Permission

from .. import bulk, labels
from ..notifications import private_link
from ..registrations import move_targets


@view_config(route_name="registrations_bulk", request_method="POST", renderer="participants/organiser/bulk.jinja2",
             permission=Permission.manage)
def bulk_view(request):
    """First POST (from the ticks on the registrations tab, or "write to everyone with this
    status"): the confirmation page. POST with `confirm`: done, all or nothing."""
    training = request.context.training
    params = request.POST
    action = params.get("action", "")
    status = params.get("status", "")
    chosen = (bulk.with_status(request.dbsession, training, status) if status
              else bulk.selected(request.dbsession, training, params.getall("registration")))
    targets = move_targets(request, training) if action == "move" else []
    target = next((t for t in targets if str(t.id) == params.get("target", "")), None)
    message = bulk.Message(params.get("subject", "").strip(), params.get("body", "").strip())
    problems = []
    if params.get("confirm"):
        try:
            count = bulk.apply(request, action, chosen, target, message)
        except bulk.BulkRefused as refusal:
            problems = refusal.problems
            request.response.status_int = 400
        else:
            request.session.flash(_done(request, action, count), "success")
            return HTTPFound(location=request.route_path("organiser_registrations", id=training.id))
    elif action != "email" and action != "move":
        problems = bulk.problems_with(action, chosen)
    elif not chosen:
        problems = [(None, _("Tick at least one registration."))]
    return {"training": training, "action": action, "chosen": chosen, "status": status, "targets": targets,
            "target": target, "message": message, "problems": problems, "status_label": labels.STATUS,
            "preview": _preview(request, chosen, message) if action == "email" else None}


def _preview(request, chosen, message):
    """The message as the first person will read it (in their language), before sending."""
    if not chosen or not message.body:
        return None
    first = chosen[0]
    text, _html = render_mail(request, "participants/mail/message", {
        "person": first.person, "training": first.training, "body": message.body,
        "link": private_link(request, "…")}, str(first.person.preferred_language or "es"))
    return text


def _done(request, action: str, count: int) -> str:
    """What was done, in the user's language ("1 registration", "3 registrations")."""
    def pluralize(singular: str, plural: str) -> str:  # the name babel extracts both forms from
        return request.localizer.pluralize(singular, plural, count, domain="capacita", mapping={"count": count})

    return {
        "approve": pluralize("${count} registration approved.", "${count} registrations approved."),
        "cancel": pluralize("${count} registration cancelled.", "${count} registrations cancelled."),
        "move": pluralize("${count} registration moved.", "${count} registrations moved."),
        "email": pluralize("${count} message queued in the outbox.", "${count} messages queued in the outbox."),
        "reminder_off": pluralize("${count} registration will get no reminder.",
                                  "${count} registrations will get no reminder."),
        "reminder_on": pluralize("${count} registration will get the reminder.",
                                 "${count} registrations will get the reminder."),
    }[action]
