"""The organisers' certificates tab, downloads, the participant's private download, layouts."""
import io
import json
import zipfile

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from certificates import exports, services
from certificates.layouts import default_definition_text
from certificates.models import Certificate, CertificateKind, CertificateLayout, TrainingCertificateLayout
from participants.tokens import new_token
from tests import factories
from tests.certificates.conftest import make_past_training
from tests.conftest import csrf_token_of
from trainings.models import Job, JobStatus


@pytest.fixture
def past(dbsession):
    return make_past_training(dbsession)


def tab(app, training):
    return app.get(f"/organiser/trainings/{training.id}/certificates")


def test_tab_needs_an_organiser(testapp, past):
    assert testapp.get(f"/organiser/trainings/{past.training.id}/certificates").status_int == 302
    testapp.get("/organiser/trainings/999999/certificates", status=404)


def test_tab_shows_eligibility_and_why(organiser_app, past):
    page = tab(organiser_app, past.training)
    assert "Certificados" in page
    text = page.text.replace("\u00a0", " ")  # Spanish puts a non-breaking space before %
    assert "Asistió 60 %, por debajo del umbral de 80 %." in text
    assert "Asistió 80 %, umbral 80 %." in text and "Umbral de asistencia: 80 %." in text
    assert "Emitir los 5 certificados" in page


def test_issue_all_asks_for_confirmation_then_nothing_more(organiser_app, dbsession, past):
    past.people["below"].person.email = None  # not eligible: changes nothing
    past.people["excused_ok"].person.email = None
    page = tab(organiser_app, past.training)
    confirmation = page.forms["issue-all"].submit()
    assert dbsession.scalars(select(Certificate)).all() == []  # nothing issued by merely asking
    assert "Se emitirán 5 certificados." in confirmation
    assert "4 correos" in confirmation
    assert past.people["at_threshold"].person.email in confirmation
    assert "Sin correo electrónico" in confirmation  # Rosa Mamani has none
    response = confirmation.forms["confirm-issue"].submit().follow()
    assert "5 certificados emitidos y enviados por correo" in response
    issue_all = response.html.find("form", id="issue-all").button
    assert issue_all.get_text(strip=True) == "No queda ningún certificado por emitir" and issue_all.has_attr("disabled")
    count = dbsession.scalar(select(Certificate.id).join(Certificate.registration)
                             .where(Certificate.registration_id.in_([r.id for r in past.people.values()])).limit(1))
    assert count is not None
    organiser_app.post(f"/organiser/trainings/{past.training.id}/certificates/issue",
                       {"csrf_token": csrf_token_of(response)}).follow()
    assert len(dbsession.scalars(select(Certificate)).all()) == 5


def test_issue_by_hand_needs_a_reason(organiser_app, dbsession, past):
    registration = past.people["organiser"]
    page = organiser_app.get(f"/organiser/trainings/{past.training.id}/certificates/manual",
                             params={"registration": registration.id})
    form = page.forms["form"]
    form["kind"] = "participation"
    form["reason"] = ""
    assert form.submit("submit", status=400)
    assert dbsession.scalars(select(Certificate)).all() == []
    form["reason"] = "Coordinó el taller"
    form.submit("submit").follow()
    (certificate,) = dbsession.scalars(select(Certificate)).all()
    assert (certificate.kind, certificate.manual_reason) == (CertificateKind.participation, "Coordinó el taller")


def test_revoke_with_a_reason(organiser_app, app_request, dbsession, past):
    certificate = services.issue_eligible(app_request, past.training, notify=False)[0]
    page = organiser_app.get(f"/organiser/certificates/{certificate.id}/revoke")
    form = page.forms["form"]
    form["reason"] = "Se emitió a la persona equivocada"
    form.submit("submit").follow()
    assert certificate.revoked_at is not None
    assert "Anulado" in tab(organiser_app, past.training)


