"""Administrators may add a TOTP second factor: enrolment confirms one code, login asks for a
code after the password, recovery codes work once."""
import datetime as dt
import time

import pyotp

from tests.conftest import csrf_token_of, log_in


def _enrol(admin_app):
    page = admin_app.get("/account/two-factor")
    secret = page.html.select_one("code").text
    assert "<svg" in page.text
    form = page.forms["form"]
    form["code"] = "000000" if pyotp.TOTP(secret).now() != "000000" else "111111"
    refused = form.submit("submit", status=400)
    assert "no es válido" in refused.text
    form = refused.forms["form"]
    form["code"] = pyotp.TOTP(secret).now()
    done = form.submit("submit", status=200)
    codes = [item.text for item in done.html.select("#recovery-codes li")]
    assert len(codes) == 8
    return secret, codes


def test_enrolment_then_login_asks_for_the_code(testapp, admin, dbsession):
    log_in(testapp, admin).follow()
    secret, codes = _enrol(testapp)
    dbsession.flush()
    assert admin.totp_secret == secret and codes[0] not in admin.recovery_code_hashes
    testapp.post("/logout", {"csrf_token": csrf_token_of(testapp.get("/organiser"))})
    step = log_in(testapp, admin)
    assert step.location.endswith("/login/code")
    assert "/login" in testapp.get("/organiser", status=302).location  # the password alone is not a login
    form = testapp.get("/login/code").forms["form"]
    form["code"] = "123"
    assert form.submit("submit", status=400)
    form["code"] = next_code(secret)  # the enrolment's code was used already
    form.submit("submit").follow()
    testapp.get("/organiser", status=200)


def next_code(secret):
    """The code an authenticator shows 30 seconds from now (accepted: clocks drift)."""
    return pyotp.TOTP(secret).at(time.time() + 30)


def test_a_code_is_accepted_once(testapp, admin, dbsession):
    log_in(testapp, admin).follow()
    secret, _codes = _enrol(testapp)
    code = next_code(secret)
    for expected in (302, 400):
        testapp.post("/logout", {"csrf_token": csrf_token_of(testapp.get("/organiser"))})
        log_in(testapp, admin)
        form = testapp.get("/login/code").forms["form"]
        form["code"] = code
        response = form.submit("submit", status=expected)
    assert "no es válido" in response.text
    assert "/login" in testapp.get("/organiser", status=302).location


def test_codes_of_now_and_30_seconds_around_match_and_older_steps_are_refused(admin):
    from trainings.second_factor import accept_code, matching_step, new_secret

    admin.totp_secret = new_secret()
    totp, now = pyotp.TOTP(admin.totp_secret), dt.datetime(2026, 12, 7, 12, 0, 10, tzinfo=dt.UTC)
    step = totp.timecode(now)
    for drift in (-1, 0, 1):
        assert matching_step(admin.totp_secret, totp.at(now + dt.timedelta(seconds=30 * drift)), now) == step + drift
    assert matching_step(admin.totp_secret, totp.at(now + dt.timedelta(seconds=60)), now) is None
    assert accept_code(admin, totp.at(now), now) and admin.totp_last_step == step
    assert not accept_code(admin, totp.at(now - dt.timedelta(seconds=30)), now)  # older than the last one
    assert accept_code(admin, totp.at(now + dt.timedelta(seconds=30)), now)


def test_a_recovery_code_works_once(testapp, admin, dbsession):
    log_in(testapp, admin).follow()
    _secret, codes = _enrol(testapp)
    for expected in (302, 400):
        testapp.post("/logout", {"csrf_token": csrf_token_of(testapp.get("/organiser"))})
        log_in(testapp, admin)
        form = testapp.get("/login/code").forms["form"]
        form["code"] = codes[0]
        response = form.submit("submit", status=expected)
    assert response.status_int == 400


def test_organisers_have_no_second_factor_page(organiser_app):
    organiser_app.get("/account/two-factor", status=403)
