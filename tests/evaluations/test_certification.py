"""A training's attendance certificate can require a passed post-test; the explanation says so."""
import pytest

from certificates.eligibility import certificate_checks, training_eligibility
from certificates.models import CertificateKind
from evaluations import questionnaires
from tests.certificates.conftest import make_past_training
from trainings.forms import FieldErrors

from .conftest import answer_test, attach


def _rows(dbsession, app_request, training):
    return {row.registration.id: row for row in
            training_eligibility(dbsession, training, checks=certificate_checks(app_request, training))}


def test_the_attendance_certificate_needs_the_post_test_passed(dbsession, app_request, bank):
    past = make_past_training(dbsession)
    at_threshold = past.people["at_threshold"]
    assert CertificateKind.attendance in _rows(dbsession, app_request, past.training)[at_threshold.id].kinds
    post = attach(dbsession, past.training, "post", [question.id for question in bank.questions],
                  required_for_certificate=True)
    row = _rows(dbsession, app_request, past.training)[at_threshold.id]
    assert row.kinds == [] and "The certificate requires passing the post-test (70 %), not taken yet." in [
        str(reason.interpolate()) for reason in row.reasons]
    answer_set = answer_test(dbsession, post, at_threshold, 6)
    row = _rows(dbsession, app_request, past.training)[at_threshold.id]
    assert row.kinds == [] and "Post-test 60 %, below the mark of 70 % the certificate requires." in [
        reason.interpolate() for reason in row.reasons]
    dbsession.delete(answer_set)
    dbsession.flush()
    answer_test(dbsession, post, at_threshold, 7)
    row = _rows(dbsession, app_request, past.training)[at_threshold.id]
    assert row.kinds == [CertificateKind.attendance]
    assert "Passed the post-test: 70 %, mark 70 %." in [reason.interpolate() for reason in row.reasons]


def test_without_the_requirement_nothing_changes(dbsession, app_request, bank):
    past = make_past_training(dbsession)
    attach(dbsession, past.training, "post", [bank.questions[0].id])
    speaker = past.people["speaker"]
    rows = _rows(dbsession, app_request, past.training)
    assert rows[speaker.id].kinds == [CertificateKind.speaker]
    assert CertificateKind.attendance in rows[past.people["at_threshold"].id].kinds


def test_only_a_post_test_can_be_required(dbsession, bank):
    past = make_past_training(dbsession)
    with pytest.raises(FieldErrors):
        questionnaires.attach(dbsession, past.training, {
            "purpose": "pre", "title": "Entrada", "questions": [bank.questions[0].id], "mastery_percent": 70,
            "days_open": 7, "follow_up_months": 3, "required_for_certificate": True})
