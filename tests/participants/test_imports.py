import io

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from participants import imports
from participants.imports import CREATE, DUPLICATE, MATCH, REJECTED, ImportRefused, commit, parse, preview, store_upload
from participants.models import Institution, Person, Registration, RegistrationSource, RegistrationStatus, Sex
from tests import factories
from trainings.models import OutboxMessage


def outcomes_by_row(dbsession, training, filename, content):
    header, rows = parse(filename, content)
    planned = preview(dbsession, training, header, rows)
    return planned, {outcome.number: outcome for outcome in planned.outcomes}


def reasons(request, outcome):
    return " ".join(request.localizer.translate(reason) for reason in outcome.reasons)


def test_spanish_windows_1252_semicolons_every_messy_row(dbsession, app_request, sample_es):
    training = factories.TrainingFactory(capacity=500)
    planned, rows = outcomes_by_row(dbsession, training, "lista.csv", sample_es)
    # Accents survived the Windows-1252 decoding.
    assert rows[2].row.values["given_names"] == "Eduardo" and rows[2].row.values["family_names"] == "Muñoz Sánchez"
    assert rows[2].action == CREATE and rows[2].row.sex == Sex.male and rows[2].row.country == "CR"
    # "X" is other; "Masculino" is male.
    assert rows[4].row.sex == Sex.other
    # A missing family name is rejected with its row number.
    missing = next(o for o in planned.outcomes
                   if o.row.values["given_names"] == "Eduardo" and not o.row.values["family_names"])
    assert missing.action == REJECTED and missing.number == 28
    # The blank line is skipped, never reported.
    assert all(any(cell for cell in o.row.cells) for o in planned.outcomes)
    # The same person twice, first in capitals: the well-written row is kept, the other is its duplicate.
    teresa = [o for o in planned.outcomes if o.row.email == "teresa.nunez161@mpfn.gob.pe"]
    assert [o.action for o in teresa] == [DUPLICATE, CREATE] and teresa[0].duplicate_of == teresa[1].number
    assert teresa[1].row.values["given_names"] == "Teresa Inés"
    # The over-long name is rejected.
    long_name = next(o for o in planned.outcomes if o.row.values["family_names"] == "Largo")
    assert long_name.action == REJECTED and "150" in reasons(app_request, long_name)
    # Rows without an email are accepted, with a warning.
    juana = next(o for o in planned.outcomes if o.row.values["family_names"] == "Santacruz Martínez")
    assert juana.action == CREATE and juana.row.warnings
    # Formula and markup are data, stored as typed (neutralised in exports, escaped in pages).
    formula = next(o for o in planned.outcomes if o.row.values.get("email") == "formula@example.com")
    assert formula.action == CREATE and formula.row.values["given_names"].startswith("=HYPERLINK")
    markup = next(o for o in planned.outcomes if o.row.values.get("email") == "xss@example.com")
    assert markup.action == CREATE and markup.row.values["family_names"] == "<script>alert(1)</script>"


def test_english_utf8_commas_broken_emails_and_case_duplicates(dbsession, app_request, sample_en):
    training = factories.TrainingFactory(capacity=500)
    planned, rows = outcomes_by_row(dbsession, training, "list.csv", sample_en)
    broken = next(o for o in planned.outcomes if o.row.values.get("email") == "alberto.martinez89 at mpfn.gob.pe")
    assert broken.action == REJECTED and "alberto.martinez89 at mpfn.gob.pe" in reasons(app_request, broken)
    carlos = [o for o in planned.outcomes if o.row.email == "carlos.veron97@gmail.com"]
    assert [o.action for o in carlos] == [DUPLICATE, CREATE]  # "CARLOS" gives way to "Carlos", 113 rows later
    assert carlos[0].duplicate_of == carlos[1].number and carlos[1].row.values["given_names"] == "Carlos"
    no_family = [o for o in planned.outcomes if not o.row.values["family_names"]]
    assert no_family and all(o.action == REJECTED for o in no_family)


def test_matches_existing_people_and_already_registered(dbsession, app_request, sample_en):
    training = factories.TrainingFactory(capacity=500)
    existing = factories.PersonFactory(email="ines.ortiz30@gmail.com")
    registered = factories.PersonFactory(email="zoe.cortes73@mujer.gov.py")
    factories.RegistrationFactory(training=training, person=registered)
    planned, rows = outcomes_by_row(dbsession, training, "list.csv", sample_en)
    assert rows[2].action == MATCH and rows[2].person is existing
    assert rows[3].action == REJECTED and rows[3].person is registered


