"""The report page, its evidence, downloads and the command line, as organisers use them."""
from __future__ import annotations

import datetime as dt
import io
import unicodedata

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from certificates.models import CertificateKind
from participants.models import InstitutionKind, Sex
from tests import factories
from tests.certificates.conftest import make_past_training
from tests.certificates.test_pdf import fonts_drawing


def _peru_2026(dbsession):
    """Officials at two trainings in Peru in 2026 and one in Paraguay; by hand: in Peru, 3 unique
    persons (one at both), of whom 2 completed (a woman from the police, a man from the
    prosecution service); 4 participations."""
    police = factories.InstitutionFactory(name="Policía Nacional", kind=InstitutionKind.police)
    prosecution = factories.InstitutionFactory(name="Fiscalía <b>de</b> Lima", kind=InstitutionKind.prosecution)
    lima = factories.RegionFactory(name="Lima", country="PE")
    asuncion = factories.RegionFactory(name="Asunción", country="PY", timezone="America/Asuncion")
    first = factories.TrainingFactory(region=lima, starts_on=dt.date(2026, 3, 2), ends_on=dt.date(2026, 3, 2))
    second = factories.TrainingFactory(region=lima, starts_on=dt.date(2026, 6, 1), ends_on=dt.date(2026, 6, 1))
    elsewhere = factories.TrainingFactory(region=asuncion, starts_on=dt.date(2026, 6, 1), ends_on=dt.date(2026, 6, 1))
    sessions = {training.id: factories.SessionFactory(training=training) for training in (first, second, elsewhere)}
    ana = factories.PersonFactory(given_names="Ana", family_names="Quispe", sex=Sex.female, institution=police,
                                  home_region="Cusco", year_of_birth=1990)
    luis = factories.PersonFactory(given_names="Luis", family_names="Rojas", sex=Sex.male, institution=prosecution)
    eva = factories.PersonFactory(given_names="Eva", family_names="Soto", sex=Sex.female, institution=prosecution)
    from participants.models import Attendance, AttendanceMethod, AttendanceStatus
    for training, person, status in ((first, ana, AttendanceStatus.present), (second, ana, AttendanceStatus.absent),
                                     (first, luis, AttendanceStatus.late), (second, eva, AttendanceStatus.absent),
                                     (elsewhere, eva, AttendanceStatus.present)):
        registration = factories.RegistrationFactory(training=training, person=person)
        dbsession.add(Attendance(registration=registration, session=sessions[training.id], status=status,
                                 method=AttendanceMethod.manual))
    dbsession.flush()
    return {"police": police, "prosecution": prosecution, "ana": ana}


def test_three_clicks_answer_officials_completed_in_peru_in_2026_by_sex_and_institution_kind(organiser_app, dbsession):
    _peru_2026(dbsession)
    page = organiser_app.get("/organiser")
    page = page.click("Reportes", index=0)  # 1: the navigation
    page = page.click("Perú")  # 2: the country
    page = page.click("2026")  # 3: the year
    assert "country=PE" in page.request.url and "from=2026-01-01" in page.request.url
    data = organiser_app.get("/organiser/reports/report.json", {"country": "PE", "from": "2026-01-01",
                                                                "to": "2026-12-31"}).json
    assert (data["participations"], data["persons"], data["completed"]) == (4, 3, 2)
    by_sex = {row["key"]: row for row in data["by"]["sex"]}
    assert (by_sex["female"]["completed"], by_sex["male"]["completed"]) == (1, 1)
    by_kind = {row["key"]: row for row in data["by"]["institution_kind"]}
    assert (by_kind["police"]["completed"], by_kind["prosecution"]["completed"]) == (1, 1)
    assert by_kind["police"]["label"] == "Policía"
    # The page shows the same numbers, each a link to the people behind it.
    assert "Por sexo" in page.text and "Por tipo de institución" in page.text
    assert "<svg" in page.text and "<title id=\"chart-sex-title\">" in page.text
    assert "1 persona, 1 completó" in page.text and "1 personas" not in page.text  # each count its plural
    link = page.html.find("a", href=lambda href: href and "measure=completed" in href and "dimension=sex"
                          in href and "key=female" in href)
    evidence = organiser_app.get(link["href"])
    assert "Quispe, Ana" in evidence.text and "Soto" not in evidence.text


