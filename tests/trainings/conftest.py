import pytest

from trainings import events as schedule_events

DOMAIN_EVENTS = tuple(value for value in vars(schedule_events).values()
                      if isinstance(value, type) and value.__module__ == schedule_events.__name__)


@pytest.fixture
def events(app_request, monkeypatch):
    """The schedule's events the services raise through the application's registry, in order
    (not the framework's own, such as the BeforeRender of an invite email a subscriber renders)."""
    raised = []
    original = app_request.registry.notify

    def record(*objects):
        raised.extend(event for event in objects if isinstance(event, DOMAIN_EVENTS))
        return original(*objects)

    monkeypatch.setattr(app_request.registry, "notify", record)
    return raised