def test_after_a_revocation_the_tab_offers_no_bulk_issue_but_issuing_by_hand(organiser_app, app_request, dbsession,
                                                                             past):
    from trainings.models import OutboxMessage

    services.issue_eligible(app_request, past.training, notify=False)
    speaker = past.people["speaker"]

    def certificates_of_speaker():
        return dbsession.scalars(select(Certificate).where(Certificate.registration_id == speaker.id)
                                 .order_by(Certificate.id)).all()

    (certificate,) = certificates_of_speaker()
    form = organiser_app.get(f"/organiser/certificates/{certificate.id}/revoke").forms["form"]
    form["reason"] = "Attended another edition"
    form.submit("submit").follow()
    organiser_app.set_cookie("_LOCALE_", "en")

    page = tab(organiser_app, past.training)
    issue_all = page.html.find("form", id="issue-all").button
    assert issue_all.get_text(strip=True) == "No certificate left to issue" and issue_all.has_attr("disabled")
    assert "Speaker or moderator: revoked, reissued only by hand" in page
    organiser_app.post(f"/organiser/trainings/{past.training.id}/certificates/issue",
                       {"csrf_token": csrf_token_of(page)}).follow()
    assert certificates_of_speaker() == [certificate]
    assert len(dbsession.scalars(select(OutboxMessage)).all()) == 1  # the revocation's, no new certificate

    by_hand = page.click(href=rf"/certificates/manual\?registration={speaker.id}$").forms["form"]
    by_hand["kind"] = "speaker"
    by_hand["reason"] = "Name corrected"
    by_hand.submit("submit").follow()
    assert [c.revoked_at is None for c in certificates_of_speaker()] == [False, True]


def test_each_row_links_to_its_certificate_its_revocation_and_issuing_by_hand(organiser_app, app_request, past):
    certificate = services.issue_eligible(app_request, past.training, notify=False)[0]
    page = tab(organiser_app, past.training)

    assert page.click(href=f"/organiser/certificates/{certificate.id}.pdf$").content_type == "application/pdf"
    assert page.click(href=f"/organiser/certificates/{certificate.id}/revoke$").forms["form"]
    registration = past.people["organiser"]
    by_hand = page.click(href=rf"/certificates/manual\?registration={registration.id}$")
    assert by_hand.forms["form"]["registration"].value == str(registration.id)


def test_download_one(organiser_app, app_request, past):
    certificate = services.issue_eligible(app_request, past.training, notify=False)[0]
    response = organiser_app.get(f"/organiser/certificates/{certificate.id}.pdf")
    assert response.content_type == "application/pdf"
    assert certificate.serial in PdfReader(io.BytesIO(response.body)).pages[0].extract_text()


def test_zip_is_streamed_with_files_named_after_people(organiser_app, app_request, past):
    issued = services.issue_eligible(app_request, past.training, notify=False)
    services.revoke(app_request, issued[0], "Error")
    response = organiser_app.get(f"/organiser/trainings/{past.training.id}/certificates.zip")
    assert response.content_type == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(response.body)).namelist()
    assert len(names) == 4  # the revoked one is left out
    assert any(name.startswith("nunez-jorge-PE-") for name in names)


def test_zip_stream_yields_as_it_renders(app_request, past):
    from certificates import documents

    issued = services.issue_eligible(app_request, past.training, notify=False)
    renderer = documents.renderer_for(app_request.dbsession, past.training)
    contents = documents.contents_for(app_request, past.training, issued)
    stream = exports.zip_stream(renderer, contents)
    first = next(stream)
    assert first.startswith(b"PK") and len(first) > 1000  # the first certificate, before the others exist
    archive = zipfile.ZipFile(io.BytesIO(first + b"".join(stream)))
    assert len(archive.namelist()) == len(issued)


