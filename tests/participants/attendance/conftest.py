import datetime as dt

import pytest

from tests import factories


@pytest.fixture
def training(dbsession):
    return factories.TrainingFactory(capacity=10, late_after_minutes=15)


@pytest.fixture
def session(training):
    return factories.SessionFactory(training=training, start=dt.time(9), end=dt.time(11))


@pytest.fixture
def people(training):
    """Three confirmed participants, created in an order that is not alphabetical."""
    names = [("Ñahui", "Rosa"), ("D'Angelo", "Marco"), ("Núñez", "Inés")]
    return [factories.RegistrationFactory(training=training, person=factories.PersonFactory(
        family_names=family, given_names=given)) for family, given in names]
