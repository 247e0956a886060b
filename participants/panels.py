"""Panels of a participant's private page (`/me/{token}`): each package adds what it offers
there — the QR code for check-in, the calendar invite, the certificates. A panel is a Jinja2
template included with `registration` and `token` in its context."""
from dataclasses import dataclass


@dataclass(frozen=True)
class RegistrationPanel:
    template: str
    order: int


def registration_panels(request) -> list[str]:
    return [panel.template for panel in sorted(request.registry.get("registration_panels", []),
                                               key=lambda panel: panel.order)]


def includeme(config):
    config.registry.setdefault("registration_panels", [])

    def add_registration_panel(config, template: str, order: int = 100):
        config.registry["registration_panels"].append(RegistrationPanel(template, order))

    config.add_directive("add_registration_panel", add_registration_panel)
    config.add_request_method(registration_panels, "registration_panels", reify=True)