def test_bad_filters_say_what_is_wrong(organiser_app, dbsession):
    page = organiser_app.get("/organiser/reports", {"from": "31/12/2026", "role": "organiser"}, status=400)
    assert "Escriba la fecha como AAAA-MM-DD" in page.text or "AAAA-MM-DD" in page.text
    assert page.text.count("invalid-feedback") == 2
    organiser_app.get("/organiser/reports/report.json", {"country": "XX"}, status=400)


def test_downloads_agree_with_the_page_and_are_safe(organiser_app, dbsession):
    people = _peru_2026(dbsession)
    people["ana"].given_names = "=HYPERLINK(\"http://evil\")"
    dbsession.flush()
    query = {"country": "PE"}
    workbook = load_workbook(io.BytesIO(organiser_app.get("/organiser/reports/report.xlsx", query).body))
    assert workbook.sheetnames[0] == "Resumen" and "Evidencia" in workbook.sheetnames
    summary = {row[0].value: row[1].value for row in workbook["Resumen"].iter_rows(min_row=2)}
    assert summary["Personas únicas"] == 3 and summary["Personas que completaron"] == 2
    evidence = list(workbook["Evidencia"].iter_rows(min_row=2, values_only=True))
    assert len(evidence) == 4 and all(isinstance(row[11], int | float) for row in evidence)
    assert all(cell.data_type != "f" for row in workbook["Evidencia"].iter_rows() for cell in row)
    csv_text = organiser_app.get("/organiser/reports/report.csv", query).body.decode("utf-8-sig")
    assert csv_text.splitlines()[1].startswith('"Total";"";"4";"3";"2"')
    transcripts = organiser_app.get("/organiser/reports/transcripts.csv", query).body.decode("utf-8-sig")
    assert "'=HYPERLINK" in transcripts and '"=HYPERLINK' not in transcripts
    assert "Fiscalía <b>de</b> Lima" in transcripts  # as typed: CSV is not HTML


def test_evidence_is_paginated_by_a_hundred(organiser_app, dbsession):
    training = factories.TrainingFactory(starts_on=dt.date(2026, 5, 4), ends_on=dt.date(2026, 5, 4), capacity=200)
    for _number in range(130):
        factories.RegistrationFactory(training=training)
    page = organiser_app.get("/organiser/reports/evidence", {"measure": "persons"})
    assert page.text.count("/transcript\"") == 100 and "Página 1 de 2" in page.text
    second = page.click("Siguiente")
    assert second.text.count("/transcript\"") == 30
    organiser_app.get("/organiser/reports/evidence", {"measure": "nothing"}, status=400)


def test_reports_are_for_organisers_only(testapp):
    for url in ("/organiser/reports", "/organiser/reports/report.json", "/organiser/reports/evidence",
                "/organiser/institutions", "/organiser/reports/indicators"):
        response = testapp.get(url, status="*")
        assert response.status_int in (302, 403), url


def test_a_person_transcript_page_and_pdf(organiser_app, dbsession):
    past = make_past_training(dbsession)
    person = past.people["at_threshold"].person
    factories.CertificateFactory(registration=past.people["at_threshold"], serial="PE-2026-000777")
    page = organiser_app.get(f"/organiser/people/{person.id}").click("Historial de capacitación")
    assert "PE-2026-000777" in page.text and "García D&#39;Angelo" in page.text
    pdf = organiser_app.get(f"/organiser/people/{person.id}/transcript.pdf")
    assert pdf.content_type == "application/pdf" and pdf.body.startswith(b"%PDF")


