"""Fixtures of the reports tests: hand-built trainings whose figures are counted by hand."""
from __future__ import annotations

import pytest

from tests.certificates.conftest import make_past_training


@pytest.fixture
def past(dbsession):
    """The certificates tests' past training (see its docstring for who completes)."""
    return make_past_training(dbsession)
