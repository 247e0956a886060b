"""Who earns which certificate: threshold inclusive, excused and cancelled sessions, speakers."""
import datetime as dt

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
    """The certificates tab counts over every registration in SQL (one row back); each figure,
    and each rate of a page, matches what `training_eligibility` decides person by person."""
    from certificates.eligibility import certificate_totals, registrations_page

    rows = training_eligibility(dbsession, past.training)
    factories.CertificateFactory(registration=past.people["at_threshold"], kind=CertificateKind.attendance)
    factories.CertificateFactory(registration=past.people["speaker"], kind=CertificateKind.speaker,
                                 revoked_at=utcnow(), revoke_reason="error en el nombre")
    dbsession.flush()

    totals = certificate_totals(dbsession, past.training)
    registrations, rates = registrations_page(dbsession, past.training, 0, 100)

    assert totals.registrations == len(rows) == len(registrations) == 8
    assert totals.issued == 1
    assert totals.to_issue == sum(len(row.kinds) for row in rows) - 1 == 4
    for row in rows:
        assert rates[row.registration.id].attended == (row.rate.attended if row.rate else dt.timedelta(0))
        assert rates[row.registration.id].expected == (row.rate.expected if row.rate else dt.timedelta(0))
    assert rates[past.people["at_threshold"].id].reaches(80)  # exactly at the threshold, in whole seconds
