"""The PDFs, read back with pypdf: text, metadata, the QR path, languages, revocation, and
reproducibility."""
import datetime as dt
import io
import re

import pytest
import segno
from pypdf import PdfReader

from certificates import documents, services
from certificates.layouts import default_layout
from certificates.pdf import CertificateContent, Renderer, missing_characters
from certificates.qr import MASK, QUIET_ZONE, dark_runs, matrix_from_runs, qr_matrix
from tests import factories

URL = "http://capacita.test/verify/7K3M-Q9XD-2HTB-NC"
# The QR is drawn in module units (a negative y scale), as one path: "n <rects> f".
QR_PATH = re.compile(r" 0 0 -[\d.]+ [\d.]+ [\d.]+ cm\n0 0 0 rg\nn ((?:\d+ \d+ \d+ 1 re ?)+)\s*f")
RECT = re.compile(r"(\d+) (\d+) (\d+) 1")


def content(full_name="Tomás García D'Angelo", **values) -> CertificateContent:
    texts = {"heading": "Certificado de asistencia", "intro": "Se certifica que", "statement": "asistió",
             "training": "Taller", "serial": "PE-2026-000001"}
    return CertificateContent(full_name=full_name, texts=texts, verify_url=URL,
                              issued_at=dt.datetime(2026, 3, 12, 15, tzinfo=dt.UTC), title="Certificado",
                              author="Programa", subject="Taller · PE-2026-000001", **values)


def read(pdf: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(pdf))


def drawn_qr(pdf: bytes) -> list[list[int]]:
    """The QR matrix as drawn: the integer rectangles of the one QR path (module units)."""
    data = read(pdf).pages[0].get_contents().get_data().decode("latin-1")
    runs = [tuple(int(value) for value in match.groups()) for item in QR_PATH.search(data).group(1).split(" re")
            for match in [RECT.fullmatch(item.strip())] if match]
    size = len(qr_matrix(URL))
    return matrix_from_runs(runs, size), data


@pytest.fixture(scope="module")
def renderer():
    return Renderer(default_layout())


def test_names_in_any_european_script_are_text(renderer):
    for name in ("Ñandú Peña Gonçalves-São João D'Ávila", "Σωκράτης Παπαδόπουλος", "Иван Петрович Сидоров"):
        text = read(renderer.render(content(name))).pages[0].extract_text()
        assert name in text


def fonts_drawing(pdf: bytes) -> set[str]:
    """The base names of the fonts the page draws with."""
    fonts = read(pdf).pages[0]["/Resources"]["/Font"]
    return {str(fonts[key].get_object()["/BaseFont"]).lstrip("/").split("+")[-1] for key in fonts}


CMAP_DIRECTORY = "/usr/share/poppler/cMap"


