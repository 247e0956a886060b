"""The audit log: written by the services in their own transaction, read on one page by
administrators, never changed."""
import datetime as dt

import pytest
from sqlalchemy import func, select

from tests import factories
from tests.conftest import csrf_token_of
from trainings.audit import ACTIONS, AuditFilter, entries, record
from trainings.models import AuditEntry, AuditEntryIsFinal


def _entries(dbsession, action=None):
    query = select(AuditEntry).order_by(AuditEntry.id)
    if action:
        query = query.where(AuditEntry.action == action)
    return dbsession.scalars(query).all()


def test_a_person_edit_is_recorded_with_who_and_before_after(organiser_app, organiser, dbsession):
    person = factories.PersonFactory(given_names="Rosa", family_names="Huamán", email="rosa@mpfn.gob.pe", phone="1")
    factories.RegistrationFactory(person=person)  # organisers see the people registered with them
    form = organiser_app.get(f"/organiser/people/{person.id}/edit").forms["form"]
    form["email"], form["phone"] = "rosa.huaman@mpfn.gob.pe", "1"
    form.submit("submit").follow()
    [entry] = _entries(dbsession, "person.update")
    assert (entry.user_id, entry.user_email, entry.target_type, entry.target_id) == (
        organiser.id, "organiser@capacita.test", "person", person.id)
    assert entry.changes == {"email": ["rosa@mpfn.gob.pe", "rosa.huaman@mpfn.gob.pe"]}
    # A later edit adds an entry; the first one still says what it said.
    form = organiser_app.get(f"/organiser/people/{person.id}/edit").forms["form"]
    form["given_names"] = "Rosa María"
    form.submit("submit").follow()
    first, second = _entries(dbsession, "person.update")
    assert first.changes == {"email": ["rosa@mpfn.gob.pe", "rosa.huaman@mpfn.gob.pe"]}
    assert second.changes == {"given_names": ["Rosa", "Rosa María"]}


def test_merges_exports_and_publishing_are_recorded(organiser_app, dbsession):
    keep, other = factories.PersonFactory(phone=""), factories.PersonFactory(phone="555")
    factories.RegistrationFactory(person=keep), factories.RegistrationFactory(person=other)
    csrf = csrf_token_of(organiser_app.get("/organiser/people/duplicates"))
    organiser_app.post("/organiser/people/merge", {"keep": keep.id, "other": other.id, "csrf_token": csrf})
    [merge] = _entries(dbsession, "person.merge")
    assert merge.target_id == keep.id and f"person {other.id}" in merge.summary and merge.changes["phone"][1] == "555"
    organiser_app.get("/organiser/people.xlsx")
    training = factories.TrainingFactory()
    organiser_app.get(f"/organiser/trainings/{training.id}/registrations.csv")
    assert [e.action for e in _entries(dbsession)][-2:] == ["people.export", "registrations.export"]


def test_bulk_actions_and_institution_merges_are_recorded(organiser_app, dbsession):
    from participants.models import RegistrationStatus

    training = factories.TrainingFactory(requires_approval=True)
    pending = [factories.RegistrationFactory(training=training, status=RegistrationStatus.pending,
                                             person=factories.PersonFactory(given_names="Ana", family_names=name))
               for name in ("Quispe", "Mamani")]
    csrf = csrf_token_of(organiser_app.get(f"/organiser/trainings/{training.id}/registrations"))
    organiser_app.post(f"/organiser/trainings/{training.id}/registrations/bulk",
                       {"csrf_token": csrf, "action": "approve", "confirm": "1",
                        "registration": [str(r.id) for r in pending]}, status=302)
    [approved] = _entries(dbsession, "registrations.approve")
    assert (approved.target_type, approved.target_id) == ("training", training.id)
    assert approved.summary.startswith("2: ") and "Ana Quispe" in approved.summary and "Ana Mamani" in approved.summary
    twin = factories.InstitutionFactory(name="Mininter")
    kept = factories.InstitutionFactory(name="Ministerio del Interior")
    form = organiser_app.get(f"/organiser/institutions/{twin.id}/merge").forms["form"]
    form["keep"], form["confirm"] = str(kept.id), True
    form.submit("submit").follow()
    [merged] = _entries(dbsession, "institution.merge")
    assert merged.target_id == kept.id and merged.summary == "Mininter → Ministerio del Interior (0)"


