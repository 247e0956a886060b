"""Issuing, serials, codes, revoking, and the email with the PDF attached."""
import io
import re

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from certificates import services
from certificates.codes import ALPHABET, CODE_LENGTH, new_verification_code, next_serials, normalise_code
from certificates.models import Certificate, CertificateKind
from tests import factories
from trainings.forms import FieldErrors
from trainings.models import OutboxMessage


def test_codes_are_long_unambiguous_and_grouped():
    code = new_verification_code()
    symbol = "[0-9A-HJKMNP-TV-Z]"
    assert re.fullmatch(f"{symbol}{{4}}-{symbol}{{4}}-{symbol}{{4}}-{symbol}{{2}}", code)
    assert len(ALPHABET) ** CODE_LENGTH >= 2 ** 70
    assert not set("ILOU") & set(ALPHABET)


@pytest.mark.parametrize("typed", ["7k3m q9xd 2htb nc", "7K3MQ9XD2HTBNC", " 7k3m-q9xd-2htb-nc ", "7K3M.Q9XD.2HTB.NC"])
def test_typed_codes_are_normalised(typed):
    assert normalise_code(typed) == "7K3M-Q9XD-2HTB-NC"


def test_confusable_characters_are_read_as_digits():
    assert normalise_code("oo1l-iiii-0000-00") == "0011-1111-0000-00"
    assert normalise_code("ABCD-EFGH-JKMN-P") is None  # too short
    assert normalise_code("ABCD-EFGH-JKMN-PU") is None  # U is not in the alphabet


def test_serials_count_per_country_and_year(dbsession):
    assert next_serials(dbsession, "pe", 2031) == ["PE-2031-000001"]
    assert next_serials(dbsession, "PE", 2031, 3) == ["PE-2031-000002", "PE-2031-000003", "PE-2031-000004"]
    assert next_serials(dbsession, "PY", 2031) == ["PY-2031-000001"]
    assert next_serials(dbsession, "PE", 2032) == ["PE-2032-000001"]


def test_issue_for_the_training_issues_exactly_the_eligible_ones(app_request, past):
    issued = services.issue_eligible(app_request, past.training)
    got = sorted((certificate.registration.person.family_names, certificate.kind) for certificate in issued)
    assert got == [
        ("García D'Angelo", CertificateKind.attendance),
        ("Mamani", CertificateKind.attendance),
        ("Núñez", CertificateKind.attendance),
        ("Núñez", CertificateKind.speaker),
        ("Villanueva", CertificateKind.speaker),
    ]
    assert len({certificate.serial for certificate in issued}) == 5
    assert all(certificate.serial.startswith("PE-") for certificate in issued)
    assert services.issue_eligible(app_request, past.training) == []  # idempotent


def test_language_is_the_persons_when_offered(app_request, dbsession, past):
    issued = {c.registration.person.family_names: c for c in services.issue_eligible(app_request, past.training)}
    assert issued["Villanueva"].language == "es"  # prefers English; the training offers only Spanish
    past.training.offered_languages = "es en"
    services.revoke(app_request, issued["Villanueva"], "Reemitir en inglés")
    again = services.issue_manually(app_request, past.people["speaker"], CertificateKind.speaker,
                                    "Reemitido en inglés")
    assert again.language == "en"


def test_issuing_emails_the_pdf_in_the_certificate_language(app_request, dbsession, past):
    issued = services.issue_eligible(app_request, past.training)
    messages = dbsession.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert len(messages) == len(issued)
    message = messages[0]
    certificate = issued[0]
    assert message.recipients == certificate.registration.person.email
    assert "/verify/" + certificate.verification_code in message.body_text
    assert message.subject.startswith("Su certificado")
    # The HTML part is a whole document in the certificate's language, like every other email.
    assert message.body_html.startswith("<!doctype html>")
    assert f'<html lang="{certificate.language}">' in message.body_html
    assert message.body_html.rstrip().endswith("</html>")
    (attachment,) = message.attachments
    assert attachment.content_type == "application/pdf"
    text = PdfReader(io.BytesIO(attachment.data)).pages[0].extract_text()
    assert certificate.serial in text


def test_manual_issue_needs_a_reason(app_request, past):
    organiser = past.people["organiser"]
    with pytest.raises(FieldErrors) as refused:
        services.issue_manually(app_request, organiser, CertificateKind.participation, "  ")
    assert "reason" in refused.value.errors
    certificate = services.issue_manually(app_request, organiser, CertificateKind.participation,
                                          "Coordinó la logística del taller")
    assert certificate.manual_reason == "Coordinó la logística del taller"
    with pytest.raises(FieldErrors):
        services.issue_manually(app_request, organiser, CertificateKind.participation, "otra vez")


