"""Browser journeys: Debian's Chromium, driven by Playwright, against the application served on
a free loopback port with its own database. Skipped (and said so) when Chromium is missing."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
import transaction
from webtest.http import StopableWSGIServer

from participants.demo import load_institutions
from trainings import make_configurator
from trainings.accounts import create_user
from trainings.db import make_engine, make_session_factory, migrate, session_in_transaction
from trainings.demo import load_regions
from trainings.models import UserRole

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
AXE = Path(os.environ.get("AXE_PATH", ROOT / ".venv/npm/node_modules/axe-core/axe.min.js"))
SCREENSHOTS = ROOT / "docs" / "screenshots"
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}
ORGANISER_EMAIL, ORGANISER_PASSWORD = "organiser@capacita.test", "a browser journey password"
PAGE_WEIGHT_LIMIT = 300 * 1024


def _why_skipped() -> str | None:
    if not os.path.exists(CHROMIUM):
        return "Chromium is not installed (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright is not installed (pip install -e '.[testing]')"
    return None


def pytest_collection_modifyitems(config, items):
    reason = _why_skipped()
    if reason:
        for item in items:
            if "tests/browser" in str(item.fspath):
                item.add_marker(pytest.mark.skip(reason=f"browser tests skipped: {reason}"))


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    var = tmp_path_factory.mktemp("browser-var")
    settings = {
        "sqlalchemy.url": f"sqlite:///{var}/browser.sqlite",
        "session.secret": "browser-journeys",
        "jinja2.directories": str(ROOT / "templates"),
        "pyramid.default_locale_name": "es",
        "app.var_dir": str(var),
        "mail.file_path": str(var / "mail"),
        "throttle.storage": "memory://",
    }
    engine = make_engine(settings)
    migrate(engine)
    manager = transaction.TransactionManager(explicit=True)
    with manager:
        dbsession = session_in_transaction(make_session_factory(engine), manager)
        create_user(dbsession, ORGANISER_EMAIL, ORGANISER_PASSWORD, UserRole.admin, "Lucía Organizadora")
        # Reference data an organiser finds in place; the trainings themselves are made in the browser.
        load_regions(dbsession)
        load_institutions(dbsession)
    app = make_configurator(dict(settings, **{"capacita.engine": engine})).make_wsgi_app()
    server = StopableWSGIServer.create(app, host="127.0.0.1")
    settings["app.public_url"] = server.application_url.rstrip("/")
    server.settings, server.var, server.engine = settings, var, engine
    yield server
    server.shutdown()
    engine.dispose()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


def _context(browser, live_server, locale: str, device: dict):
    context = browser.new_context(base_url=live_server.application_url.rstrip("/"), locale=locale, **device)
    context.set_default_timeout(15_000)
    return context


@pytest.fixture
def desktop(browser, live_server):
    context = _context(browser, live_server, "es-PE", DESKTOP)
    yield context.new_page()
    context.close()


@pytest.fixture
def phone(browser, live_server):
    context = _context(browser, live_server, "es-PE", PHONE)
    yield context.new_page()
    context.close()


@pytest.fixture
def english_phone(browser, live_server):
    context = _context(browser, live_server, "en-GB", PHONE)
    yield context.new_page()
    context.close()


@pytest.fixture
def english_desktop(browser, live_server):
    context = _context(browser, live_server, "en-GB", DESKTOP)
    yield context.new_page()
    context.close()


def assert_accessible(page) -> None:
    """Fail on serious or critical axe-core violations of the page as it is now."""
    assert AXE.exists(), f"axe-core is missing at {AXE}: run `make test` (it installs it with npm)"
    # Evaluated by the test driver: the pages' Content-Security-Policy (script-src 'self') rightly
    # refuses a script tag injected into them.
    page.evaluate(AXE.read_text(encoding="utf-8") + "\n;undefined")
    violations = page.evaluate(
        """async () => (await axe.run(document, {resultTypes: ['violations']})).violations
            .filter(v => ['serious', 'critical'].includes(v.impact))
            .map(v => `${v.id} (${v.impact}, ${v.nodes.length} elements): `
                     + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', '))"""
    )
    assert violations == [], f"accessibility violations on {page.url}: {violations}"


def screenshot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=False)


class TransferMeter:
    """Bytes on the wire (compressed bodies and headers) for everything a page loads."""

    def __init__(self, page):
        self.responses = []
        page.on("requestfinished", lambda request: self.responses.append(request))

    @property
    def total(self) -> int:
        total = 0
        for request in self.responses:
            sizes = request.sizes()
            total += sizes["responseBodySize"] + sizes["responseHeadersSize"]
        return total


def log_in(page, email=ORGANISER_EMAIL, password=ORGANISER_PASSWORD) -> None:
    page.goto("/login")
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=password]").fill(password)
    page.locator("#form button[type=submit]").click()
    page.wait_for_load_state()
