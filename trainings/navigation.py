"""The navigation bar: each package adds its entries, shown to those allowed to open them."""
from dataclasses import dataclass

from .i18n import LANGUAGE_NAMES


@dataclass(frozen=True)
class NavigationEntry:
    route_name: str
    label: object  # a TranslationString
    permission: str
    order: int
    in_setup_menu: bool


@dataclass(frozen=True)
class NavigationItem:
    url: str
    label: str
    active: bool
    in_setup_menu: bool = False


def navigation(request) -> list[NavigationItem]:
    entries = sorted(request.registry.get("navigation", []), key=lambda entry: entry.order)
    current = request.matched_route.name if request.matched_route else None
    return [
        NavigationItem(request.route_path(entry.route_name), request.localizer.translate(entry.label),
                       entry.route_name == current, entry.in_setup_menu)
        for entry in entries
        if request.has_permission(entry.permission, request.root)
    ]


@dataclass(frozen=True)
class TrainingTab:
    """A page about one training that an organiser reaches from the training's own page."""

    route_name: str  # a route with an {id} placeholder for the training's id
    label: object
    permission: str
    order: int


def training_tabs(request, training) -> list[NavigationItem]:
    tabs = sorted(request.registry.get("training_tabs", []), key=lambda tab: tab.order)
    current = request.matched_route.name if request.matched_route else None
    return [
        NavigationItem(request.route_path(tab.route_name, id=training.id), request.localizer.translate(tab.label),
                       tab.route_name == current)
        for tab in tabs
        if request.has_permission(tab.permission, request.root)
    ]


def training_panels(request) -> list[str]:
    """Templates that later packages add to a training's organiser page (included with
    `training` in their context), in their order: the reminder's status, for instance."""
    return [template for _order, template in sorted(request.registry.get("training_panels", []))]


def has_route(request, name: str) -> bool:
    from pyramid.interfaces import IRoutesMapper

    return request.registry.getUtility(IRoutesMapper).get_route(name) is not None


def includeme(config):
    config.registry.setdefault("navigation", [])
    config.registry.setdefault("training_tabs", [])

    def add_training_tab(config, route_name: str, label, permission: str, order: int = 100):
        config.registry["training_tabs"].append(TrainingTab(route_name, label, permission, order))

    config.add_directive("add_training_tab", add_training_tab)
    config.registry.setdefault("training_panels", [])

    def add_training_panel(config, template: str, order: int = 100):
        config.registry["training_panels"].append((order, template))

    config.add_directive("add_training_panel", add_training_panel)
    config.add_request_method(training_panels, "training_panels")
    config.add_request_method(training_tabs, "training_tabs")
    config.add_request_method(has_route, "has_route")

    def add_navigation_item(config, route_name: str, label, permission: str, order: int = 100,
                            setup: bool = False):
        """`setup` entries (things set once: regions, programmes, layouts) go under one menu, so that
        the daily ones stay side by side on a laptop screen."""
        config.registry["navigation"].append(NavigationEntry(route_name, label, permission, order, setup))

    config.add_directive("add_navigation_item", add_navigation_item)
    config.add_request_method(navigation, "navigation", reify=True)
    config.add_request_method(lambda request: LANGUAGE_NAMES, "language_names", reify=True)
