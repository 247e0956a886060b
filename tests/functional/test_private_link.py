import re

from sqlalchemy import select

from participants.models import EarlierPrivateLink, RegistrationStatus
from participants.registrations import register
from participants.tokens import hash_token
from tests import factories
from tests.conftest import csrf_token_of
from trainings.models import OutboxMessage

LINK = re.compile(r"/me/([A-Za-z0-9_\-]+)")


def test_private_page_shows_status_and_waitlist_position_and_cancels(testapp, app_request, dbsession):
    training = factories.TrainingFactory(capacity=1)
    first, first_token = register(app_request, training, factories.PersonFactory())
    second, second_token = register(app_request, training, factories.PersonFactory())
    page = testapp.get(f"/me/{second_token}")
    assert "1" in page.text and second.person.full_name in page.text
    assert page.headers["Cache-Control"].startswith("private")
    page = testapp.get(f"/me/{first_token}")
    testapp.post(f"/me/{first_token}/cancel", {"csrf_token": csrf_token_of(page)}, status=302)
    assert first.status == RegistrationStatus.cancelled and second.status == RegistrationStatus.confirmed
    [mail] = dbsession.scalars(select(OutboxMessage)).all()
    assert mail.recipients == second.person.email
    # The promoted person gets a new link by email; the one they had keeps working.
    new_token = LINK.search(mail.body_text).group(1)
    assert new_token != second_token
    testapp.get(f"/me/{new_token}", status=200)
    testapp.get(f"/me/{second_token}", status=200)


def test_cancel_needs_csrf(testapp, app_request, dbsession):
    registration, token = register(app_request, factories.TrainingFactory(), factories.PersonFactory())
    testapp.post(f"/me/{token}/cancel", {}, status=400)
    assert registration.status == RegistrationStatus.confirmed


def test_unknown_token_is_a_friendly_404(testapp, dbsession):
    page = testapp.get("/me/" + "x" * 43, status=404)
    assert "/lost-link" in page.text
    testapp.get("/me/short", status=404)
    testapp.post("/me/" + "x" * 43 + "/cancel", {"csrf_token": "nope"}, status=400)


def test_token_is_stored_hashed(app_request, dbsession):
    registration, token = register(app_request, factories.TrainingFactory(), factories.PersonFactory())
    assert len(token) >= 22 and registration.token_hash == hash_token(token) != token


def test_panels_are_included_with_registration_and_token(testapp, app_request, dbsession, app):
    from participants.panels import RegistrationPanel

    app.registry["registration_panels"].append(RegistrationPanel("tests:participants/panel.jinja2", 1))
    try:
        registration, token = register(app_request, factories.TrainingFactory(), factories.PersonFactory())
        page = testapp.get(f"/me/{token}")
        assert f"PANEL {registration.id} {token}" in page.text
    finally:
        app.registry["registration_panels"].pop()


def _ask(testapp, email, status=302, client="10.0.0.1"):
    page = testapp.get("/lost-link", extra_environ={"REMOTE_ADDR": client})
    form = page.forms["form"]
    form["email"] = email
    return form.submit("submit", status=status, extra_environ={"REMOTE_ADDR": client})


def test_lost_link_answers_the_same_whether_known_or_not(testapp, app_request, dbsession):
    registration, old_token = register(app_request, factories.TrainingFactory(),
                                       factories.PersonFactory(email="ana.baez17@mpfn.gob.pe"))
    known = _ask(testapp, " ANA.BAEZ17@mpfn.gob.pe").follow()
    unknown = _ask(testapp, "nobody@nowhere.org").follow()
    flash = re.compile(r'<div class="alert[^>]*>(.*?)</div>', re.S)
    assert flash.findall(known.text) == flash.findall(unknown.text) != []
    [mail] = dbsession.scalars(select(OutboxMessage)).all()
    assert mail.recipients == "ana.baez17@mpfn.gob.pe"
    new_token = LINK.search(mail.body_text).group(1)
    assert registration.token_hash == hash_token(new_token) and new_token != old_token


def test_lost_link_is_throttled_per_connection(testapp, dbsession):
    for number in range(5):
        _ask(testapp, f"nobody{number}@nowhere.org")
    refused = _ask(testapp, "someone@nowhere.org", status=400)
    assert "Demasiadas solicitudes" in refused.text


