from .i18n import _
from .security import Permission


def includeme(config):
    config.add_route("home", "/")
    config.add_route("login", "/login")
    config.add_route("logout", "/logout")
    config.add_route("dashboard", "/organiser")
    config.add_navigation_item("dashboard", _("Dashboard"), Permission.manage, order=10)