def test_merged_pdf_is_a_job_the_worker_runs(organiser_app, app_request, dbsession, past, worker_request):
    from trainings.worker import run_next_job

    issued = services.issue_eligible(app_request, past.training, notify=False)
    page = tab(organiser_app, past.training)
    response = page.forms["merged"].submit()
    job = dbsession.scalars(select(Job)).one()
    assert response.location.endswith(f"/organiser/exports/{job.id}")
    assert (job.status, job.total) == (JobStatus.queued, len(issued))
    assert "trabajador en segundo plano" in organiser_app.get(f"/organiser/exports/{job.id}")
    assert run_next_job(worker_request) is True  # what `capacita worker` does
    assert run_next_job(worker_request) is False
    dbsession.expire_all()
    assert (job.status, job.progress, job.worker != "") == (JobStatus.done, 5, True)
    download = organiser_app.get(f"/organiser/exports/{job.id}").click(href="download")
    assert len(PdfReader(io.BytesIO(download.body)).pages) == 5


def test_a_failed_job_says_so(organiser_app, app_request, dbsession, past, worker_request):
    from trainings.worker import queue_job, run_next_job

    job = queue_job(dbsession, exports.JOB_KIND, {"training_id": 0}, total=1)
    assert run_next_job(worker_request) is True
    dbsession.expire_all()
    assert job.status == JobStatus.failed and job.error
    assert "no se pudo preparar" in organiser_app.get(f"/organiser/exports/{job.id}").text.lower()


def test_participant_downloads_their_own(testapp, app_request, dbsession, past):
    registration = past.people["at_threshold"]
    token, registration.token_hash = new_token()
    dbsession.flush()
    (certificate,) = [c for c in services.issue_eligible(app_request, past.training, notify=False)
                      if c.registration is registration]
    response = testapp.get(f"/me/{token}/certificates/{certificate.id}.pdf")
    assert response.content_type == "application/pdf"
    other = [c for c in dbsession.scalars(select(Certificate)) if c.registration is not registration][0]
    testapp.get(f"/me/{token}/certificates/{other.id}.pdf", status=404)
    testapp.get(f"/me/not-a-token/certificates/{certificate.id}.pdf", status=404)


def test_layout_choice_and_preview(organiser_app, dbsession, past):
    layout = CertificateLayout(name="OIM Perú", definition=default_definition_text())
    dbsession.add(layout)
    dbsession.flush()
    page = tab(organiser_app, past.training)
    form = page.forms["layout"]
    form["layout"] = str(layout.id)
    form.submit("submit").follow()
    assert dbsession.get(TrainingCertificateLayout, past.training.id).layout_id == layout.id
    preview = organiser_app.get(f"/organiser/trainings/{past.training.id}/certificates/preview.pdf")
    assert "MUESTRA" in PdfReader(io.BytesIO(preview.body)).pages[0].extract_text()
    dbsession.flush()
    assert dbsession.scalars(select(Certificate)).all() == []  # the sample is never stored


def test_organisers_design_layouts_and_only_administrators_edit_json(organiser_app, dbsession):
    page = organiser_app.get("/organiser/layouts")
    form = page.forms["layout"]
    assert "definition" not in form.fields
    form["name"] = "OIM Perú"
    design = form.submit("submit").follow()
    layout = dbsession.scalars(select(CertificateLayout)).one()
    assert design.request.path == f"/organiser/layouts/{layout.id}/design"
    assert "JSON" not in design.text
    organiser_app.get(f"/organiser/layouts/{layout.id}", status=403)
    organiser_app.post(f"/organiser/layouts/{layout.id}/assets", {"csrf_token": csrf_token_of(design)}, status=403)


