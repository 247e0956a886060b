"""The private page's panel: the check-in QR code and the badge, for confirmed registrations."""
from pyramid.renderers import render

from participants.attendance.qr import checkin_qr_svg, make_token, read_token, secret_of
from participants.models import RegistrationStatus
from tests import factories

PANEL = "participants/attendance/_my_qr.jinja2"


def test_the_panel_links_the_qr_code_and_the_badge(app_request):
    registration = factories.RegistrationFactory()
    html = render(PANEL, {"registration": registration, "token": "abc"}, request=app_request)
    assert 'src="/me/abc/qr.svg"' in html and 'href="/me/abc/badge.pdf"' in html
    registration.status = RegistrationStatus.cancelled
    assert "qr.svg" not in render(PANEL, {"registration": registration, "token": "abc"}, request=app_request)


def test_the_inline_svg_for_emails_carries_the_signed_token(app_request):
    registration = factories.RegistrationFactory()
    svg = checkin_qr_svg(app_request, registration)
    assert str(svg).startswith("<svg")
    token = make_token(secret_of(app_request), registration)
    assert read_token(secret_of(app_request), token).training_id == registration.training_id
