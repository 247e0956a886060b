"""Languages: the `capacita` message domain, locale choice, and Babel formatting."""
from __future__ import annotations

import datetime as dt
import functools
import unicodedata
from urllib.parse import urlsplit

from babel import Locale
from babel import dates as babel_dates
from babel import numbers as babel_numbers
from jinja2 import pass_context
from pyramid.httpexceptions import HTTPFound
from pyramid.i18n import TranslationStringFactory

from .timezones import as_zone

_ = TranslationStringFactory("capacita")

AVAILABLE_LOCALES = ("es", "en", "fr")
DEFAULT_LOCALE = "es"
LOCALE_COOKIE = "_LOCALE_"
LANGUAGE_NAMES = {"es": "Español", "en": "English", "fr": "Français"}


def negotiate_locale(request) -> str:
    """The language the person chose with the switcher, else their browser's, else Spanish."""
    chosen = request.cookies.get(LOCALE_COOKIE)
    if chosen in AVAILABLE_LOCALES:
        return chosen
    best = request.accept_language.lookup(AVAILABLE_LOCALES, default=DEFAULT_LOCALE)
    return best if best in AVAILABLE_LOCALES else DEFAULT_LOCALE


def babel_locale(request) -> Locale:
    return _parsed_locale(request.locale_name)


@functools.lru_cache(maxsize=32)
def _parsed_locale(name: str) -> Locale:
    """Parsed once per process: a long table formats a date on every row."""
    return Locale.parse(name)


def format_date(request, value: dt.date | dt.datetime, zone=None, format="medium") -> str:
    if isinstance(value, dt.datetime):
        value = value.astimezone(as_zone(zone)).date() if zone else value.date()
    return _formatted_date(value, format, request.locale_name)


@functools.lru_cache(maxsize=4096)
def _formatted_date(value: dt.date, format: str, locale_name: str) -> str:
    """A list of a hundred trainings shows the same few dates; Babel takes 0.1–0.2 ms each."""
    return babel_dates.format_date(value, format=format, locale=_parsed_locale(locale_name))


def format_datetime(request, value: dt.datetime, zone, format="medium") -> str:
    return babel_dates.format_datetime(value, format=format, tzinfo=as_zone(zone), locale=babel_locale(request))


def format_time(request, value: dt.datetime, zone, format="short") -> str:
    return babel_dates.format_time(value, format=format, tzinfo=as_zone(zone), locale=babel_locale(request))


def format_duration(request, value: dt.timedelta) -> str:
    """"5 minutes", "2 hours": how long, rounded to the largest unit."""
    return babel_dates.format_timedelta(value, threshold=1.5, locale=babel_locale(request))


def format_number(request, value) -> str:
    try:
        return _formatted_number(type(value), value, request.locale_name)
    except TypeError:  # not hashable
        return babel_numbers.format_decimal(value, locale=babel_locale(request))


@functools.lru_cache(maxsize=4096)
def _formatted_number(_kind: type, value, locale_name: str) -> str:
    """Babel takes 0.1 ms for a float (it goes through Decimal); a long table repeats the
    same few hours and counts on every row. `_kind` keeps 1 and 1.0 apart."""
    return babel_numbers.format_decimal(value, locale=_parsed_locale(locale_name))


def format_percent(request, value: float) -> str:
    """A fraction as a percentage to a tenth, in the reader's conventions: 0.4667 is "46,7 %"
    in Spanish and French, "46.7%" in English; 0.8 is "80 %" (no needless ",0")."""
    return _formatted_percent(round(float(value), 3), request.locale_name)


@functools.lru_cache(maxsize=4096)
def _formatted_percent(value: float, locale_name: str) -> str:
    """Cached like `_formatted_number`: a list of attendance rates repeats the same few values."""
    return babel_numbers.format_percent(value, locale=_parsed_locale(locale_name), decimal_quantization=False)


class Percent(float):
    """A fraction to show as a percentage in a message's mapping: `translate_message` formats it
    for the reader, so that services can word a reason without knowing who reads it."""


def translate_message(request, message) -> str:
    """`message` translated, with the Percent values of its mapping formatted for the reader."""
    mapping = getattr(message, "mapping", None)
    if mapping and any(isinstance(value, Percent) for value in mapping.values()):
        formatted = {name: format_percent(request, value) if isinstance(value, Percent) else value
                     for name, value in mapping.items()}
        message = _(str(message), mapping=formatted, default=message.default)
    return request.localizer.translate(message)


def country_name(request, code: str | None) -> str:
    if not code:
        return ""
    return babel_locale(request).territories.get(code.upper(), code)


# Territory codes CLDR names that are not countries: unions, the UN, test pseudo-locales.
NOT_COUNTRIES = frozenset({"EU", "EZ", "UN", "QO", "XA", "XB", "ZZ"})


def collation_key(text: str) -> str:
    """Sorts names as a reader expects whatever the database's collation: accents and case
    aside (Áncash before Ucayali, Émirats before Espagne), and ñ after n (Núñez before Ñahui)."""
    decomposed = unicodedata.normalize("NFD", (text or "").casefold()).replace("n\u0303", "n\uffff")
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def country_choices(request) -> list[tuple[str, str]]:
    """Every country as (code, name) in the request's language, sorted by name."""
    territories = babel_locale(request).territories
    countries = [(code, name) for code, name in territories.items()
                 if len(code) == 2 and code.isalpha() and code not in NOT_COUNTRIES]
    return sorted(countries, key=lambda item: collation_key(item[1]))


def safe_local_path(target: str | None, default: str = "/") -> str:
    """Only paths on this site, so that `?next=` can never send someone elsewhere."""
    if not target or len(target) > 2000:
        return default
    # A line break would split the Location header; browsers read "/\\host" as "//host".
    if any(ord(char) < 32 or char in "\\\x7f" for char in target):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    return target


def set_language_view(request):
    code = request.matchdict["code"]
    target = safe_local_path(request.params.get("next"))
    response = HTTPFound(location=target)
    if code in AVAILABLE_LOCALES:
        response.set_cookie(LOCALE_COOKIE, code, max_age=365 * 24 * 3600, samesite="Lax", httponly=True)
    return response


def _jinja_filter(function):
    @pass_context
    def jinja_filter(context, value, *args, **kwargs):
        return function(context["request"], value, *args, **kwargs)

    jinja_filter.__name__ = function.__name__
    return jinja_filter


JINJA2_FILTERS = {
    "date": _jinja_filter(format_date),
    "datetime": _jinja_filter(format_datetime),
    "time": _jinja_filter(format_time),
    "number": _jinja_filter(format_number),
    "duration": _jinja_filter(format_duration),
    "percent": _jinja_filter(format_percent),
    "message": _jinja_filter(translate_message),
    "country": _jinja_filter(country_name),
}


def includeme(config):
    config.add_translation_dirs("colander:locale/", "deform:locale/", "trainings:locale/")
    config.set_locale_negotiator(negotiate_locale)
    config.add_route("set_language", "/language/{code}")
    config.add_view(set_language_view, route_name="set_language", request_method="GET")
