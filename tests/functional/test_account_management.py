"""Accounts in the app: invitations, roles, deactivation, password change and reset by email."""
import datetime as dt
import re

from sqlalchemy import select

from tests import factories
from tests.conftest import PASSWORD, csrf_token_of, log_in
from trainings.accounts import hash_token, issue_token
from trainings.models import AccountToken, MemberRole, OutboxMessage, TokenPurpose, User

NEW_PASSWORD = "un caballo correcto"


def _last_mail(dbsession, to: str) -> OutboxMessage:
    return dbsession.scalars(select(OutboxMessage).where(OutboxMessage.recipients == to)
                             .order_by(OutboxMessage.id.desc())).first()


def _link_in(message: OutboxMessage) -> str:
    return re.search(r"http://capacita\.test(/password/set/\S+)", message.body_text).group(1)


def _manager_app(testapp, organisation):
    manager = factories.UserFactory(member_of=[(organisation, "manager")])
    log_in(testapp, manager).follow()
    return manager


def test_a_manager_invites_an_organiser_who_sets_a_password_and_logs_in(testapp, dbsession):
    office = factories.OrganisationFactory(name="OIM Perú")
    _manager_app(testapp, office)
    form = testapp.get("/organiser/accounts/invite").forms["form"]
    form["email"], form["display_name"], form["role"], form["language"] = " Ana@Example.org", "Ana", "viewer", "en"
    form.submit("submit").follow()
    user = dbsession.scalar(select(User).where(User.email == "ana@example.org"))
    assert [(m.organisation_id, m.role) for m in user.memberships] == [(office.id, MemberRole.viewer)]
    mail = _last_mail(dbsession, "ana@example.org")
    assert mail.language == "en" and "OIM Perú" in mail.body_text and "72 hours" in mail.body_text
    link = _link_in(mail)
    token = link.rsplit("/", 1)[1]
    stored = dbsession.scalar(select(AccountToken).where(AccountToken.user_id == user.id))
    assert stored.token_hash == hash_token(token) and token not in stored.token_hash
    # The invited account cannot log in before choosing a password.
    testapp.post("/logout", {"csrf_token": csrf_token_of(testapp.get("/organiser"))})
    assert log_in(testapp, user, password="").status_int == 400
    page = testapp.get(link)
    page.forms["form"]["new_password"] = NEW_PASSWORD
    page.forms["form"]["new_password-confirm"] = NEW_PASSWORD
    assert page.forms["form"].submit("submit").follow().request.path == "/organiser"
    testapp.get(link, status=404)  # used once
    testapp.post("/logout", {"csrf_token": csrf_token_of(testapp.get("/organiser"))})
    assert log_in(testapp, user, password=NEW_PASSWORD).status_int == 302


def test_bad_invitations_say_what_is_wrong_and_write_nothing(testapp, dbsession):
    office, other = factories.OrganisationFactory(), factories.OrganisationFactory()
    _manager_app(testapp, office)
    page = testapp.get("/organiser/accounts/invite")
    count = dbsession.query(User).count()
    response = testapp.post("/organiser/accounts/invite", {
        "csrf_token": csrf_token_of(page), "email": "no-es-un-correo", "organisation_id": str(other.id),
        "role": "emperor", "language": "es"}, status=400)
    assert response.html.select("#item-deformField2 .invalid-feedback, .invalid-feedback")
    assert dbsession.query(User).count() == count


def test_a_manager_changes_roles_and_deactivates_and_the_sessions_end_at_once(testapp, dbsession):
    office = factories.OrganisationFactory()
    organiser = factories.UserFactory(member_of=[(office, "organiser")])
    log_in(testapp, organiser).follow()
    organisers_session = testapp.cookies["capacita_session"]
    testapp.reset()
    _manager_app(testapp, office)
    form = testapp.get(f"/organiser/accounts/{organiser.id}/edit").forms["form"]
    form[f"organisation_{office.id}"] = "viewer"
    form["active"] = False
    form.submit("submit").follow()
    dbsession.refresh(organiser)
    assert not organiser.active and organiser.memberships[0].role == MemberRole.viewer
    testapp.reset()
    testapp.set_cookie("capacita_session", organisers_session)
    assert "/login" in testapp.get("/organiser", status=302).location
    assert log_in(testapp, organiser).status_int == 400


