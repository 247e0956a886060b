"""Who earns which certificate: threshold inclusive, excused and cancelled sessions, speakers."""

from certificates.eligibility import training_eligibility
from certificates.models import CertificateKind
from tests import factories
from trainings.models import utcnow

from .conftest import make_past_training


def eligibility_by_label(dbsession, past):
    rows = {row.registration.id: row for row in training_eligibility(dbsession, past.training)}
    return {label: rows[registration.id] for label, registration in past.people.items()}


def test_kinds_per_person(dbsession, past):
    rows = eligibility_by_label(dbsession, past)
    kinds = {label: row.kinds for label, row in rows.items()}
    assert kinds == {
        "at_threshold": [CertificateKind.attendance],  # exactly 80 % of 80 %: eligible
        "below": [],
        "excused": [],  # 3 of 4 expected sessions: 75 %
        "excused_ok": [CertificateKind.attendance],  # the excused session leaves the expected hours
        "speaker": [CertificateKind.speaker],  # attended everything, but came as speaker
        "speaking_participant": [CertificateKind.speaker, CertificateKind.attendance],
        "organiser": [],
        "cancelled": [],
    }


def test_reasons_say_rate_and_threshold(dbsession, past, app_request):
    rows = eligibility_by_label(dbsession, past)
    from trainings.i18n import translate_message

    def translate(reason):
        return translate_message(app_request, reason)

    # Percentages in the reader's conventions: a non-breaking space before % in Spanish.
    assert [translate(reason) for reason in rows["below"].reasons] == [
        "Asistió 60\u00a0%, por debajo del umbral de 80\u00a0%."]
    assert rows["at_threshold"].rate.percent == 80.0
    assert "80\u00a0%" in translate(rows["at_threshold"].reasons[0])


def test_cancelled_sessions_are_not_listed_for_speakers(dbsession, past):
    rows = eligibility_by_label(dbsession, past)
    assert [spoken.title for spoken in rows["speaking_participant"].spoken] == ["Investigación financiera"]
    assert [spoken.title for spoken in rows["speaker"].spoken] == ["Marco legal", "Identificación de víctimas"]


def test_threshold_of_the_training_is_used(dbsession):
    past = make_past_training(dbsession, attendance_threshold=60)
    rows = eligibility_by_label(dbsession, past)
    assert rows["below"].kinds == [CertificateKind.attendance]
    assert rows["excused"].kinds == [CertificateKind.attendance]


def test_totals_from_one_query_agree_with_the_rule_person_by_person(dbsession, past):
    """The certificates tab counts over every registration in SQL; each figure and rate matches
    what `training_eligibility` decides person by person."""
    from certificates.eligibility import certificate_totals

    rows = training_eligibility(dbsession, past.training)
    factories.CertificateFactory(registration=past.people["at_threshold"], kind=CertificateKind.attendance)
    factories.CertificateFactory(registration=past.people["speaker"], kind=CertificateKind.speaker,
                                 revoked_at=utcnow(), revoke_reason="error en el nombre")
    dbsession.flush()

    totals = certificate_totals(dbsession, past.training)

    assert totals.registrations == len(rows) == 8
    assert totals.issued == 1
    # The revoked speaker certificate is not to issue again either (it is issued by hand).
    assert totals.to_issue == sum(len(row.kinds) for row in rows) - 2 == 3
    rows = training_eligibility(dbsession, past.training)
    assert totals.to_issue == sum(len(row.missing) for row in rows)


def test_a_kind_whose_certificate_was_revoked_is_not_missing_but_revoked(dbsession, past):
    speaker = past.people["speaker"]
    factories.CertificateFactory(registration=speaker, kind=CertificateKind.speaker,
                                 revoked_at=utcnow(), revoke_reason="asistió a otra edición")
    dbsession.flush()

    row = next(row for row in training_eligibility(dbsession, past.training) if row.registration is speaker)

    assert row.kinds == [CertificateKind.speaker]
    assert row.missing == [] and row.revoked_kinds == [CertificateKind.speaker]
    factories.CertificateFactory(registration=speaker, kind=CertificateKind.speaker)  # re-issued by hand
    dbsession.flush()
    row = next(row for row in training_eligibility(dbsession, past.training) if row.registration is speaker)
    assert row.missing == [] and row.revoked_kinds == []


def test_a_page_reads_the_same_rates_and_kinds_as_the_whole_training(dbsession, past):
    from certificates.eligibility import eligibility_page
    whole = {row.registration.id: row for row in training_eligibility(dbsession, past.training)}
    page = eligibility_page(dbsession, past.training, (), 2, 4)

    in_order = sorted(whole.values(), key=lambda row: (row.registration.person.sort_name, row.registration.id))
    assert [row.registration.id for row in page] == [row.registration.id for row in in_order[2:6]]
    for row in page:
        expected = whole[row.registration.id]
        assert (row.rate.attended, row.rate.expected) == (expected.rate.attended, expected.rate.expected)
        assert row.kinds == expected.kinds


def test_totals_leave_out_attendance_certificates_an_added_condition_refuses(dbsession, past):
    """A condition (a passed post-test, say) is decided in Python for the certificates still to issue."""
    from certificates.eligibility import certificate_totals

    rows = training_eligibility(dbsession, past.training)
    attendance = [row.registration.id for row in rows if CertificateKind.attendance in row.kinds]
    refused = attendance[0]

    def check(registration_id):
        return registration_id != refused, "condition"

    totals = certificate_totals(dbsession, past.training, [check])

    assert totals.to_issue == sum(len(row.kinds) for row in rows) - 1
