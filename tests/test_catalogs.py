"""Every user-visible string is translated into Spanish and French, with the same placeholders."""
import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
PACKAGE_SOURCES = {
    "trainings": ["trainings", "templates/trainings", "templates/errors", "templates/layout.jinja2"],
    "participants": ["participants", "templates/participants"],
    "certificates": ["certificates", "templates/certificates"],
    "evaluations": ["evaluations", "templates/evaluations"],
    "reports": ["reports", "templates/reports"],
}
METHOD_MAP = [("**.py", "python"), ("**.jinja2", "jinja2")]
OPTIONS = {"**.jinja2": {"extensions": "jinja2.ext.do"}}
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "pluralize": (1, 2), "TranslationString": None}
PLACEHOLDER = re.compile(r"\$\{\w+\}|%\(\w+\)s")


def source_messages(package: str) -> set[str]:
    messages = set()
    for source in PACKAGE_SOURCES[package]:
        path = ROOT / source
        if path.is_file():
            directory, pattern = path.parent, [(path.name, "jinja2")]
        elif path.is_dir():
            directory, pattern = path, METHOD_MAP
        else:
            continue
        for _filename, _lineno, message, _comments, _context in extract_from_dir(
            directory, pattern, options_map=OPTIONS, keywords=KEYWORDS
        ):
            messages.add(message if isinstance(message, str) else message[0])
    return messages


def catalog(package: str, language: str) -> dict:
    path = ROOT / package / "locale" / language / "LC_MESSAGES" / "capacita.po"
    if not path.exists():
        return {}
    with path.open("rb") as handle:
        return {(m.id if isinstance(m.id, str) else m.id[0]): m for m in read_po(handle) if m.id}


@pytest.mark.parametrize("language", ["es", "fr"])
@pytest.mark.parametrize("package", sorted(PACKAGE_SOURCES))
def test_every_message_is_translated(package, language):
    translations = catalog(package, language)
    untranslated = []
    for message_id in sorted(source_messages(package)):
        entry = translations.get(message_id)
        strings = [] if entry is None else ([entry.string] if isinstance(entry.string, str) else list(entry.string))
        if entry is None or entry.fuzzy or not all(strings):
            untranslated.append(message_id)
    assert not untranslated, f"{package}/{language}: run `make extract-messages` and translate: {untranslated}"


@pytest.mark.parametrize("language", ["es", "fr"])
@pytest.mark.parametrize("package", sorted(PACKAGE_SOURCES))
def test_translations_keep_placeholders(package, language):
    for entry in catalog(package, language).values():
        ids = [entry.id] if isinstance(entry.id, str) else list(entry.id)
        strings = [entry.string] if isinstance(entry.string, str) else list(entry.string)
        if not all(strings):
            continue
        expected = {placeholder for message_id in ids for placeholder in PLACEHOLDER.findall(message_id)}
        if len(ids) == 1:
            assert set(PLACEHOLDER.findall(strings[0])) == expected, ids[0]
        else:
            # A singular form may say "one" in words instead of the count ("Issue the certificate").
            found = [set(PLACEHOLDER.findall(string)) for string in strings]
            assert all(placeholders <= expected for placeholders in found), ids[0]
            assert set().union(*found) == expected, ids[0]


def test_a_word_shared_by_packages_has_one_translation():
    """The packages' catalogs are merged into one domain: a message they share must read the same
    in each, or the page shows whichever catalog loaded first ("Cancelado" beside "Anulada")."""
    for language in ("es", "fr"):
        seen: dict[str, tuple[str, str]] = {}
        for package in sorted(PACKAGE_SOURCES):
            path = ROOT / package / "locale" / language / "LC_MESSAGES" / "capacita.po"
            with path.open("rb") as handle:
                for message in read_po(handle, locale=language):
                    if message.id and isinstance(message.id, str) and message.string:
                        first = seen.setdefault(message.id, (package, message.string))
                        assert first[1] == message.string, (language, message.id, first, (package, message.string))


@pytest.mark.parametrize("language", ["es", "en", "fr"])
def test_every_package_counts_plurals_the_same_way(language):
    """Merged catalogs share one plural rule: a package whose catalog says three forms (newer
    Babel's Spanish and French) would make the others' two-form plurals vanish ("25 plazas")."""
    rules = set()
    for package in sorted(PACKAGE_SOURCES):
        with (ROOT / package / "locale" / language / "LC_MESSAGES" / "capacita.po").open("rb") as handle:
            rules.add(read_po(handle, locale=language).plural_forms)
    assert len(rules) == 1, rules


@pytest.mark.parametrize("language", ["es", "fr"])
def test_deform_and_colander_messages_their_catalogs_miss_are_ours(language):
    """deform's and colander's own catalogs leave some messages untranslated (the password
    widget's placeholders, a list's "Remove"): trainings/locale fills them in."""
    from pyramid.i18n import Localizer, make_localizer

    directories = [str(Path(__import__(name).__file__).parent / "locale") for name in ("colander", "deform")]
    localizer: Localizer = make_localizer(language, [*directories, str(ROOT / "trainings" / "locale")])
    for domain in ("deform", "colander"):
        library = Path(__import__(domain).__file__).parent / "locale" / language / "LC_MESSAGES" / f"{domain}.po"
        with library.open("rb") as handle:
            missing = [m.id for m in read_po(handle) if m.id and isinstance(m.id, str) and not m.string]
        for message in missing:
            if message in WIDGET_MESSAGES_NEVER_SHOWN:
                continue
            assert localizer.translate(message, domain=domain) != message or message in SAME_IN_BOTH, \
                (domain, message)


# Messages of widgets and types Capacita never uses (`Yo ${subitem_title}` is a typo in deform's
# own Spanish catalog), and words spelled alike in English and French.
WIDGET_MESSAGES_NEVER_SHOWN = {
    "Yo ${subitem_title}", "Not a data URL", "Invalid Base64 encoded data", "Must be a file:// URI scheme",
    "Invalid UUID string", "\"${val}\" is neither in (${false_choices}) nor in (${true_choices})",
}
SAME_IN_BOTH = {"Date"}
