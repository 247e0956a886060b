import pytest


@pytest.fixture
def events(app_request, monkeypatch):
    """The events the services raise through the application's registry, in order."""
    raised = []
    original = app_request.registry.notify

    def record(*objects):
        raised.extend(objects)
        return original(*objects)

    monkeypatch.setattr(app_request.registry, "notify", record)
    return raised
