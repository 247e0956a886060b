import csv
import io
from pathlib import Path

from sqlalchemy import func, select

from participants.models import ParticipantImport, Registration, RegistrationSource
from tests import factories
from tests.conftest import csrf_token_of

DATA = Path(__file__).resolve().parents[2] / "participants" / "demo_data"


def upload(app, training, filename, content, status=302):
    page = app.get(f"/organiser/trainings/{training.id}/import")
    return app.post(f"/organiser/trainings/{training.id}/import", {"csrf_token": csrf_token_of(page)},
                    upload_files=[("file", filename, content)], status=status)


def test_preview_then_commit_then_rejected_report(organiser_app, dbsession):
    training = factories.TrainingFactory(capacity=40)
    content = (DATA / "participants-es-cp1252.csv").read_bytes()
    preview = upload(organiser_app, training, "lista.csv", content).follow()
    for text in ("Persona nueva", "Rechazada", "Duplicada dentro del archivo", "Misma persona que la fila"):
        assert text in preview.text
    # Markup in a name is shown escaped in the preview.
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in preview.text and "<script>alert(1)" not in preview.text
    # The file's 240-character name is refused, and shown cut short and breakable, not stretching the table.
    cells = preview.html.find_all("td")
    long_name = next(cell for cell in cells if cell.get_text(strip=True).startswith("NombreNombre"))
    assert "text-break" in long_name["class"] and len(long_name.contents[0].strip()) <= 80
    assert dbsession.scalar(select(func.count()).select_from(Registration)) == 0
    assert "Solo quedan 40 plazas: las primeras 40 filas válidas las ocupan" in preview.text
    form = preview.forms["commit"]
    assert form["notify"].checked  # a published training: people are told by default
    form["notify"] = False
    done = form.submit().follow()
    assert "personas pasaron a la lista de espera" in done.text
    registrations = dbsession.scalars(select(Registration).where(Registration.training_id == training.id)).all()
    assert len(registrations) > 250 and {r.source for r in registrations} == {RegistrationSource.import_}
    assert training.confirmed_count == 40
    report_link = done.html.find("a", href=lambda href: href and href.endswith("rejected.csv"))["href"]
    report = organiser_app.get(report_link)
    text = report.body.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert text.startswith('"Fila";"Motivo";')  # Excel in Spanish splits at ";"
    assert rows[0][:2] == ["Fila", "Motivo"] and all(len(row) == len(rows[0]) for row in rows)
    reasons = {row[0]: row[1] for row in rows[1:]}
    assert "Faltan los apellidos." in reasons["28"]
    assert any("150" in reason for reason in reasons.values())
    # Committing twice does nothing more.
    again = organiser_app.get(done.request.path)
    assert "importó" in again.text


def test_refuses_bad_files_and_writes_nothing(organiser_app, dbsession):
    training = factories.TrainingFactory()
    for filename, content, message in [
        ("photo.png", b"\x89PNG\r\n\x1a\n\x00\x00", "Solo se pueden importar archivos CSV y XLSX."),
        ("empty.csv", b"", "El archivo está vacío."),
        ("nothing.xlsx", b"PK\x03\x04 broken", "No se puede leer este archivo XLSX"),
    ]:
        page = upload(organiser_app, training, filename, content, status=400)
        assert message in page.text
    assert dbsession.scalar(select(func.count()).select_from(ParticipantImport)) == 0


def test_a_50_mb_file_is_refused_before_the_form_is_parsed(organiser_app, dbsession, monkeypatch):
    """Refused on its declared length by a tween: the multipart form is never parsed (the body
    is only spooled to a temporary file on disk by pyramid_retry, never held in memory)."""
    import cgi

    training = factories.TrainingFactory()
    page = organiser_app.get(f"/organiser/trainings/{training.id}/import")
    big = b"Nombres;Apellidos\n" + b"Ana;Ruiz\n" * (50 * 1024 * 1024 // 9)

    def never(*args, **kwargs):
        raise AssertionError("the form was parsed")

    monkeypatch.setattr(cgi, "FieldStorage", never)
    response = organiser_app.post(f"/organiser/trainings/{training.id}/import", {"csrf_token": csrf_token_of(page)},
                                  upload_files=[("file", "enorme.csv", big)], status=413)
    assert "10 MB" in response.text
    assert dbsession.scalar(select(func.count()).select_from(ParticipantImport)) == 0


def test_a_file_over_the_limit_is_refused(organiser_app, dbsession, app):
    training = factories.TrainingFactory()
    big = b"Nombres;Apellidos\n" + b"Ana;Ruiz\n" * (11 * 1024 * 1024 // 9)
    page = upload(organiser_app, training, "enorme.csv", big, status=413)
    assert "10 MB" in page.text
    assert dbsession.scalar(select(func.count()).select_from(ParticipantImport)) == 0


def test_import_pages_need_an_organiser(testapp, dbsession):
    training = factories.TrainingFactory()
    testapp.get(f"/organiser/trainings/{training.id}/import", status=302)
    testapp.get(f"/organiser/trainings/{training.id}/import/1", status=302)


def test_rows_with_control_characters_or_overlong_values_are_rejected_in_the_users_language(organiser_app,
                                                                                            dbsession):
    training = factories.TrainingFactory(capacity=40)
    content = ("Nombres,Apellidos,Correo\n"
               "\"Ana\nMaría\",Quispe,ana@example.org\n"
               f"{'N' * 151},Rojas,n@example.org\n"
               "Luis,Torres,luis@example.org\n").encode()
    preview = upload(organiser_app, training, "lista.csv", content).follow()
    assert "Una celda contiene caracteres de control invisibles" in preview.text
    assert "Los nombres tienen más de 150 caracteres." in preview.text
    assert "Given names" not in preview.text


def test_importing_into_a_draft_does_not_email_by_default(organiser_app, dbsession):
    from trainings.models import TrainingStatus

    training = factories.TrainingFactory(status=TrainingStatus.draft)
    preview = upload(organiser_app, training, "lista.csv",
                     b"Nombres,Apellidos,Correo\nLuis,Torres,luis@example.org\n").follow()
    assert "todavía es un borrador" in preview.text and not preview.forms["commit"]["notify"].checked