@pytest.mark.parametrize("user_app", ["organiser_app", "admin_app"])
def test_a_new_layout_is_only_named_and_opens_in_the_designer(user_app, request, dbsession):
    """Nobody writes JSON to begin: administrators too create a layout from the default design."""
    app = request.getfixturevalue(user_app)
    programme = factories.ProgrammeFactory(name="Trata de personas")
    app.set_cookie("_LOCALE_", "en")
    page = app.get("/organiser/layouts")
    form = page.forms["layout"]
    assert "definition" not in form.fields and {"name", "programme"} <= set(form.fields)
    assert "docs/certificates.md" not in page.text and "JSON" not in form.text
    form["name"] = "Ministerio Público"
    form["programme"] = str(programme.id)
    design = form.submit("submit").follow()
    layout = dbsession.scalars(select(CertificateLayout)).one()
    assert design.request.path == f"/organiser/layouts/{layout.id}/design" and design.forms["design"]
    assert (layout.definition, layout.programme_id) == (default_definition_text(), programme.id)


def test_a_new_layout_offers_only_the_organisations_programmes(organiser_app, dbsession):
    elsewhere = factories.ProgrammeFactory(name="Programa de Paraguay",
                                           organisation=factories.OrganisationFactory(name="OIM Paraguay"))
    page = organiser_app.get("/organiser/layouts")
    assert "Programa de Paraguay" not in page.forms["layout"].text
    refused = organiser_app.post("/organiser/layouts", {"csrf_token": csrf_token_of(page), "name": "Ajeno",
                                                        "programme": str(elsewhere.id)}, status=400)
    assert dbsession.scalars(select(CertificateLayout)).all() == [] and "Ajeno" in refused.text


def test_a_new_layout_without_a_name_or_with_a_forged_programme_is_refused(organiser_app, dbsession):
    page = organiser_app.get("/organiser/layouts")
    form = page.forms["layout"]
    form["name"] = ""
    assert form.submit("submit", status=400)
    organiser_app.post("/organiser/layouts", {"csrf_token": csrf_token_of(page), "name": "Roto",
                                              "programme": "999999", "submit": "submit"}, status=400)
    organiser_app.post("/organiser/layouts", {"name": "Sin token", "submit": "submit"}, status=400)
    assert dbsession.scalars(select(CertificateLayout)).all() == []


def test_invalid_layout_json_is_refused_with_a_message(admin_app, dbsession, designed):
    page = admin_app.get(f"/organiser/layouts/{designed.id}")
    form = page.forms["layout"]
    definition = json.loads(default_definition_text())
    definition["fields"]["name"]["size"] = 500
    form["definition"] = json.dumps(definition)
    response = form.submit("submit", status=400)
    assert "fields.name.size" in response
    form["definition"] = "{ not json"
    assert "JSON" in form.submit("submit", status=400)
    dbsession.refresh(designed)
    assert designed.definition == default_definition_text()


def test_layout_with_images(admin_app, dbsession):
    from PIL import Image

    page = admin_app.get("/organiser/layouts")
    form = page.forms["layout"]
    form["name"] = "Con logo"
    definition = json.loads(default_definition_text())
    assert "/design" in form.submit("submit").location  # the form editor first, for everyone
    layout = dbsession.scalars(select(CertificateLayout)).one()
    page = admin_app.get(f"/organiser/layouts/{layout.id}")
    image = io.BytesIO()
    Image.new("RGB", (40, 20), "navy").save(image, "PNG")
    form = page.forms["asset"]
    form["name"] = "logo.png"
    form["upload"] = ("logo.png", image.getvalue(), "image/png")
    form.submit("submit").follow()
    assert [asset.name for asset in layout.assets] == ["logo.png"]
    form = admin_app.get(f"/organiser/layouts/{layout.id}").forms["asset"]
    form["name"] = "fake.png"
    form["upload"] = ("fake.png", b"<svg></svg>", "image/png")
    assert "PNG o JPEG" in form.submit("submit", status=400)
    definition["logos"] = [{"asset": "logo.png", "x": 240, "y": 15, "width": 40, "height": 20}]
    form = admin_app.get(f"/organiser/layouts/{layout.id}").forms["layout"]
    form["definition"] = json.dumps(definition)
    form.submit("submit").follow()
    factories.TrainingFactory()
    preview = admin_app.get(f"/organiser/layouts/{layout.id}/preview.pdf")
    assert preview.content_type == "application/pdf"
    definition["logos"][0]["asset"] = "missing.png"
    form["definition"] = json.dumps(definition)
    assert "missing.png" in form.submit("submit", status=400)


