"""Views of the trainings package, and two helpers every organiser form page shares."""
from __future__ import annotations

import colander

from ..forms import FieldErrors, handle_form


def form_page(request, form, on_valid, *, page: dict, appstruct=colander.null, success_message=None, check=None):
    """`handle_form`, plus what the page shows around the form when it is (re-)rendered."""
    result = handle_form(request, form, on_valid, appstruct=appstruct, success_message=success_message,
                         check=check)
    if isinstance(result, dict):
        result.update(page)
    return result


def flash_refusal(request, refusal: FieldErrors) -> None:
    """For buttons without a form of their own: the refusal as messages, and nothing written."""
    request.tm.doom()
    for message in refusal.errors.values():
        request.session.flash(request.localizer.translate(message), "error")
