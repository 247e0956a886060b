"""Events of the schedule, for the packages built on it (calendar invites, notifications).

Services raise them with `request.registry.notify(Event(request, ...))` after the change is
flushed; subscribers run in the same transaction, so what they queue (emails) is committed or
rolled back with the change itself.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class SessionsChanged:
    """Sessions added, or shown differently in calendars: their time, room or title changed, or
    their training's title, venue or region (the venue's name, address or position, the
    region's city or zone). The SEQUENCE of changed sessions was raised already."""

    request: object
    training: object
    sessions: list = field(default_factory=list)


@dataclass
class SessionCancelled:
    request: object
    session: object


@dataclass
class TrainingCancelled:
    request: object
    training: object


@dataclass
class TrainingPublished:
    request: object
    training: object


@dataclass
class PlacesAdded:
    """The training's capacity went up: the waiting list may move."""

    request: object
    training: object


@dataclass
class TrainingDuplicated:
    """`copy` was made from `source` (a new draft): packages copy what they attach to a training."""

    request: object
    source: object
    copy: object
