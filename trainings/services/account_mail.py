"""The set-password emails (invitation, reset), in the recipient's language, through the outbox."""
from __future__ import annotations

from ..accounts import TOKEN_LIFETIMES, issue_token
from ..i18n import _
from ..mail import queue_mail, render_mail, speaking
from ..models import TokenPurpose, User

SUBJECTS = {TokenPurpose.invitation: _("Your Capacita account"),
            TokenPurpose.password_reset: _("Reset your Capacita password")}


def set_password_link(request, token: str) -> str:
    """On the site's public address (`app.public_url`) when set, like every link in emails."""
    public_url = (request.registry.settings.get("app.public_url") or "").rstrip("/")
    if public_url:
        return public_url + request.route_path("password_set", token=token)
    return request.route_url("password_set", token=token)


def send_account_link(request, user: User, purpose: TokenPurpose, inviter: str = "", organisation: str = ""):
    """Issue a set-password link for `user` and queue the email carrying it."""
    token = issue_token(request.dbsession, user, purpose)
    language = str(user.preferred_language or "es")
    values = {"user": user, "purpose": str(purpose), "link": set_password_link(request, token),
              "hours": int(TOKEN_LIFETIMES[purpose].total_seconds() // 3600),
              "inviter": inviter, "organisation": organisation}
    text, html = render_mail(request, "trainings/mail/account_link", values, language)
    with speaking(request, language) as localizer:
        subject = localizer.translate(SUBJECTS[purpose])
    return queue_mail(request.dbsession, to=user.email, subject=subject, text=text, html=html, language=language)
