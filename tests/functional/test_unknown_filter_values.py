"""Filter and paging values nobody offered (typed, truncated, stale or hostile) are ignored:
never an error page, on the public listing, the API and the organisers' lists."""
import pytest

from tests import factories
from trainings.models import TrainingStatus

ODD_VALUES = ["xx", "zz-ZZ", "ES", "'; drop table training; --", "%00", "ñ", "9" * 30, "-1", "0", "1.5", "", " "]
PUBLIC_FILTERS = ["language", "kind", "country", "region", "programme", "month", "when", "page"]


@pytest.mark.parametrize("name", PUBLIC_FILTERS)
def test_the_public_listing_and_api_ignore_unknown_values(testapp, dbsession, name):
    factories.TrainingFactory(status=TrainingStatus.published, title="Taller de Cusco")
    dbsession.flush()
    for value in ODD_VALUES:
        page = testapp.get("/trainings", {name: value}, status=200)
        assert "Taller de Cusco" in page.text or name in ("month", "when", "page", "country")
        answer = testapp.get("/api/trainings", {name: value}, status=200)
        assert "trainings" in answer.json


def test_an_unknown_language_is_ignored_not_an_error(testapp, dbsession):
    factories.TrainingFactory(status=TrainingStatus.published, title="Curso en castellano")
    dbsession.flush()
    assert "Curso en castellano" in testapp.get("/trainings?language=xx").text
    assert testapp.get("/api/trainings?language=xx").json["total"] >= 1


def test_organiser_lists_ignore_unknown_values(organiser_app, dbsession):
    training = factories.TrainingFactory(status=TrainingStatus.published)
    dbsession.flush()
    base = f"/organiser/trainings/{training.id}"
    for value in ODD_VALUES:
        for path, name in [(f"{base}/registrations", "status"), (f"{base}/registrations", "role"),
                           (f"{base}/registrations", "source"), (f"{base}/registrations", "page"),
                           (f"{base}/attendance", "page"), (f"{base}/certificates", "page"),
                           ("/organiser/people", "page"), ("/organiser/people/duplicates", "page"),
                           ("/organiser/trainings", "page"), ("/organiser", "month")]:
            organiser_app.get(path, {name: value}, status=200)
