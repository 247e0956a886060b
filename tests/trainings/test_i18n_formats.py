"""Numbers and sorting as each reader expects them, whatever the database's collation."""
import pytest

from trainings.i18n import Percent, _, collation_key, format_percent, translate_message


class Reader:
    """Just what the formatting helpers read from a request: its locale and its localizer."""

    def __init__(self, app_request, locale_name):
        from trainings.mail import localizer_for

        self.locale_name = locale_name
        self.localizer = localizer_for(app_request, locale_name)


@pytest.mark.parametrize(("locale_name", "expected"), [
    ("es", "46,7\u00a0%"), ("fr", "46,7\u00a0%"), ("en", "46.7%"),
])
def test_percentages_keep_a_tenth_in_the_readers_conventions(app_request, locale_name, expected):
    reader = Reader(app_request, locale_name)
    assert format_percent(reader, 7 / 15) == expected
    assert format_percent(reader, 0.8) == ("80%" if locale_name == "en" else "80\u00a0%")


def test_percent_values_in_a_message_are_formatted_for_its_reader(app_request):
    message = _("Attended ${rate}, threshold ${threshold}.",
                mapping={"rate": Percent(7 / 15), "threshold": Percent(0.8)})
    assert translate_message(Reader(app_request, "es"), message) == "Asistió 46,7\u00a0%, umbral 80\u00a0%."
    assert translate_message(Reader(app_request, "en"), message) == "Attended 46.7%, threshold 80%."


def test_names_sort_with_accents_and_case_aside_and_enye_after_n():
    regions = ["Ucayali", "Áncash", "Lima", "apurímac", "Ñuñoa", "Nazca", "Ica"]
    assert sorted(regions, key=collation_key) == ["Áncash", "apurímac", "Ica", "Lima", "Nazca", "Ñuñoa", "Ucayali"]
    assert sorted(["Núñez", "Nuñez", "Nunez"], key=collation_key)[0] == "Nunez"


def test_region_and_country_lists_are_sorted_by_collation(app_request, dbsession):
    from tests import factories
    from trainings.i18n import country_choices
    from trainings.services.places import regions

    for name in ("Ucayali", "Áncash", "Lima"):
        factories.RegionFactory(name=name, country="PE")
    assert [region.name for region in regions(dbsession) if region.country == "PE"][:3] == ["Áncash", "Lima", "Ucayali"]
    names = [name for _code, name in country_choices(Reader(app_request, "fr"))]
    assert names.index("Émirats arabes unis") < names.index("Espagne") < names.index("États-Unis")