def test_lost_link_is_capped_per_recipient_whatever_the_connection(testapp, app_request, dbsession):
    register(app_request, factories.TrainingFactory(), factories.PersonFactory(email="eva@example.org"))
    for number in range(3):
        _ask(testapp, "eva@example.org", client=f"10.0.1.{number}")
    refused = _ask(testapp, " EVA@example.org", status=400, client="10.0.2.1")
    assert "varias veces hoy" in refused.text
    assert len(dbsession.scalars(select(OutboxMessage)).all()) == 3
    # Another address is not held back by Eva's.
    _ask(testapp, "otra@example.org", client="10.0.2.1")


def test_the_page_and_the_email_agree_that_earlier_links_keep_working(testapp, app_request, dbsession):
    register(app_request, factories.TrainingFactory(), factories.PersonFactory(email="eva@example.org"))
    page = testapp.get("/lost-link")
    assert "los enlaces que tenía antes siguen funcionando" in page.text
    _ask(testapp, "eva@example.org")
    [mail] = dbsession.scalars(select(OutboxMessage)).all()
    assert "el enlace que tenía antes también sigue funcionando" in mail.body_text


def test_registrations_of_ended_trainings_cannot_be_cancelled(testapp, app_request, dbsession):
    import datetime as dt

    training = factories.TrainingFactory(starts_on=dt.date(2024, 3, 1), ends_on=dt.date(2024, 3, 2))
    registration, token = register(app_request, training, factories.PersonFactory())
    page = testapp.get(f"/me/{token}")
    assert f"/me/{token}/cancel" not in page.text
    csrf = csrf_token_of(testapp.get("/lost-link"))
    testapp.post(f"/me/{token}/cancel", {"csrf_token": csrf}, status=302)
    assert registration.status == RegistrationStatus.confirmed


def test_lost_link_says_when_the_address_is_mistyped(testapp, dbsession):
    refused = _ask(testapp, "ana.baez17@", status=400)
    assert "no es un correo electrónico válido" in refused.text.lower()
    assert dbsession.scalars(select(OutboxMessage)).all() == []


def test_asking_for_the_link_again_never_breaks_the_one_in_use(testapp, app_request, dbsession):
    # Anyone can ask for anyone's link: the person's page and calendar feed must keep working.
    registration, token = register(app_request, factories.TrainingFactory(),
                                   factories.PersonFactory(email="rosa@example.org"))
    page = testapp.get("/lost-link")
    form = page.forms["form"]
    form["email"] = "rosa@example.org"
    form.submit("submit")
    sent = [mail for mail in dbsession.scalars(select(OutboxMessage)) if LINK.search(mail.body_text)]
    fresh = LINK.search(sent[-1].body_text).group(1)
    for link in (token, fresh):
        assert registration.person.full_name in testapp.get(f"/me/{link}").text


def test_after_a_merge_the_absorbed_registrations_link_opens_the_one_kept(testapp, app_request, dbsession):
    from participants.people import merge_people

    training = factories.TrainingFactory()
    keep, other = factories.PersonFactory(), factories.PersonFactory()
    kept, _token = register(app_request, training, keep)
    _absorbed, absorbed_token = register(app_request, training, other)
    merge_people(app_request, keep, other)
    assert keep.full_name in testapp.get(f"/me/{absorbed_token}").text


def test_revoking_the_private_link_stops_every_earlier_link_and_emails_a_new_one(testapp, app_request, dbsession):
    from participants.tokens import give_new_link

    registration, first = register(app_request, factories.TrainingFactory(),
                                   factories.PersonFactory(email="rosa@example.org"))
    second = give_new_link(dbsession, registration)  # an earlier email's link, kept working until now
    dbsession.flush()
    page = testapp.get(f"/me/{second}")
    revoke = [form for form in page.forms.values() if form.action.endswith("/revoke")][0]
    revoke.submit().follow()
    for old in (first, second):
        testapp.get(f"/me/{old}", status=404)
    mail = dbsession.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc())).first()
    assert mail.recipients == "rosa@example.org"
    fresh = LINK.search(mail.body_text).group(1)
    assert registration.person.full_name in testapp.get(f"/me/{fresh}").text
    assert dbsession.scalars(select(EarlierPrivateLink).where(
        EarlierPrivateLink.registration_id == registration.id)).all() == []
    testapp.post(f"/me/{fresh}/revoke", {}, status=400)  # CSRF