def test_commit_registers_valid_rows_and_reports_rejected(dbsession, app_request, sample_es):
    training = factories.TrainingFactory(capacity=20)
    upload = store_upload(dbsession, training, "lista.csv", sample_es, None)
    header, rows = parse("lista.csv", sample_es)
    planned = preview(dbsession, training, header, rows)
    result = commit(app_request, upload, training)
    registrations = dbsession.scalars(select(Registration).where(Registration.training_id == training.id)).all()
    assert len(registrations) == len(planned.valid) == result.created + result.matched
    assert {r.source for r in registrations} == {RegistrationSource.import_}
    statuses = [r.status for r in registrations]
    assert statuses.count(RegistrationStatus.confirmed) == 20 and training.confirmed_count == 20
    assert statuses.count(RegistrationStatus.waitlisted) == len(registrations) - 20
    assert upload.committed_at is not None
    report_lines = upload.rejected_report.strip().splitlines()
    assert len(report_lines) == 1 + len(planned.rejected)
    assert report_lines[0].startswith('"Fila";"Motivo";')
    # Unknown institutions are created, kind "other", in the row's country.
    brazil = dbsession.scalar(select(Institution).where(Institution.name == "Ministério Público Federal"))
    assert brazil.kind == "other" and brazil.country == "BR"
    with_email = [r for r in registrations if r.person.email]
    assert dbsession.scalar(select(func.count()).select_from(OutboxMessage)) == len(with_email)


def test_an_import_without_email_sends_neither_links_nor_invitations(dbsession, app_request, sample_en):
    training = factories.TrainingFactory(capacity=20)
    factories.SessionFactory(training=training)
    upload = store_upload(dbsession, training, "list.csv", sample_en, None)
    commit(app_request, upload, training, notify=False)
    assert training.confirmed_count == 20
    assert dbsession.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_an_import_with_email_sends_links_and_invitations(dbsession, app_request, sample_en):
    training = factories.TrainingFactory(capacity=20)
    factories.SessionFactory(training=training)
    upload = store_upload(dbsession, training, "list.csv", sample_en, None)
    commit(app_request, upload, training)
    dbsession.flush()
    invitations = dbsession.scalars(select(OutboxMessage).where(OutboxMessage.calendar_method == "REQUEST")).all()
    confirmed = dbsession.scalars(select(Registration).where(Registration.training_id == training.id,
                                                             Registration.status == RegistrationStatus.confirmed))
    assert len(invitations) == len([r for r in confirmed if r.person.email]) > 0


@pytest.mark.parametrize("step", ["apply_details", "send_registration_mail"])
def test_a_failure_during_commit_leaves_the_database_as_it_was(dbsession, app_request, sample_en, monkeypatch, step):
    training = factories.TrainingFactory(capacity=500)
    upload = store_upload(dbsession, training, "list.csv", sample_en, None)
    counts = lambda: [dbsession.scalar(select(func.count()).select_from(model))  # noqa: E731
                      for model in (Person, Registration, Institution, OutboxMessage)]
    before = counts()
    from participants import notifications

    module = imports if step == "apply_details" else notifications
    real, calls = getattr(module, step), []

    def failing(*args, **kwargs):
        calls.append(1)
        if len(calls) == 40:
            raise RuntimeError("disk full")
        return real(*args, **kwargs)

    monkeypatch.setattr(module, step, failing)
    with pytest.raises(RuntimeError):
        commit(app_request, upload, training)
    dbsession.refresh(training)
    dbsession.refresh(upload)
    assert counts() == before and training.confirmed_count == 0 and upload.committed_at is None


