from pyramid.renderers import render


def test_plain_text_templates_are_not_html_escaped_and_pages_are(app_request, tmp_path, app):
    values = {"name": "Tomás García D'Angelo <b>"}
    page = render("errors/error.jinja2", {"status": 404, "title": values["name"], "message": ""}, app_request)
    assert "D&#39;Angelo &lt;b&gt;" in page
    from trainings import _escapes_markup

    assert _escapes_markup("participants/mail/confirmation.html.jinja2")
    assert not _escapes_markup("participants/mail/confirmation.txt.jinja2")


def test_scrolling_tables_keep_their_hidden_labels_inside(testapp):
    # Absolutely positioned visually-hidden labels in a table escaped a non-positioned scroll box
    # and made registration and attendance pages twice as wide as a phone.
    css = testapp.get("/static/app/capacita.css").text
    assert ".table-responsive { position: relative; }" in css


def test_every_html_email_is_a_whole_document_in_its_language():
    """Mail clients render a fragment in quirks mode, and screen readers need the language."""
    from pathlib import Path

    templates = Path(__file__).resolve().parents[2] / "templates"
    emails = sorted(templates.glob("*/**/mail/*.html.jinja2"))
    assert len(emails) >= 4
    for path in emails:
        text = path.read_text(encoding="utf-8")
        assert text.startswith("<!doctype html>"), path
        assert '<html lang="{{ request.locale_name }}">' in text and text.rstrip().endswith("</html>"), path


def test_no_page_carries_a_script_the_content_security_policy_would_block():
    """Pages are served with `script-src 'self'`: an inline <script> or an on…= attribute would
    silently do nothing. Behaviour lives in trainings/static/app.js, driven by data- attributes."""
    import re
    from pathlib import Path

    templates = Path(__file__).resolve().parents[2] / "templates"
    inline = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|\son[a-z]+\s*=", re.IGNORECASE)
    offenders = [str(path.relative_to(templates)) for path in sorted(templates.rglob("*.jinja2"))
                 if "/mail/" not in path.as_posix() and inline.search(path.read_text(encoding="utf-8"))]
    assert offenders == []
