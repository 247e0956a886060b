"""An organiser designs the certificate: a layout from the default, its title and colour changed
and a logo uploaded, the preview following the form before anything is saved."""
import io

from PIL import Image

from tests.browser.conftest import assert_accessible, log_in, screenshot


def _logo(tmp_path):
    path = tmp_path / "logo-ministerio.png"
    image = Image.new("RGB", (240, 110), "#7A1F2B")
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    path.write_bytes(buffer.getvalue())
    return path


def test_an_organiser_designs_a_certificate_with_a_live_preview(desktop, tmp_path):
    log_in(desktop)
    desktop.goto("/organiser/layouts")
    desktop.locator("#layout input[name=name]").fill("Ministerio Público — Escuela")
    desktop.locator("#layout button[name=submit]").click()
    desktop.wait_for_load_state()
    assert desktop.url.endswith("/design")
    status = desktop.locator("#preview-status")
    assert desktop.locator("#preview-frame").get_attribute("src") is not None or status.inner_text()

    desktop.locator("input[name=es]").fill("Constancia de capacitación")
    desktop.locator("input[name=upload]").first.set_input_files(str(_logo(tmp_path)))
    desktop.locator("input[name=name]").nth(1).fill("María Elena Quispe Huamán")
    with desktop.expect_response(lambda response: response.url.endswith("/design/preview.pdf")) as answer:
        desktop.locator("input[name=position]").first.fill("Coordinadora del programa")
    assert answer.value.status == 200 and answer.value.headers["content-type"] == "application/pdf"
    desktop.wait_for_function("document.getElementById('preview-status').textContent.includes('sin guardar')")
    assert_accessible(desktop)
    screenshot(desktop, "layout-editor")

    desktop.locator("#design button[name=submit]").click()
    desktop.wait_for_load_state()
    assert "Diseño guardado." in desktop.locator(".alert").first.inner_text()
    assert desktop.locator("input[name=es]").input_value() == "Constancia de capacitación"