def test_a_transcript_lists_only_valid_certificates_on_the_page_as_in_the_pdf(organiser_app, dbsession):
    past = make_past_training(dbsession)
    registration = past.people["speaking_participant"]
    factories.CertificateFactory(registration=registration, serial="PE-2026-000023", kind=CertificateKind.speaker,
                                 revoked_at=dt.datetime.now(dt.UTC), revoke_reason="Otra edición")
    factories.CertificateFactory(registration=registration, serial="PE-2026-000024")
    page = organiser_app.get(f"/organiser/people/{registration.person_id}/transcript")
    pdf = organiser_app.get(f"/organiser/people/{registration.person_id}/transcript.pdf").body
    pdf_text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    for text in (page.text, pdf_text):
        assert "PE-2026-000024" in text and "PE-2026-000023" not in text


@pytest.mark.parametrize(("language", "whole"), [
    ("es", ["Participante", "Completó", "Certificados", "9 feb 2027 –", "10 feb 2027"]),
    ("en", ["Participant", "Completed", "Certificates", "Feb 9, 2027 –", "Feb 10, 2027"]),
    ("fr", ["Participant·e", "Terminé", "Certificats", "9 févr. 2027 –", "10 févr. 2027"]),
])
def test_a_transcript_pdf_wraps_at_spaces_and_keeps_each_date_on_one_line(organiser_app, dbsession, language,
                                                                          whole):
    training = factories.TrainingFactory(title="Taller de investigación financiera de la trata de personas",
                                         starts_on=dt.date(2027, 2, 9), ends_on=dt.date(2027, 2, 10))
    registration = factories.RegistrationFactory(training=training)
    organiser_app.set_cookie("_LOCALE_", language)
    pdf = organiser_app.get(f"/organiser/people/{registration.person_id}/transcript.pdf").body
    lines = [line.replace("\u00a0", " ").strip()
             for line in PdfReader(io.BytesIO(pdf)).pages[0].extract_text().splitlines()]
    for text in whole:
        assert text in lines, (text, "|".join(lines))


def test_a_transcript_pdf_prints_markup_as_typed(organiser_app, dbsession):
    registration = factories.RegistrationFactory(person=factories.PersonFactory(given_names="<b>Ana</b> & co"))
    response = organiser_app.get(f"/organiser/people/{registration.person_id}/transcript.pdf")
    assert response.body.startswith(b"%PDF")


def test_a_transcript_pdf_prints_names_in_any_script(organiser_app, dbsession):
    registration = factories.RegistrationFactory(
        person=factories.PersonFactory(given_names="秀英", family_names="王"),
        training=factories.TrainingFactory(title="تدريب على تحديد الضحايا"))
    pdf = organiser_app.get(f"/organiser/people/{registration.person_id}/transcript.pdf").body
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "STSong-Light" in fonts_drawing(pdf) and "秀英" in text
    assert "تحديد" in unicodedata.normalize("NFKC", text) and "\ufffd" not in text


def test_organisers_review_and_merge_institutions(organiser_app, dbsession):
    keep = factories.InstitutionFactory(name="Ministerio Público", country="PE")
    typed = factories.InstitutionFactory(name="<i>ministerio publico</i>", kind=InstitutionKind.other,
                                         reviewed=False)
    person = factories.PersonFactory(institution=typed)
    registration = factories.RegistrationFactory(person=person)
    listing = organiser_app.get("/organiser/institutions", {"unreviewed": "1"})
    assert "&lt;i&gt;ministerio publico&lt;/i&gt;" in listing.text and "Ministerio Público" not in listing.text
    review = listing.click(href=f"/organiser/institutions/{typed.id}$").forms["form"]
    review["kind"] = "prosecution"
    review.submit("submit").follow()
    assert typed.reviewed and typed.kind == InstitutionKind.prosecution
    merge = organiser_app.get(f"/organiser/institutions/{typed.id}/merge")
    assert "&lt;i&gt;" in merge.text and "<i>ministerio" not in merge.text
    form = merge.forms["form"]
    form["keep"] = str(keep.id)
    refused = form.submit("submit", status=400)  # not confirmed: nothing happens
    assert "Marque la casilla" in refused.text and person.institution_id == typed.id
    form = refused.forms["form"]
    form["confirm"] = True
    done = form.submit("submit").follow()
    assert "1 persona pasó a Ministerio Público." in done.text
    dbsession.expire_all()
    assert registration.person.institution_id == keep.id