def test_revoke_needs_a_reason_and_keeps_the_certificate(app_request, dbsession, past):
    certificate = services.issue_eligible(app_request, past.training)[0]
    with pytest.raises(FieldErrors):
        services.revoke(app_request, certificate, "")
    services.revoke(app_request, certificate, "Datos erróneos")
    assert certificate.revoked_at is not None and certificate.revoke_reason == "Datos erróneos"
    with pytest.raises(FieldErrors):
        services.revoke(app_request, certificate, "otra vez")
    assert dbsession.scalar(select(Certificate).where(Certificate.id == certificate.id)).revoked_at


def test_a_revoked_certificate_is_not_issued_again_by_the_bulk_issue(app_request, dbsession, past):
    """Revoking is a decision (the person attended another edition): the next "Issue the eligible
    certificates" must neither issue that kind again nor email the person."""
    certificate = services.issue_eligible(app_request, past.training, notify=False)[0]
    services.revoke(app_request, certificate, "Asistió a otra edición", notify=False)

    assert (certificate.registration, certificate.kind) not in services.to_issue(app_request, past.training)
    assert services.issue_eligible(app_request, past.training) == []
    assert dbsession.scalars(select(OutboxMessage)).all() == []
    holders = dbsession.scalars(select(Certificate).where(Certificate.registration_id == certificate.registration_id,
                                                          Certificate.kind == certificate.kind)).all()
    assert holders == [certificate]


def test_a_revoked_certificate_is_issued_again_by_hand_with_a_new_serial(app_request, dbsession, past):
    certificate = services.issue_eligible(app_request, past.training, notify=False)[0]
    services.revoke(app_request, certificate, "Error en el nombre", notify=False)

    again = services.issue_manually(app_request, certificate.registration, certificate.kind, "Nombre corregido")

    assert again.revoked_at is None and again.manual_reason == "Nombre corregido"
    assert (again.serial, again.verification_code) != (certificate.serial, certificate.verification_code)
    (message,) = dbsession.scalars(select(OutboxMessage)).all()
    assert message.recipients == certificate.registration.person.email
    with pytest.raises(FieldErrors):  # one valid certificate of a kind, still
        services.issue_manually(app_request, certificate.registration, certificate.kind, "otra vez")


def test_people_without_email_get_no_mail(app_request, dbsession):
    import datetime as dt

    ended = factories.TrainingFactory(starts_on=dt.date.today() - dt.timedelta(days=3))
    registration = factories.RegistrationFactory(training=ended, person=factories.PersonFactory(email=None))
    services.issue_manually(app_request, registration, CertificateKind.participation, "Apoyo")
    assert dbsession.scalars(select(OutboxMessage)).all() == []


