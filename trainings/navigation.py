"""The navigation bar: each package adds its entries, shown to those allowed to open them."""
from dataclasses import dataclass

from .i18n import LANGUAGE_NAMES


@dataclass(frozen=True)
class NavigationEntry:
    route_name: str
    label: object  # a TranslationString
    permission: str
    order: int


@dataclass(frozen=True)
class NavigationItem:
    url: str
    label: str
    active: bool


def navigation(request) -> list[NavigationItem]:
    entries = sorted(request.registry.get("navigation", []), key=lambda entry: entry.order)
    current = request.matched_route.name if request.matched_route else None
    return [
        NavigationItem(request.route_path(entry.route_name), request.localizer.translate(entry.label),
                       entry.route_name == current)
        for entry in entries
        if request.has_permission(entry.permission, request.root)
    ]


def includeme(config):
    config.registry.setdefault("navigation", [])

    def add_navigation_item(config, route_name: str, label, permission: str, order: int = 100):
        config.registry["navigation"].append(NavigationEntry(route_name, label, permission, order))

    config.add_directive("add_navigation_item", add_navigation_item)
    config.add_request_method(navigation, "navigation", reify=True)
    config.add_request_method(lambda request: LANGUAGE_NAMES, "language_names", reify=True)
