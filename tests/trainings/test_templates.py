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