def test_a_manager_cannot_edit_accounts_of_other_organisations_or_administrators(testapp, dbsession):
    office, other = factories.OrganisationFactory(), factories.OrganisationFactory()
    stranger = factories.UserFactory(member_of=[(other, "organiser")])
    admin = factories.UserFactory(role="admin")
    _manager_app(testapp, office)
    testapp.get(f"/organiser/accounts/{stranger.id}/edit", status=403)
    testapp.get(f"/organiser/accounts/{admin.id}/edit", status=403)
    assert stranger.email not in testapp.get("/organiser/accounts").text


def test_everyone_changes_their_password_with_the_current_one(testapp, organiser, dbsession):
    log_in(testapp, organiser).follow()
    other_session = testapp.cookies["capacita_session"]
    testapp.reset()
    log_in(testapp, organiser).follow()
    page = testapp.get("/account")
    # deform's widget, in Spanish too, and its second box named for screen readers
    assert 'placeholder="Contraseña"' in page.text and 'placeholder="Confirme la contraseña"' in page.text
    assert 'aria-label="Repita la nueva contraseña"' in page.text
    form = page.forms["form"]
    form["current_password"], form["new_password"], form["new_password-confirm"] = "wrong", NEW_PASSWORD, NEW_PASSWORD
    refused = form.submit("submit", status=400)
    assert "no es su contraseña actual" in refused.text
    form = refused.forms["form"]
    form["current_password"], form["new_password"], form["new_password-confirm"] = PASSWORD, "corta", "corta"
    assert form.submit("submit", status=400)
    form = testapp.get("/account").forms["form"]
    form["current_password"], form["new_password"], form["new_password-confirm"] = PASSWORD, NEW_PASSWORD, NEW_PASSWORD
    form.submit("submit").follow()
    testapp.get("/organiser", status=200)  # this session goes on
    testapp.set_cookie("capacita_session", other_session)
    assert "/login" in testapp.get("/organiser", status=302).location  # the others end


def test_a_forgotten_password_is_reset_by_email_with_the_same_answer_for_unknown_addresses(testapp, organiser,
                                                                                          dbsession):
    answers = []
    for email in (organiser.email, "nadie@example.org"):
        form = testapp.get("/password/forgotten").forms["form"]
        form["email"] = email
        answers.append(form.submit("submit").follow().html.select_one(".alert").text.strip())
    assert answers[0] == answers[1]
    assert _last_mail(dbsession, "nadie@example.org") is None
    mail = _last_mail(dbsession, organiser.email)
    assert mail.language == "es" and "restablecer" in mail.subject.lower()
    page = testapp.get(_link_in(mail))
    page.forms["form"]["new_password"] = page.forms["form"]["new_password-confirm"] = NEW_PASSWORD
    page.forms["form"].submit("submit").follow()
    testapp.get(_link_in(mail), status=404)
    dbsession.refresh(organiser)
    testapp.post("/logout", {"csrf_token": csrf_token_of(testapp.get("/organiser"))})
    assert log_in(testapp, organiser, password=NEW_PASSWORD).status_int == 302


def test_reset_requests_are_throttled_per_address(testapp, organiser, dbsession):
    for _attempt in range(3):
        form = testapp.get("/password/forgotten").forms["form"]
        form["email"] = organiser.email
        form.submit("submit").follow()
    form = testapp.get("/password/forgotten").forms["form"]
    form["email"] = organiser.email
    assert "Demasiadas" in form.submit("submit", status=400).text
    assert dbsession.query(OutboxMessage).filter_by(recipients=organiser.email).count() == 3


def test_set_password_links_expire_and_a_newer_one_replaces_the_older(testapp, organiser, dbsession):
    old = issue_token(dbsession, organiser, TokenPurpose.password_reset)
    new = issue_token(dbsession, organiser, TokenPurpose.password_reset)
    testapp.get(f"/password/set/{old}", status=404)
    testapp.get(f"/password/set/{new}", status=200)
    stored = dbsession.scalar(select(AccountToken).where(AccountToken.token_hash == hash_token(new)))
    stored.expires_at = stored.created_at - dt.timedelta(seconds=1)
    dbsession.flush()
    assert "caducado" in testapp.get(f"/password/set/{new}", status=404).text
    testapp.get("/password/set/" + "x" * 500, status=404)


def test_administrators_name_organisations(admin_app, dbsession):
    form = admin_app.get("/organiser/organisations/new").forms["form"]
    form["name"] = "Ministerio del Interior"
    form.submit("submit").follow()
    assert "Ministerio del Interior" in admin_app.get("/organiser/organisations").text
    form = admin_app.get("/organiser/organisations/new").forms["form"]
    form["name"] = "ministerio del interior"
    assert "Ya existe una organización" in form.submit("submit", status=400).text