def test_bulk_downloads_without_certificates_go_back_with_a_message(organiser_app, past):
    response = organiser_app.get(f"/organiser/trainings/{past.training.id}/certificates.zip").follow()
    assert "Aún no hay certificados válidos para descargar." in response
    response = tab(organiser_app, past.training).forms["merged"].submit().follow()
    assert "Aún no hay certificados válidos para descargar." in response


def test_issuing_before_the_last_session_has_ended_is_refused(organiser_app, dbsession):
    import datetime as dt

    today = dt.date.today()
    ongoing = make_past_training(dbsession, starts_on=today - dt.timedelta(days=1),
                                 ends_on=today + dt.timedelta(days=1))
    page = tab(organiser_app, ongoing.training)
    assert page.html.find("form", id="issue-all").button.has_attr("disabled")
    confirmation = organiser_app.get(f"/organiser/trainings/{ongoing.training.id}/certificates/issue")
    assert "cuando ha terminado la última sesión" in confirmation and "confirm-issue" not in confirmation
    response = organiser_app.post(f"/organiser/trainings/{ongoing.training.id}/certificates/issue",
                                  {"csrf_token": csrf_token_of(page)}).follow()
    assert "cuando ha terminado la última sesión" in response
    assert dbsession.scalars(select(Certificate)).all() == []


def test_revoking_tells_the_holder_with_the_reason(organiser_app, app_request, dbsession, past):
    from trainings.models import OutboxMessage

    certificate = services.issue_eligible(app_request, past.training, notify=False)[0]
    form = organiser_app.get(f"/organiser/certificates/{certificate.id}/revoke").forms["form"]
    form["reason"] = "Se emitió a la persona equivocada"
    form.submit("submit").follow()
    (message,) = dbsession.scalars(select(OutboxMessage)).all()
    assert message.recipients == certificate.registration.person.email
    assert "Se emitió a la persona equivocada" in message.body_text and "anulado" in message.subject


def test_the_revocation_form_says_the_reason_is_emailed_to_the_holder(organiser_app, app_request, past):
    certificate = services.issue_eligible(app_request, past.training, notify=False)[0]
    organiser_app.set_cookie("_LOCALE_", "en")
    page = organiser_app.get(f"/organiser/certificates/{certificate.id}/revoke")
    assert ("Emailed to the person and kept with the certificate; "
            "the public verification page shows only the date.") in page


def png_bytes(size=(60, 30), colour="navy", kind="PNG") -> bytes:
    from PIL import Image

    image = io.BytesIO()
    Image.new("RGB", size, colour).save(image, kind)
    return image.getvalue()


@pytest.fixture
def designed(dbsession):
    layout = CertificateLayout(name="Ministerio Público", definition=default_definition_text())
    dbsession.add(layout)
    dbsession.flush()
    return layout


