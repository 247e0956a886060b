"""Data protection: a participant corrects their details; an organiser downloads everything
about a person and anonymises them; retention; headers that keep personal pages out of caches
and scripts to the site's own files."""
import datetime as dt
import io
import json
import re

from openpyxl import load_workbook
from sqlalchemy import select

from participants.models import Attendance, AttendanceMethod, AttendanceStatus, Person
from participants.notifications import send_registration_mail
from participants.privacy import ANONYMISED, apply_retention, due_for_retention
from participants.registrations import register
from tests import factories
from tests.conftest import csrf_token_of
from trainings import cli
from trainings.models import AuditEntry, OutboxMessage, utcnow

LINK = re.compile(r"http://capacita\.test(/[^\s\"<]+)")


def _registered(app_request, **person):
    person = factories.PersonFactory(email="rosa@mpfn.gob.pe", given_names="Rosa", family_names="Huaman", **person)
    registration, token = register(app_request, factories.TrainingFactory(), person)
    return registration, token


def test_a_participant_corrects_their_details_and_confirms_a_new_address(testapp, app_request, dbsession):
    registration, token = _registered(app_request)
    person = registration.person
    form = testapp.get(f"/me/{token}").click(href=f"/me/{token}/details").forms["form"]
    form["family_names"], form["position"], form["email"] = "Huamán", "Fiscal", "rosa.h@mpfn.gob.pe"
    form.submit("submit").follow()
    assert (person.family_names, person.position, person.email) == ("Huamán", "Fiscal", "rosa@mpfn.gob.pe")
    entry = dbsession.scalars(select(AuditEntry).where(AuditEntry.action == "person.self_update")).one()
    assert entry.changes["family_names"] == ["Huaman", "Huamán"] and entry.user_id is None
    mail = dbsession.scalars(select(OutboxMessage).where(OutboxMessage.recipients == "rosa.h@mpfn.gob.pe")).one()
    link = LINK.search(mail.body_text).group(1)
    assert person.email == "rosa@mpfn.gob.pe"  # opening the link is not enough: a button confirms
    testapp.get(link).forms[0].submit().follow()
    assert person.email == "rosa.h@mpfn.gob.pe"
    testapp.get(link[:-3] + "xyz", status=404)  # tampered


def test_corrections_stop_once_a_certificate_is_issued(testapp, app_request, dbsession):
    registration, token = _registered(app_request)
    factories.CertificateFactory(registration=registration)
    page = testapp.get(f"/me/{token}/details")
    assert "form" not in page.forms and "certificado" in page.text
    testapp.post(f"/me/{token}/details", {"csrf_token": csrf_token_of(testapp.get("/login")), "given_names": "X",
                                           "family_names": "Y", "email": "", "__formid__": "form"})
    assert registration.person.given_names == "Rosa"


def test_an_organiser_downloads_everything_held_about_a_person(organiser_app, app_request, dbsession):
    registration, _token = _registered(app_request)
    session = factories.SessionFactory(training=registration.training)
    dbsession.add(Attendance(registration=registration, session=session, status=AttendanceStatus.present,
                             method=AttendanceMethod.manual))
    factories.CertificateFactory(registration=registration, serial="PE-2026-000321")
    person = registration.person
    send_registration_mail(app_request, registration, reason="lost_link")
    data = organiser_app.get(f"/organiser/people/{person.id}/data.json").json
    assert data["person"][0]["email"] == "rosa@mpfn.gob.pe"
    assert data["registrations"][0]["training"] == registration.training.title
    assert data["attendance"][0]["status"] == "present" and data["certificates"][0]["serial"] == "PE-2026-000321"
    assert data["emails"] and all(set(mail) == {"subject", "queued_at", "sent_at"} for mail in data["emails"])
    response = organiser_app.get(f"/organiser/people/{person.id}/data.xlsx")
    assert response.headers["Cache-Control"] == "private, no-store"
    workbook = load_workbook(io.BytesIO(response.body))
    assert len(workbook.sheetnames) == 6
    exports = dbsession.scalars(select(AuditEntry).where(AuditEntry.action == "person.export")).all()
    assert len(exports) == 2 and exports[0].target_id == person.id
    # The export lists the audit entries about the person too.
    assert json.loads(organiser_app.get(f"/organiser/people/{person.id}/data.json").body)["audit"]


def test_anonymising_from_the_person_page(organiser_app, app_request, dbsession):
    registration, token = _registered(app_request, phone="+51 999", id_document="44556677")
    person = registration.person
    page = organiser_app.get(f"/organiser/people/{person.id}")
    form = [f for f in page.forms.values() if f.action.endswith("/anonymise")][0]
    form.submit().follow()  # no reason, no tick: refused
    assert person.anonymised_at is None
    form["reason"], form["confirm"] = "asked by email", True
    form.submit().follow()
    assert person.given_names == ANONYMISED and person.email is None and person.phone == ""
    assert person.id_document is None and registration.training_id  # the registration stays
    organiser_app.get(f"/me/{token}", status=404)  # private links stop working
    assert dbsession.scalars(select(OutboxMessage).where(OutboxMessage.recipients == "rosa@mpfn.gob.pe")).all() == []


def test_retention_anonymises_people_with_no_activity_for_years(app_request, dbsession, monkeypatch, capsys):
    import contextlib

    long_ago = utcnow() - dt.timedelta(days=6 * 366)
    old = factories.PersonFactory(created_at=long_ago)
    old_training = factories.TrainingFactory(starts_on=dt.date(2019, 3, 1), ends_on=dt.date(2019, 3, 2))
    factories.RegistrationFactory(person=old, training=old_training)
    recent = factories.PersonFactory(created_at=long_ago)
    factories.RegistrationFactory(person=recent, training=factories.TrainingFactory())
    dbsession.flush()
    dbsession.execute(Person.__table__.update().values(updated_at=long_ago))
    from participants.models import Registration

    dbsession.execute(Registration.__table__.update().values(updated_at=long_ago))
    dbsession.expire_all()
    assert [person.id for person in due_for_retention(dbsession, 5)] == [old.id]

    @contextlib.contextmanager
    def fake_application(config_uri):
        yield app_request

    monkeypatch.setattr("participants.commands.application", fake_application)
    from tests.participants.test_commands import _NoCommit

    app_request.tm = _NoCommit(app_request.tm)
    assert cli.main(["retention", "--years", "5", "--dry-run"]) == 0
    assert f"person {old.id}: would be anonymised" in capsys.readouterr().out
    assert dbsession.get(Person, old.id).anonymised_at is None
    assert cli.main(["retention", "--years", "5"]) == 0
    assert dbsession.get(Person, old.id).anonymised_at is not None
    assert dbsession.get(Person, recent.id).anonymised_at is None
    assert apply_retention(app_request, 5, dry_run=True) == []  # done once


def test_personal_pages_are_not_stored_and_scripts_come_from_the_site(organiser_app, dbsession):
    training = factories.TrainingFactory()
    for path in ("/organiser", f"/organiser/trainings/{training.id}/registrations", "/organiser/people"):
        page = organiser_app.get(path)
        assert page.headers["Cache-Control"] == "private, no-store"
        assert "script-src 'self'" in page.headers["Content-Security-Policy"]
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page.text) and " onsubmit=" not in page.text
    public = organiser_app.get(f"/register/{training.id}")
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", public.text)


def test_public_pages_may_be_cached_but_keep_the_policy(testapp, dbsession):
    page = testapp.get("/trainings")
    assert "no-store" not in page.headers.get("Cache-Control", "")
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