@pytest.mark.postgresql
def test_concurrent_reservations_never_share_a_serial(engine):
    """Four transactions at once, each on its own connection, the counter row not there yet."""
    import threading

    from sqlalchemy import delete
    from sqlalchemy.orm import Session

    from certificates.models import SerialCounter

    reserved, failures = [], []

    def reserve():
        try:
            with Session(engine) as session, session.begin():
                reserved.extend(next_serials(session, "ZZ", 1999, 5))
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            failures.append(error)

    threads = [threading.Thread(target=reserve) for _ in range(4)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert failures == []
        assert sorted(reserved) == [f"ZZ-1999-{number:06d}" for number in range(1, 21)]
    finally:
        with Session(engine) as session, session.begin():
            session.execute(delete(SerialCounter).where(SerialCounter.country == "ZZ"))


def test_an_issued_certificate_keeps_what_it_states(app_request, dbsession, past):
    from certificates import documents, verification
    from participants.models import Attendance

    issued = {(c.registration.person.family_names, c.kind): c for c in services.issue_eligible(
        app_request, past.training, notify=False)}
    attendance = issued[("García D'Angelo", CertificateKind.attendance)]
    moderator = issued[("Núñez", CertificateKind.speaker)]
    assert (attendance.holder_name, attendance.minutes) == ("Tomás García D'Angelo", 8 * 60)
    assert moderator.spoke_as_moderator and moderator.session_titles == ["Investigación financiera"]
    # Afterwards the person is renamed, the training retitled, and attendance corrected.
    person = past.people["at_threshold"].person
    person.given_names, past.training.title = "Impostor", "Otro título"
    for mark in dbsession.scalars(select(Attendance).where(Attendance.registration_id == attendance.registration_id)):
        mark.status = "absent"
    dbsession.flush()
    shown = verification.public_view(attendance)
    assert (shown.full_name, shown.training_title, shown.hours_number) == (
        "Tomás García D'Angelo", "Taller de investigación de la trata de personas", 8.0)
    content = documents.content_of(app_request, attendance)
    assert content.full_name == "Tomás García D'Angelo" and "Otro título" not in content.texts.values()
    assert "8 horas" in content.texts["hours"]
    assert "moderador" in documents.content_of(app_request, moderator).texts["statement"]


def test_the_migration_fills_in_what_earlier_certificates_state(app_request, dbsession, past):
    import importlib.util
    from pathlib import Path

    import trainings

    path = Path(trainings.__file__).parent / "migrations" / "versions" / "0002_certificates_keep_what_they_state.py"
    spec = importlib.util.spec_from_file_location("migration_0002", path)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    issued = services.issue_eligible(app_request, past.training, notify=False)
    stated = {c.id: (c.holder_name, c.training_title, c.minutes, c.spoke_as_moderator, c.session_titles)
              for c in issued}
    for certificate in issued:  # as they were before the migration: nothing stated
        certificate.given_names = certificate.training_title = ""
        certificate.minutes, certificate.spoke_as_moderator, certificate.session_titles = 0, False, []
    dbsession.flush()
    migration._fill_existing_certificates(dbsession.connection())
    dbsession.expire_all()
    assert {c.id: (c.holder_name, c.training_title, c.minutes, c.spoke_as_moderator, c.session_titles)
            for c in dbsession.scalars(select(Certificate))} == stated


def test_a_participation_certificate_states_the_hours_attended(app_request, past):
    """Luis attended 3 of the 5 two-hour sessions: his certificate says 6 hours, not 10."""
    from certificates import documents
    from certificates.verification import public_view

    registration = past.people["below"]
    certificate = services.issue_manually(app_request, registration, CertificateKind.participation,
                                          "Faltó por una comisión de servicio")
    assert certificate.minutes == 6 * 60
    assert public_view(certificate).hours_number == 6
    pdf = documents.render_certificate(app_request, certificate)
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "6 horas de asistencia" in text and "10 horas" not in text


def test_a_participation_certificate_for_someone_who_never_came_states_no_hours(app_request, past):
    from certificates import documents

    certificate = services.issue_manually(app_request, past.people["organiser"], CertificateKind.participation,
                                          "Coordinó la logística")
    assert certificate.minutes == 0
    text = PdfReader(io.BytesIO(documents.render_certificate(app_request, certificate))).pages[0].extract_text()
    assert "horas" not in text


def test_nothing_is_issued_before_the_last_session_has_ended(app_request, dbsession):
    import datetime as dt

    from tests.certificates.conftest import make_past_training

    today = dt.date.today()
    ongoing = make_past_training(dbsession, starts_on=today - dt.timedelta(days=1),
                                 ends_on=today + dt.timedelta(days=1))
    with pytest.raises(FieldErrors) as refused:
        services.issue_eligible(app_request, ongoing.training)
    assert "última sesión" in app_request.localizer.translate(refused.value.errors[None])
    with pytest.raises(FieldErrors):
        services.issue_manually(app_request, ongoing.people["organiser"], CertificateKind.participation, "Apoyo")
    assert dbsession.scalars(select(Certificate)).all() == []


def test_the_holder_is_told_in_their_language_when_a_certificate_is_revoked(app_request, dbsession, past):
    past.training.offered_languages = "es en"
    issued = {c.registration.person.family_names: c
              for c in services.issue_eligible(app_request, past.training, notify=False)}
    certificate = issued["Villanueva"]  # prefers English
    services.revoke(app_request, certificate, "Issued to the wrong <person>")
    (message,) = dbsession.scalars(select(OutboxMessage)).all()
    assert message.recipients == certificate.registration.person.email
    assert message.language == "en" and message.subject.startswith("Your certificate was revoked")
    assert "Issued to the wrong <person>" in message.body_text
    assert "Issued to the wrong &lt;person&gt;" in message.body_html
    assert certificate.serial in message.body_text and f"/verify/{certificate.verification_code}" in message.body_text


def test_revoking_the_certificate_of_someone_without_email_queues_nothing(app_request, dbsession, past):
    certificate = services.issue_eligible(app_request, past.training, notify=False)[0]
    certificate.registration.person.email = None
    services.revoke(app_request, certificate, "Datos erróneos")
    assert dbsession.scalars(select(OutboxMessage)).all() == []