def _xlsx(rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_xlsx_with_french_headers(dbsession, app_request):
    content = _xlsx([["Prénoms", "Nom", "Courriel", "Sexe", "Pays", "Pièce d'identité"],
                     ["Élise", "Dupont", "elise@example.org", "F", "France", 12345678],
                     [None, None, None, None, None, None],
                     ["Jean", "", "jean@example.org", "H", "FR", None]])
    training = factories.TrainingFactory()
    planned, rows = outcomes_by_row(dbsession, training, "liste.xlsx", content)
    assert rows[2].action == CREATE and rows[2].row.country == "FR" and rows[2].row.values["id_document"] == "12345678"
    assert rows[4].action == REJECTED


@pytest.mark.parametrize("filename, content", [
    ("empty.csv", b""), ("blank.csv", b"\n\n  \n"), ("photo.png", b"\x89PNG\r\n\x1a\n...."),
    ("broken.xlsx", b"PK\x03\x04 not really a zip"), ("headers.csv", b"a;b;c\n1;2;3\n"),
    ("only-header.csv", b"Nombres;Apellidos\n"),
])
def test_files_that_cannot_be_imported_are_refused(filename, content):
    with pytest.raises(ImportRefused):
        parse(filename, content)


def test_utf8_with_bom_and_semicolons():
    content = "\ufeffNombres;Apellidos;Correo electrónico\nÑusta;Peña;nusta@x.org\n".encode()
    _header, [row] = parse("x.csv", content)
    assert row.values == {"given_names": "Ñusta", "family_names": "Peña", "email": "nusta@x.org"}


def test_the_rejected_rows_report_neutralises_formulas_in_the_organisers_separator(dbsession, app_request):
    training = factories.TrainingFactory(capacity=5)
    content = ("Nombres;Apellidos;Correo electrónico;Cargo\n"
               "Rosa;;rosa@mpfn.gob.pe;Fiscal;=1+1\n"
               "=HYPERLINK(\"http://evil.example\");;x@mpfn.gob.pe;Paz,@SUM(A1)\n").encode()
    upload = store_upload(dbsession, training, "lista.csv", content, None)
    commit(app_request, upload, training, notify=False)
    lines = upload.rejected_report.splitlines()
    assert lines[0] == '"Fila";"Motivo";"Nombres";"Apellidos";"Correo electrónico";"Cargo"'
    assert lines[1].startswith('"2";"Faltan los apellidos."')
    assert lines[2].endswith('"\'=HYPERLINK(""http://evil.example"")";"";"x@mpfn.gob.pe";"Paz,\'@SUM(A1)"')


@pytest.mark.parametrize(("typed", "sex"), [
    ("Masc.", Sex.male), ("masc", Sex.male), ("M", Sex.male), ("Hombre", Sex.male), ("Male", Sex.male),
    ("Varón", Sex.male), ("Fem.", Sex.female), ("F", Sex.female), ("Mujer", Sex.female), ("FEMENINA", Sex.female),
    ("Female", Sex.female), ("Sra.", Sex.female),
])
def test_the_ways_lists_write_sex_are_read(typed, sex):
    content = f"Nombres;Apellidos;Sexo\r\nRosa;Quispe;{typed}\r\n".encode()
    _header, (row,) = parse("lista.csv", content)
    assert row.sex == sex
    assert not any("Sex" in str(warning) for warning in row.warnings)  # no "not understood"


def test_excel_unicode_text_is_utf16_and_tab_separated():
    text = "Nombres\tApellidos\tDNI\r\nÑusta\tPeña\t01234567\r\n"
    for content in (text.encode("utf-16"), text.encode("utf-16-le")):  # with and without its byte-order mark
        _header, [row] = parse("lista.txt", content)
        assert row.values == {"given_names": "Ñusta", "family_names": "Peña", "id_document": "01234567"}


def test_title_rows_above_the_header_are_skipped_and_rows_keep_their_numbers(dbsession):
    content = (b"Lista de participantes;;\nTaller de Cusco, marzo 2026;;\n;;\n"
               b"Nombres;Apellidos;Correo\nRosa;Quispe;rosa@x.org\n")
    header, [row] = parse("lista.csv", content)
    assert header == ["Nombres", "Apellidos", "Correo"] and row.number == 5
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Ministerio Público — Lista de asistentes"])
    sheet.append([])
    sheet.append(["Nombres", "Apellidos", "DNI"])
    sheet.append(["Rosa", "Quispe", 1234567])
    buffer = io.BytesIO()
    workbook.save(buffer)
    _header, [row] = parse("lista.xlsx", buffer.getvalue())
    assert row.values["id_document"] == "1234567" and row.number == 4


def test_a_known_document_that_lost_its_leading_zero_is_the_same_person_with_changes_shown(dbsession, app_request):
    training = factories.TrainingFactory(capacity=10)
    old = factories.InstitutionFactory(name="Fiscalía de Cusco", country="PE")
    known = factories.PersonFactory(given_names="Rosa", family_names="Quispe", email="rosa@mp.gob.pe",
                                    id_document="01234567", country="PE", institution=old)
    content = ("Nombres;Apellidos;Correo;DNI;País;Institución\n"
               "Rosa;Quispe;rquispe@gmail.com;1234567;Perú;Fiscalía de Puno\n"
               "Juan;Mamani;;01.234.567;Bolivia;\n").encode()
    planned, rows = outcomes_by_row(dbsession, training, "lista.csv", content)
    assert rows[2].action == MATCH and rows[2].person is known
    changes = {app_request.localizer.translate(label): (before, after) for label, before, after in rows[2].changes}
    assert changes == {"Correo electrónico": ("rosa@mp.gob.pe", "rquispe@gmail.com"),
                       "Institución": ("Fiscalía de Cusco", "Fiscalía de Puno")}
    assert rows[3].action == CREATE  # the same number in another country is someone else
    upload = store_upload(dbsession, training, "lista.csv", content, None)
    result = commit(app_request, upload, training, notify=False)
    assert result.created == 1 and result.matched == 1
    assert dbsession.scalar(select(func.count()).select_from(Person).where(Person.document_key == "1234567")) == 2


def test_the_import_preview_shows_before_and_after(organiser_app, dbsession):
    from tests.functional.test_import import upload

    training = factories.TrainingFactory(capacity=10)
    factories.PersonFactory(given_names="Rosa", family_names="Quispe", email="rosa@mp.gob.pe",
                            id_document="01234567", country="PE", institution=factories.InstitutionFactory(
                                name="Fiscalía de Cusco"))
    content = "Nombres;Apellidos;DNI;País;Institución\nRosa;Quispe;1234567;PE;Fiscalía de Puno\n".encode()
    preview_page = upload(organiser_app, training, "lista.csv", content).follow()
    assert "<del>Fiscalía de Cusco</del> → <ins>Fiscalía de Puno</ins>" in preview_page.text


def test_a_known_name_is_not_rewritten_in_capitals_or_without_its_accents(dbsession, app_request, sample_en):
    """The registry holds "Carlos Verón Santacruz" and "Gaby María Ortiz Rojas": the list's
    CARLOS and GABY MARÍA (and a Veron without its accent) are the same names, written worse."""
    training = factories.TrainingFactory(capacity=500)
    carlos = factories.PersonFactory(given_names="Carlos", family_names="Verón Santacruz",
                                     email="carlos.veron97@gmail.com")
    gaby = factories.PersonFactory(given_names="Gaby María", family_names="Ortiz Rojas",
                                   email="gaby.ortiz105@gmail.com")
    content = ("Given names,Family names,Email\n"
               "CARLOS,Veron Santacruz,CARLOS.VERON97@GMAIL.COM\n"
               "GABY MARÍA,Ortiz Rojas,gaby.ortiz105@gmail.com\n").encode()
    planned, rows = outcomes_by_row(dbsession, training, "list.csv", content)
    assert [(rows[number].action, rows[number].changes) for number in (2, 3)] == [(MATCH, []), (MATCH, [])]
    upload = store_upload(dbsession, training, "list.csv", content, None)
    assert commit(app_request, upload, training, notify=False).matched == 2
    assert (carlos.full_name, gaby.full_name) == ("Carlos Verón Santacruz", "Gaby María Ortiz Rojas")


def test_a_better_written_or_another_name_is_still_proposed(dbsession, app_request):
    training = factories.TrainingFactory(capacity=10)
    shouted = factories.PersonFactory(given_names="ROSA", family_names="Quispe", email="rosa@mp.gob.pe")
    renamed = factories.PersonFactory(given_names="Juan", family_names="Mamani", email="juan@mp.gob.pe")
    content = (b"Nombres;Apellidos;Correo\n"
               b"Rosa;Quispe;rosa@mp.gob.pe\n"
               b"JUAN CARLOS;Mamani;juan@mp.gob.pe\n")
    planned, rows = outcomes_by_row(dbsession, training, "lista.csv", content)
    assert [change[1:] for change in rows[2].changes] == [("ROSA Quispe", "Rosa Quispe")]
    assert [change[1:] for change in rows[3].changes] == [("Juan Mamani", "JUAN CARLOS Mamani")]
    commit(app_request, store_upload(dbsession, training, "lista.csv", content, None), training, notify=False)
    assert (shouted.given_names, renamed.given_names) == ("Rosa", "JUAN CARLOS")


@pytest.mark.parametrize(("typed", "known", "kept"), [
    ("CARLOS", "Carlos", "Carlos"), ("Carlos", "CARLOS", "Carlos"), ("Veron", "Verón", "Verón"),
    ("Verón", "Veron", "Verón"), ("carlos", "Carlos", "Carlos"), ("de la Cruz", "De La Cruz", "De La Cruz"),
    ("Carla", "Carlos", "Carla"),
])
def test_the_better_spelling_of_one_name(typed, known, kept):
    assert imports.better_spelling(known, typed) == kept
