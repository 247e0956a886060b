"""Events of registrations, raised by the registration services after the change is flushed
(`request.registry.notify(...)`); subscribers (calendar invites) run in the same transaction."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass
class RegistrationConfirmed:
    """A registration became confirmed: on registering, on approval, or promoted from the waitlist.

    `notify` is False when the organiser chose not to email the person (an import or a direct
    registration with the email unticked): nothing is sent, not even the calendar invitation;
    the sessions are still on the person's private page and in their feeds."""

    request: object
    registration: object
    notify: bool = True


@dataclass
class RegistrationCancelled:
    """`moved_to`: the training the registration was moved to (the person gets one "moved"
    email, and calendar messages that say so rather than "cancelled")."""

    request: object
    registration: object
    moved_to: object = None
