"""Layout files: the default is valid, bad ones are refused with where and why, images are checked."""
import io
import json

import pytest
from PIL import Image

from certificates.layouts import InvalidLayout, Layout, check_image, default_definition_text, describe, parse_layout
from certificates.pdf import Renderer


def default() -> dict:
    return json.loads(default_definition_text())


def refusal(definition, **kwargs) -> str:
    with pytest.raises(InvalidLayout) as refused:
        parse_layout(json.dumps(definition) if isinstance(definition, dict) else definition, **kwargs)
    return describe(refused.value, translate=lambda message: getattr(message, "interpolate", message.__str__)())


def png(width=20, height=10) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), "white").save(buffer, "PNG")
    return buffer.getvalue()


def test_default_is_valid_and_fills_omitted_values():
    definition = parse_layout(default_definition_text())
    assert definition["page"] == {"size": "A4", "orientation": "landscape"}
    minimal = parse_layout(json.dumps({"fields": {"name": {"x": 10, "y": 20}}, "qr": {"x": 1, "y": 1, "size": 20}}))
    assert minimal["fields"]["name"]["font"] == "DejaVuSans" and minimal["signatories"]["people"] == []


@pytest.mark.parametrize("change,where", [
    (lambda d: d["fields"]["name"].update(size=500), "fields.name.size"),
    (lambda d: d["fields"]["name"].update(colour="red"), "fields.name.colour"),
    (lambda d: d["fields"]["name"].update(font="Comic Sans"), "fields.name.font"),
    (lambda d: d["fields"].update(photo={"x": 1, "y": 1}), "fields"),
    (lambda d: d["signatories"]["people"].extend([{"name": n} for n in "ABCD"]), "signatories.people"),
    (lambda d: d["page"].update(orientation="sideways"), "page.orientation"),
    (lambda d: d.pop("qr"), "qr"),
])
def test_invalid_layouts_say_where(change, where):
    definition = default()
    change(definition)
    assert where in refusal(definition)


def test_not_json_or_not_an_object():
    assert "JSON" in refusal("{ nope")
    assert "JSON" in refusal("[1, 2]")


def test_broken_json_says_where_without_the_parsers_english():
    # json's own message ("Expecting value: ...") showed in English on Spanish pages.
    message = refusal('{\n  "page": nope}')
    assert "line 2, column 11" in message and "Expecting" not in message
    assert "UTF-8" in refusal(b"{\xff}")


def test_images_must_be_uploaded():
    definition = default()
    definition["logos"] = [{"asset": "logo.png", "x": 240, "y": 15, "width": 40, "height": 20}]
    assert "logo.png" in refusal(definition, asset_names=[])
    assert parse_layout(json.dumps(definition), asset_names=["logo.png"])["logos"][0]["asset"] == "logo.png"


def test_layout_with_logo_background_and_signature_renders():
    definition = default()
    definition["logos"] = [{"asset": "logo.png", "x": 240, "y": 15, "width": 40, "height": 20}]
    definition["background"]["image"] = "fondo.png"
    definition["signatories"]["people"] = [{"name": "Rosa Quispe", "position": "Directora", "signature": "firma.png"}]
    layout = Layout(parse_layout(json.dumps(definition)), {"logo.png": png(), "fondo.png": png(30, 21),
                                                           "firma.png": png(40, 10)})
    from tests.certificates.test_pdf import content

    pdf = Renderer(layout).render(content())
    assert pdf.count(b"/Subtype /Image") == 3


def test_check_image():
    assert check_image(png()) == "image/png"
    buffer = io.BytesIO()
    Image.new("RGB", (5, 5)).save(buffer, "JPEG")
    assert check_image(buffer.getvalue()) == "image/jpeg"
    buffer = io.BytesIO()
    Image.new("RGB", (5, 5)).save(buffer, "GIF")
    for bad in (b"", b"<svg/>", buffer.getvalue(), b"\x89PNG" + b"0" * 3_000_000):
        with pytest.raises(ValueError):
            check_image(bad)


def test_the_default_layout_invents_no_signatory():
    """Signatories are the organisation's to name (in the layout editor): the default invents none."""
    from tests.certificates.test_pdf import content

    definition = parse_layout(default_definition_text())
    assert definition["signatories"]["people"] == []
    drawn = Renderer(Layout(definition)).render(content())
    definition["signatories"]["people"] = [{"name": "Rosa Quispe", "position": "Directora", "signature": None}]
    named = Renderer(Layout(definition)).render(content())
    from pypdf import PdfReader

    text = PdfReader(io.BytesIO(named)).pages[0].extract_text()
    assert "Rosa Quispe" in text and "Directora" in text
    assert "Rosa Quispe" not in PdfReader(io.BytesIO(drawn)).pages[0].extract_text()


def test_a_new_layout_starts_as_the_default_design_and_needs_a_name_of_its_own(dbsession):
    from certificates.layout_admin import create_layout
    from tests import factories
    from trainings.forms import FieldErrors

    programme = factories.ProgrammeFactory()
    layout = create_layout(dbsession, "  Escuela del Ministerio Público ", str(programme.id))
    assert (layout.name, layout.programme_id) == ("Escuela del Ministerio Público", programme.id)
    assert layout.definition == default_definition_text()
    with pytest.raises(FieldErrors) as refused:
        create_layout(dbsession, "Escuela del Ministerio Público")
    assert "name" in refused.value.errors
