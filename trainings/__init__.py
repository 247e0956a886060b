"""Capacita's application factory, and the schedule: regions, venues, programmes, trainings,
sessions, speakers and calendars. The participants and certificates packages build on this
one and are included by dotted name, so that this package never imports them."""
from __future__ import annotations

import gc
import hashlib
import warnings
from importlib.metadata import version
from pathlib import Path

# Pyramid 2 imports pkg_resources, which warns on every start; the warning is not ours to fix.
warnings.filterwarnings("ignore", message="pkg_resources is deprecated", category=UserWarning)

from jinja2 import pass_context  # noqa: E402
from pyramid.config import Configurator  # noqa: E402
from pyramid.csrf import get_csrf_token  # noqa: E402
from pyramid.static import QueryStringConstantCacheBuster  # noqa: E402

from .settings import apply_environment  # noqa: E402

# Included in this order; each depends only on the ones before it.
APPLICATION_PACKAGES = ("trainings", "participants", "certificates", "evaluations", "reports")

STATIC_MAX_AGE = 365 * 24 * 3600


def main(global_config, **settings):
    """The paste app factory (`egg:capacita`)."""
    return make_app(apply_environment(settings))


def make_app(settings: dict):
    """The WSGI application as it is served (the benches time this one). The objects made at
    start-up — routes, mappers, compiled templates and statements, a couple of hundred thousand —
    live as long as the process: frozen out of the garbage collector, they are no longer walked by
    every full collection, which a page that builds a few thousand objects triggers often
    (4–5 ms of a 45 ms page with 3,000 registrations), and forked workers share them unchanged."""
    app = make_configurator(settings).make_wsgi_app()
    gc.collect()
    gc.freeze()
    return app


def make_configurator(settings: dict) -> Configurator:
    config = Configurator(settings=settings)
    for package in APPLICATION_PACKAGES:
        config.include(package)
    for package in APPLICATION_PACKAGES:
        config.scan(package, ignore=[f"{package}.migrations", f"{package}.tests"])
    return config


def _static_version(package_dir: Path) -> str:
    """A token that changes whenever a static file changes, so that browsers may cache
    static files for a year and still get new ones after an upgrade."""
    digest = hashlib.sha256()
    for path in sorted(package_dir.rglob("*")):
        if path.is_file():
            digest.update(path.relative_to(package_dir).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def _include_static(config):
    config.add_static_view("static/deform", "deform:static", cache_max_age=STATIC_MAX_AGE)
    config.add_cache_buster("deform:static/", QueryStringConstantCacheBuster(version("deform")))
    config.add_static_view("static/app", "trainings:static", cache_max_age=STATIC_MAX_AGE)
    config.add_cache_buster(
        "trainings:static/", QueryStringConstantCacheBuster(_static_version(Path(__file__).parent / "static"))
    )


@pass_context
def _csrf_token_global(context) -> str:
    return get_csrf_token(context["request"])


def _escapes_markup(template_name: str | None) -> bool:
    """HTML templates escape what they insert; plain-text emails (`*.txt.jinja2`) must not,
    or a participant would read "D&#39;Angelo" in their confirmation."""
    return not (template_name or "").endswith(".txt.jinja2")


def _include_templates(config):
    from . import labels
    from .i18n import JINJA2_FILTERS

    settings = config.get_settings()
    settings.setdefault("jinja2.i18n.domain", "capacita")
    # New-style gettext: `_("%(count)s places", count=n)`, with the values escaped.
    settings.setdefault("jinja2.newstyle", "true")
    settings.setdefault("jinja2.directories", str(Path(__file__).resolve().parent.parent / "templates"))
    config.include("pyramid_jinja2")
    config.add_jinja2_renderer(".jinja2")
    config.commit()
    environment = config.get_jinja2_environment(".jinja2")
    environment.filters.update(JINJA2_FILTERS)
    environment.add_extension("jinja2.ext.do")
    environment.autoescape = _escapes_markup
    environment.globals.update(labels=labels, get_csrf_token=_csrf_token_global)


def includeme(config):
    config.include(".db")
    config.include(".worker")
    config.include(".security")
    config.include(".throttle")
    config.include(".i18n")
    config.include(".forms")
    config.include(".navigation")
    config.include(".compression")
    config.include(".headers")
    _include_templates(config)
    _include_static(config)
    config.include(".routes")
    config.include(".calendar")
