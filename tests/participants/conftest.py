from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[2] / "participants" / "demo_data"


@pytest.fixture
def sample_es() -> bytes:
    return (DATA / "participants-es-cp1252.csv").read_bytes()


@pytest.fixture
def sample_en() -> bytes:
    return (DATA / "participants-en.csv").read_bytes()