def cmap_coverage(cid_font) -> set[int]:
    """The Unicode code points a CID font's CMap maps to glyphs."""
    import glob

    paths = glob.glob(f"{CMAP_DIRECTORY}/*/{cid_font.encodingName}")
    if not paths:
        pytest.skip("poppler-data is not installed (apt-get install poppler-data; .ci/run does)")
    with open(paths[0], encoding="latin-1") as cmap:
        text = cmap.read()
    covered = set()
    for block in re.findall(r"begincidrange(.*?)endcidrange", text, re.S):
        for low, high in re.findall(r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*\d+", block):
            covered.update(range(int(low, 16), int(high, 16) + 1))
    for block in re.findall(r"begincidchar(.*?)endcidchar", text, re.S):
        covered.update(int(code, 16) for code in re.findall(r"<([0-9a-fA-F]+)>\s*\d+", block))
    return covered


@pytest.mark.parametrize(("name", "cid_font"), [
    ("王秀英", "STSong-Light"), ("山田 はなこ", "HeiseiKakuGo-W5"), ("김민준", "HYGothic-Medium"),
])
def test_chinese_japanese_and_korean_names_print_in_a_font_that_has_them(renderer, name, cid_font):
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    assert missing_characters(name) == []
    pdf = renderer.render(content(name))
    assert name in read(pdf).pages[0].extract_text()
    assert cid_font in fonts_drawing(pdf)
    # The font chosen has a glyph for every character: its CMap (Unicode → glyph number) maps
    # each one, read from Debian's poppler-data, which PDF readers on Linux use for these fonts.
    covered = cmap_coverage(UnicodeCIDFont(cid_font))
    assert all(ord(char) in covered for char in name if not char.isspace())


def test_a_name_mixing_scripts_is_drawn_run_by_run(renderer):
    from trainings.pdf_fonts import runs

    assert runs("Ana 王秀英 Ελένη", "DejaVuSerif-Bold") == [
        ("Ana ", "DejaVuSerif-Bold"), ("王秀英 ", "STSong-Light"), ("Ελένη", "DejaVuSerif-Bold")]
    text = read(renderer.render(content("Ana 王秀英 Ελένη"))).pages[0].extract_text()
    assert "Ana 王秀英 Ελένη" in text


def test_an_arabic_name_is_shaped_and_drawn_right_to_left_with_glyphs(renderer):
    import unicodedata

    from trainings.pdf_fonts import font, runs, visual

    name = "فاطمة الزهراء"
    shaped = visual(name)
    assert shaped != name and all(has for has in (ord(char) in font("DejaVuSans").face.charToGlyph
                                                  for char in shaped if not char.isspace()))
    assert [font_name for _piece, font_name in runs(shaped, "DejaVuSerif-Bold")] == ["DejaVuSans-Bold"]
    text = read(renderer.render(content(name))).pages[0].extract_text()
    # Drawn as joined letter forms (presentation forms), which read back as the name's letters.
    assert name in unicodedata.normalize("NFKC", text)


def test_characters_no_font_has_are_replaced_visibly_and_kept_in_metadata(renderer):
    name = "Ana 🎓"
    assert missing_characters(name) == ["🎓"]
    pdf = renderer.render(content(name, keywords=(name,)))
    assert "Ana \ufffd" in read(pdf).pages[0].extract_text()
    assert name in read(pdf).metadata["/Keywords"]


def test_metadata(renderer):
    metadata = read(renderer.render(content())).metadata
    assert (metadata.title, metadata.author, metadata.subject) == ("Certificado", "Programa", "Taller · PE-2026-000001")
    assert metadata["/CreationDate"].startswith("D:20260312150000")


def test_same_input_same_bytes(renderer):
    assert renderer.render(content()) == Renderer(default_layout()).render(content())


def test_qr_is_one_path_encoding_the_verification_url(renderer):
    matrix, data = drawn_qr(renderer.render(content()))
    expected = [list(row) for row in segno.make(URL, error="m", mask=MASK).matrix]
    assert matrix == expected
    # one path, filled once, with one rectangle per run of dark modules
    assert len(QR_PATH.findall(data)) == 1
    assert len(QR_PATH.search(data).group(1).split(" re")) - 1 == len(dark_runs(qr_matrix(URL)))
    assert QUIET_ZONE == 2


def test_qr_runs_rebuild_the_matrix():
    matrix = qr_matrix("https://example.org/verify/0000-0000-0000-00")
    assert matrix_from_runs(dark_runs(matrix), len(matrix)) == [list(row) for row in matrix]


def test_stamp_marks_revoked(renderer):
    text = read(renderer.render(content(stamp="ANULADO"))).pages[0].extract_text()
    assert "ANULADO" in text


@pytest.mark.parametrize("language,heading,statement,hours", [
    ("es", "Certificado de asistencia", "asistió a la capacitación", "horas"),
    ("en", "Certificate of attendance", "attended the training", "hours attended"),
    ("fr", "Certificat de présence", "a suivi la formation", "heures"),
])
def test_three_languages(app_request, past, language, heading, statement, hours):
    past.training.offered_languages = "es en fr"
    person = past.people["at_threshold"].person
    person.preferred_language = language
    (certificate,) = [c for c in services.issue_eligible(app_request, past.training, notify=False)
                      if c.registration.person is person]
    assert certificate.language == language
    text = read(documents.render_certificate(app_request, certificate)).pages[0].extract_text()
    assert heading in text and statement in text and hours in text
    assert "Tomás García D'Angelo" in text and certificate.serial in text
    assert certificate.verification_code in text and past.training.title in text
    assert "8" in text  # hours attended: four two-hour sessions


def test_speaker_certificate_lists_sessions(app_request, past):
    issued = services.issue_eligible(app_request, past.training, notify=False)
    (speaker,) = [c for c in issued if c.registration == past.people["speaker"]]
    text = read(documents.render_certificate(app_request, speaker)).pages[0].extract_text()
    assert "Marco legal" in text and "Identificación de víctimas" in text
    assert "ponente" in text


def test_revoked_certificate_still_renders_marked(app_request, past):
    certificate = services.issue_eligible(app_request, past.training, notify=False)[0]
    services.revoke(app_request, certificate, "Error de datos")
    text = read(documents.render_certificate(app_request, certificate)).pages[0].extract_text()
    assert "ANULADO" in text and certificate.serial in text


def test_rendering_a_stored_certificate_twice_gives_the_same_bytes(app_request, past):
    certificate = services.issue_eligible(app_request, past.training, notify=False)[0]
    first = documents.render_certificate(app_request, certificate)
    assert documents.render_certificate(app_request, certificate) == first


def test_file_names_are_safe(dbsession):
    person = factories.PersonFactory(given_names="Tomás", family_names="García D'Angelo / <x>")
    certificate = factories.CertificateFactory(registration=factories.RegistrationFactory(person=person),
                                               serial="PE-2026-000123")
    assert documents.file_name(certificate) == "garcia-d-angelo-x-tomas-PE-2026-000123.pdf"


def test_long_names_wrap_and_long_titles_end_with_a_visible_cut():
    from reportlab.pdfbase import pdfmetrics

    from certificates.pdf import fit_name, wrap_lines
    from trainings.pdf_fonts import font

    font("DejaVuSans")
    name = "María de los Ángeles Fernández-Castañeda de la Torre y Villanueva " * 2
    size, lines = fit_name(name.strip(), "DejaVuSans", 30, 200)
    assert size == 21 and len(lines) == 2  # smaller, never below 70 %, then on two lines
    assert all(pdfmetrics.stringWidth(line, "DejaVuSans", size) <= 200 for line in lines)
    assert fit_name("Ana Paz", "DejaVuSans", 30, 200) == (30, ["Ana Paz"])
    title = "Taller regional de capacitación contra la trata de personas y el tráfico ilícito de migrantes " * 3
    cut = wrap_lines(title.strip(), "DejaVuSans", 14, 300, 3)
    assert len(cut) == 3 and cut[-1].endswith("…") and not cut[-1].endswith(" …")


def test_a_very_long_name_is_all_on_the_certificate(renderer):
    name = "María de los Ángeles Fernández-Castañeda de la Torre y Villanueva Quispe Huamán Mamani"
    text = read(renderer.render(content(name))).pages[0].extract_text()
    assert all(word in text for word in name.split())


def test_a_short_training_title_leaves_no_gap_above_the_dates(renderer):
    def dates_height(title):
        found = {}

        def visit(text, cm, tm, font_dict, font_size):
            if "Puno" in text:
                found["y"] = tm[5] if tm[5] else cm[5]

        texts = {"training": title, "dates_place": "9–10 de noviembre de 2026 · Puno, Perú"}
        pdf = renderer.render(CertificateContent(
            full_name="Rosa Quispe", texts=texts, verify_url=URL, issued_at=dt.datetime(2026, 3, 12, tzinfo=dt.UTC),
            title="t", author="a", subject="s"))
        read(pdf).pages[0].extract_text(visitor_text=visit)
        return found["y"]

    long_title = "Seminario regional sobre cooperación judicial internacional en materia de trata de personas, " \
                 "tráfico ilícito de migrantes y protección de víctimas en la región andina"
    assert dates_height("Taller") > dates_height(long_title)  # higher on the page: closer to a short title
