"""Events of registrations, raised by the registration services after the change is flushed
(`request.registry.notify(...)`); subscribers (calendar invites) run in the same transaction."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass
class RegistrationConfirmed:
    """A registration became confirmed: on registering, on approval, or promoted from the waitlist."""

    request: object
    registration: object


@dataclass
class RegistrationCancelled:
    request: object
    registration: object
