"""Anonymising a person changes no report total and keeps their certificate verifiable."""
import dataclasses

from markupsafe import escape

from certificates.codes import new_verification_code
from participants.privacy import ANONYMISED, anonymise
from reports.figures import figures
from reports.filters import ReportFilters
from tests import factories


def test_anonymising_keeps_every_report_total_and_the_certificate_verifiable(dbsession, app_request, testapp,
                                                                            past):
    registration = past.people["at_threshold"]
    person = registration.person
    certificate = factories.CertificateFactory(registration=registration, verification_code=new_verification_code())
    name = str(escape(person.full_name))
    before = figures(dbsession, ReportFilters())
    assert before.totals.certificates == 1 and before.totals.persons > 1
    assert name in testapp.get(f"/verify/{certificate.verification_code}").text

    anonymise(app_request, person, reason="asked by email on 2026-12-01")
    dbsession.flush()
    dbsession.expire_all()

    after = figures(dbsession, ReportFilters())
    assert dataclasses.astuple(after.totals) == dataclasses.astuple(before.totals)
    assert after.trainings == before.trainings and after.seconds_delivered == before.seconds_delivered
    for dimension in ("sex", "institution_kind", "institution", "country"):
        assert after.breakdowns[dimension] == before.breakdowns[dimension]
    page = testapp.get(f"/verify/{certificate.verification_code}")
    assert name not in page.text and ("Anonimizado" in page.text or "anonimiz" in page.text.lower())
    assert "✔" in page.text  # still genuine
    assert person.given_names == ANONYMISED and person.email is None and person.anonymised_at is not None