def test_the_layout_editor_saves_titles_colours_logo_and_signatories(organiser_app, dbsession, designed):
    form = organiser_app.get(f"/organiser/layouts/{designed.id}/design").forms["design"]
    form["es"] = "Constancia de capacitación"
    form["en"] = "Training certificate"
    form["main_colour"] = "#7a1f2b"
    uploads = form.fields["upload"]  # deform names every file input so: the logo, then each signature
    uploads[0].value = ("logo.jpg", png_bytes(kind="JPEG"), "image/jpeg")
    names = form.fields["name"]  # the layout's own name, then each signatory's
    names[1].value, names[2].value = "María Elena Quispe Huamán", "Jorge Luis Benítez Acosta"
    form.fields["position"][0].value = "Coordinadora del programa"
    uploads[1].value = ("firma.png", png_bytes((200, 60), "black"), "image/png")
    form.submit("submit").follow()
    definition = json.loads(designed.definition)
    assert definition["texts"]["heading"] == {"es": "Constancia de capacitación", "en": "Training certificate",
                                              "fr": ""}
    assert definition["frame"]["colour"] == "#7A1F2B" and definition["fields"]["heading"]["colour"] == "#7A1F2B"
    assert [logo["asset"] for logo in definition["logos"]] == ["logo"]
    assert definition["signatories"]["people"] == [
        {"name": "María Elena Quispe Huamán", "position": "Coordinadora del programa", "signature": "signature-1"},
        {"name": "Jorge Luis Benítez Acosta", "position": "", "signature": None}]
    assert sorted((asset.name, asset.content_type) for asset in designed.assets) == [
        ("logo", "image/jpeg"), ("signature-1", "image/png")]
    # what the form shows again is what was saved
    again = organiser_app.get(f"/organiser/layouts/{designed.id}/design").forms["design"]
    assert again["es"].value == "Constancia de capacitación" and again.fields["name"][1].value.startswith("María")


def test_the_layout_editor_refuses_bad_input_next_to_the_field_and_writes_nothing(organiser_app, dbsession,
                                                                                    designed):
    before = designed.definition
    form = organiser_app.get(f"/organiser/layouts/{designed.id}/design").forms["design"]
    form["accent_colour"] = "gold"
    form.fields["upload"][0].value = ("logo.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>", "image/svg+xml")
    # (the 2 MB limit is checked in tests/certificates/test_layouts.py: a large body here would be
    # spooled by the test server to a temporary file that outlives the test)
    form.fields["upload"][2].value = ("firma.gif", png_bytes(kind="GIF"), "image/gif")
    response = form.submit("submit", status=400)
    assert "#RRGGBB" in response and response.text.count("Este archivo no es una imagen PNG o JPEG.") == 2
    dbsession.refresh(designed)
    assert designed.definition == before and designed.assets == []


def test_the_preview_shows_unsaved_values_and_works_without_script(organiser_app, dbsession, designed):
    page = organiser_app.get(f"/organiser/layouts/{designed.id}/design")
    assert f'formaction="/organiser/layouts/{designed.id}/design/preview.pdf"' in page.text
    assert 'formtarget="_blank"' in page.text
    form = page.forms["design"]
    form["en"] = "Certificate of training"
    form.fields["name"][1].value = "Ana Sofía Fernández"
    preview = organiser_app.post(f"/organiser/layouts/{designed.id}/design/preview.pdf",
                                 [*form.submit_fields(), ("preview_language", "en")])
    assert preview.content_type == "application/pdf"
    text = PdfReader(io.BytesIO(preview.body)).pages[0].extract_text()
    assert "Certificate of training" in text and "Ana Sofía Fernández" in text and "SAMPLE" in text
    dbsession.refresh(designed)
    assert "Certificate of training" not in designed.definition  # not saved
    form["main_colour"] = "blue"
    bad = organiser_app.post(f"/organiser/layouts/{designed.id}/design/preview.pdf", form.submit_fields(),
                             status=400)
    assert "#RRGGBB" in bad


def test_tab_finds_one_person_among_many(organiser_app, past):
    """A 3,000-person training shows its people 100 at a time: the organiser finds one by name."""
    wanted = past.people["at_threshold"].person
    others = [r.person for key, r in past.people.items() if key != "at_threshold"]
    page = organiser_app.get(f"/organiser/trainings/{past.training.id}/certificates",
                             {"q": wanted.family_names.upper()})
    rows = page.html.find("table").find("tbody").get_text()
    assert wanted.family_names in rows
    assert not any(other.family_names in rows for other in others if other.family_names != wanted.family_names)
    assert page.html.find("input", id="q")["value"] == wanted.family_names.upper()
    nobody = organiser_app.get(f"/organiser/trainings/{past.training.id}/certificates", {"q": "zzzz-nadie"})
    assert wanted.family_names not in nobody.html.find("table").find("tbody").get_text()
