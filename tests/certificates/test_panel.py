"""The panel of the participant's private page lists their valid certificates."""
from pyramid.renderers import render

from certificates import services
from participants.tokens import new_token


def test_panel_lists_valid_certificates_with_download_and_verification(app_request, dbsession, past):
    registration = past.people["speaking_participant"]
    token, registration.token_hash = new_token()
    issued = [c for c in services.issue_eligible(app_request, past.training, notify=False)
              if c.registration is registration]
    services.revoke(app_request, issued[0], "Duplicado")
    html = render("certificates/_my_certificates.jinja2", {"registration": registration, "token": token},
                  request=app_request)
    assert f"/me/{token}/certificates/{issued[1].id}.pdf" in html
    assert f"/me/{token}/certificates/{issued[0].id}.pdf" not in html
    assert f"/verify/{issued[1].verification_code}" in html


def test_panel_is_empty_without_certificates(app_request, past):
    html = render("certificates/_my_certificates.jinja2", {"registration": past.people["below"], "token": "x"},
                  request=app_request)
    assert html.strip() == ""