def test_the_page_names_objects_in_the_users_language(admin_app, admin, dbsession):
    dbsession.add(AuditEntry(user_id=admin.id, user_email=admin.email, action="training.publish",
                             target_type="training", target_id=7))
    dbsession.flush()
    page = admin_app.get("/organiser/audit")
    assert "Capacitación 7" in page.text and "training 7" not in page.text


def test_certificate_revocation_and_training_cancellation_are_recorded(app_request, dbsession):
    from certificates.services import revoke
    from trainings.services.schedule import cancel_training

    certificate = factories.CertificateFactory()
    revoke(app_request, certificate, "issued by mistake")
    training = factories.TrainingFactory()
    cancel_training(app_request, training, "the venue closed")
    revoked, cancelled = _entries(dbsession)
    assert (revoked.action, revoked.target_id, revoked.user_email) == ("certificate.revoke", certificate.id, "")
    assert "issued by mistake" in revoked.summary
    assert (cancelled.action, cancelled.target_id) == ("training.cancel", training.id)


def test_entries_cannot_be_changed(app_request, dbsession):
    entry = record(app_request, "people.export", summary="12 people")
    dbsession.flush()
    entry.summary = "nothing"
    with pytest.raises(AuditEntryIsFinal):
        dbsession.flush()


def test_entries_cannot_be_deleted(app_request, dbsession):
    entry = record(app_request, "people.export", summary="12 people")
    dbsession.flush()
    dbsession.delete(entry)
    with pytest.raises(AuditEntryIsFinal):
        dbsession.flush()


def test_no_route_changes_the_log(app):
    from pyramid.interfaces import IRoutesMapper

    routes = [route for route in app.registry.getUtility(IRoutesMapper).get_routes() if "audit" in route.pattern]
    assert [route.name for route in routes] == ["audit"]
    with pytest.raises(ValueError):
        record(None, "audit.delete", dbsession=object())
    assert not any(action.startswith("audit.") for action in ACTIONS)


def test_the_page_is_for_administrators_filters_and_pages_by_a_hundred(admin_app, admin, organiser, dbsession):
    for number in range(130):
        dbsession.add(AuditEntry(user_id=admin.id, user_email=admin.email, action="people.export",
                                 summary=f"export {number}"))
    dbsession.add(AuditEntry(user_id=organiser.id, user_email=organiser.email, action="person.update",
                             target_type="person", target_id=7, summary="<b>Ana</b>",
                             changes={"phone": ["1", "<i>2</i>"]}))
    dbsession.flush()
    page = admin_app.get("/organiser/audit")
    assert page.text.count("<tr>") - 1 == 100 and "Página 1 de 2" in page.text
    assert page.headers["Cache-Control"] == "private, no-store"
    second = admin_app.get("/organiser/audit", params={"page": "2"})
    assert second.text.count("<tr>") - 1 == 31
    filtered = admin_app.get("/organiser/audit", params={"action": "person.update", "user": str(organiser.id)})
    assert "&lt;b&gt;Ana&lt;/b&gt;" in filtered.text and "&lt;i&gt;2&lt;/i&gt;" in filtered.text
    assert filtered.text.count("<tr>") - 1 == 1
    by_object = admin_app.get("/organiser/audit", params={"object": "person", "id": "7", "from": "1999-01-01",
                                                          "to": "banana", "action": "nonsense"})
    assert by_object.text.count("<tr>") - 1 == 1
    admin_app.post("/organiser/audit", {}, status=404)


def test_organisers_cannot_read_the_log(organiser_app):
    assert organiser_app.get("/organiser/audit", expect_errors=True).status_int in (403, 302)


def test_filter_by_period_in_the_service(app_request, dbsession):
    old = AuditEntry(action="people.export", summary="old", at=dt.datetime(2020, 1, 5, tzinfo=dt.UTC))
    dbsession.add_all([old, AuditEntry(action="people.export", summary="new")])
    dbsession.flush()
    page = entries(dbsession, AuditFilter(since=dt.date(2020, 1, 1), until=dt.date(2020, 1, 31)))
    assert [entry.summary for entry in page.items] == ["old"] and page.total == 1
    assert dbsession.scalar(select(func.count(AuditEntry.id))) == 2
