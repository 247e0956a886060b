"""Odd numbers and values in addresses get a 404 or are ignored — never a server error."""
import pytest

from tests import factories

HUGE = "99999999999999999999"


@pytest.mark.parametrize("path", [
    f"/trainings/{HUGE}", f"/register/{HUGE}", f"/register/{HUGE}/done", f"/api/trainings/{HUGE}",
    f"/calendar/sessions/{HUGE}.ics", f"/calendar/trainings/{HUGE}.ics", f"/calendar/regions/{HUGE}.ics",
    f"/calendar/programmes/{HUGE}.ics", "/trainings/2147483648",
])
def test_public_addresses_with_huge_ids_are_not_found(testapp, path):
    testapp.get(path, status=404)


@pytest.mark.parametrize("path", [
    f"/organiser/trainings/{HUGE}", f"/organiser/people/{HUGE}", f"/organiser/sessions/{HUGE}/sheet.pdf",
    f"/organiser/trainings/{HUGE}/certificates", f"/organiser/certificates/{HUGE}.pdf",
    f"/organiser/trainings/{HUGE}/attendance",
])
def test_organiser_addresses_with_huge_ids_are_not_found(organiser_app, path):
    organiser_app.get(path, status=404)


@pytest.mark.parametrize("query", ["page=%C2%B2", "region=%C2%B2", f"region={HUGE}", "month=0000-05", "month=9999-12",
                                   "page=0", "page=-3", "when=foo"])
def test_odd_filters_are_ignored_and_said_so(testapp, query):
    factories.TrainingFactory()
    answer = testapp.get(f"/api/trainings?{query}").json
    assert answer["ignored_filters"] == [query.split("=")[0]]
    testapp.get(f"/trainings?{query}", status=200)


@pytest.mark.parametrize("target", ["/%0d%0aX:1", "/\\evil.example", "//evil.example", "https://evil.example/"])
def test_the_language_switch_never_leaves_the_site_or_splits_headers(testapp, target):
    response = testapp.get(f"/language/en?next={target}", status=302)
    assert response.location == "http://capacita.test/"


def test_an_address_that_is_not_utf8_is_a_clear_400(testapp):
    answer = testapp.get("/trainings?page=%B2", status=400)
    assert "Esta dirección no es válida" in answer.text


@pytest.mark.parametrize("path", ["/api/trainings/abc", "/api/trainings/-1", "/api/nothing"])
def test_the_api_answers_unknown_addresses_in_json(testapp, path):
    assert testapp.get(path, status=404).json == {"error": "not found"}


def test_the_country_list_holds_only_countries(app_request):
    from trainings.i18n import country_choices

    codes = {code for code, _name in country_choices(app_request)}
    assert {"PE", "PY", "CR", "FR"} <= codes and not codes & {"EU", "EZ", "UN", "ZZ", "XA", "XB", "QO"}
