"""The one way forms are built and handled: colander schemas rendered by deform.

A view builds a form with `make_form` and hands it to `handle_form` with the action to run
on valid input. Invalid input, or a rule a service refuses (`FieldErrors`), re-renders the
form with messages next to the fields and writes nothing; valid input runs the action,
flashes a message and redirects (post/redirect/get).
"""
from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping

import colander
import deform
from babel.numbers import NumberFormatError, parse_decimal
from chameleon.loader import ModuleLoader
from chameleon.zpt.template import PageTemplateFile
from deform.renderer import configure_zpt_renderer
from markupsafe import Markup, escape
from pyramid.csrf import get_csrf_token
from pyramid.httpexceptions import HTTPFound
from pyramid.response import Response
from pyramid.threadlocal import get_current_request

from .i18n import _


class FieldErrors(Exception):
    """A business rule refused the input. Maps field names to messages; the key None holds
    a message about the form as a whole."""

    def __init__(self, errors: Mapping[str | None, str]):
        super().__init__(dict(errors))
        self.errors = dict(errors)


@colander.deferred
def _current_csrf_token(node, kw):
    return get_csrf_token(kw["request"])


class CSRFSchema(colander.MappingSchema):
    """Every form schema inherits this. Pyramid rejects a missing or wrong token before any
    view runs (`require_csrf`); this field is how each form carries it."""

    csrf_token = colander.SchemaNode(
        colander.String(), widget=deform.widget.HiddenWidget(), default=_current_csrf_token, missing=""
    )


def make_form(request, schema: colander.SchemaNode, *, submit_label=None, formid="form",
              action: str = "", **kwargs) -> deform.Form:
    button = deform.Button(name="submit", title=submit_label or _("Save"), css_class="btn-primary")
    bound = schema.bind(request=request)
    _refuse_control_characters(bound)
    return deform.Form(bound, buttons=(button,), formid=formid, action=action, **kwargs)


# A NUL or a line break cannot be typed into a one-line field: it comes pasted or forged, and
# would break spreadsheets, PDFs and calendars downstream (PostgreSQL refuses NUL outright).
# Text areas keep their tabs and line breaks.
_CONTROL_IN_LINE = re.compile(r"[\x00-\x1f\x7f]")
_CONTROL_IN_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _no_control_characters(pattern: re.Pattern):
    def validate(node, value):
        if isinstance(value, str) and pattern.search(value):
            raise colander.Invalid(node, _("Remove the invisible control characters from this field."))
    return validate


def _refuse_control_characters(node: colander.SchemaNode) -> None:
    """Every text field of the form, however deep, refuses control characters."""
    for child in node.children:
        _refuse_control_characters(child)
    if isinstance(node.typ, colander.String):
        multiline = isinstance(getattr(node, "widget", None), deform.widget.TextAreaWidget)
        check = _no_control_characters(_CONTROL_IN_TEXT if multiline else _CONTROL_IN_LINE)
        node.validator = colander.All(node.validator, check) if node.validator else check


def form_context(form: deform.Form, html: str) -> dict:
    """What a page template needs: the form's markup and the CSS/JS its widgets use."""
    # deform renders through Chameleon, which escapes every value it inserts.
    return {"form": Markup(html), "form_resources": form.get_widget_resources()}  # noqa: S704


def render_form(form: deform.Form, appstruct=colander.null) -> dict:
    return form_context(form, form.render(appstruct))


def invalid_from_field_errors(form: deform.Form, errors: Mapping[str | None, str]) -> colander.Invalid:
    invalid = colander.Invalid(form.schema, errors.get(None))
    for position, child in enumerate(form.schema.children):
        if child.name in errors:
            invalid.add(colander.Invalid(child, errors[child.name]), pos=position)
    return invalid


def render_with_errors(request, form: deform.Form, cstruct, errors: Mapping[str | None, str]) -> dict:
    invalid = invalid_from_field_errors(form, errors)
    form.widget.handle_error(form, invalid)  # what form.validate() does for colander's own errors
    return _failed(request, form, deform.ValidationFailure(form, cstruct, invalid))


def _failed(request, form, failure: deform.ValidationFailure) -> dict:
    # Nothing the action may have flushed survives: the request's transaction is doomed.
    request.tm.doom()
    request.response.status_int = 400
    return form_context(form, error_summary(request, form) + _describe_errors(form, failure.render()))


def _fields_with_errors(form: deform.Form) -> list:
    return [child for child in form.children if child.error is not None and not child.widget.hidden]


def error_summary(request, form: deform.Form) -> str:
    """The errors listed at the top of the form, each a link to its field (a screen reader or a
    phone user sees them all at once instead of scrolling for red)."""
    fields = _fields_with_errors(form)
    if not fields:
        return ""
    translate = request.localizer.translate
    items = "".join(
        f'<li><a href="#{child.oid}">{escape(translate(child.title))}: '
        f'{escape("; ".join(translate(message) for message in child.error.messages()))}</a></li>'
        for child in fields)
    title = request.localizer.pluralize("Correct this field:", "Correct these ${count} fields:", len(fields),
                                        domain="capacita", mapping={"count": len(fields)})
    return (f'<div class="alert alert-danger" role="alert" id="error-summary" tabindex="-1">'
            f'<p class="mb-1"><strong>{escape(title)}</strong></p><ul class="mb-0">{items}</ul></div>')


def _describe_errors(form: deform.Form, html: str) -> str:
    """Each field in error says so to assistive technology: aria-invalid, and aria-describedby
    pointing at its message (deform writes the message as `error-<oid>`)."""
    for child in _fields_with_errors(form):
        html = html.replace(f'id="{child.oid}"',
                            f'id="{child.oid}" aria-invalid="true" aria-describedby="error-{child.oid}"', 1)
    return html


def _partial_values(form: deform.Form, cstruct) -> dict:
    """The fields that are valid on their own, when others are not: the rules of the service can
    still be checked on them, so that every error shows in one round."""
    values = {}
    for child in form.schema.children:
        try:
            values[child.name] = child.deserialize(cstruct.get(child.name, colander.null)
                                                   if isinstance(cstruct, dict) else colander.null)
        except colander.Invalid:
            continue
    return values


def _with_checks(form: deform.Form, failure: deform.ValidationFailure, check) -> None:
    """Add to `failure` what `check` (the service's rules) says of the fields that are valid."""
    errors = check(_partial_values(form, failure.cstruct)) or {}
    failed = {child.name for child in form.children if child.error is not None}
    for position, child in enumerate(form.schema.children):
        if child.name in errors and child.name not in failed:
            failure.error.add(colander.Invalid(child, errors[child.name]), pos=position)
    form.widget.handle_error(form, failure.error)


def handle_form(request, form: deform.Form, on_valid: Callable[[dict], str | Response],
                *, appstruct=colander.null, success_message=None, check=None) -> dict | Response:
    """GET renders the form (filled with `appstruct`); POST validates and runs `on_valid`,
    which returns the address to go to next (or a response of its own). `check`, given the
    fields that are valid, returns the service's errors (field name → message): they show
    together with the form's own errors rather than in a second round."""
    if request.method != "POST":
        return render_form(form, appstruct)
    try:
        valid = form.validate(request.POST.items())
    except deform.ValidationFailure as failure:
        if check is not None:
            _with_checks(form, failure, check)
        return _failed(request, form, failure)
    try:
        result = on_valid(valid)
    except FieldErrors as refusal:
        return render_with_errors(request, form, form.cstruct, refusal.errors)
    if isinstance(result, Response):
        return result
    if success_message:
        request.session.flash(request.localizer.translate(success_message), "success")
    return HTTPFound(location=result)


class WholeNumber(colander.Int):
    """A whole number typed as people write it in the form's language: "1.000" in Spanish,
    "1,000" in English, "1 000" in French (babel reads the grouping and refuses a misplaced one,
    so "1.5" is never taken for 15). With `optional`, an empty box means None."""

    def __init__(self, optional: bool = False):
        super().__init__()
        self.optional = optional

    def deserialize(self, node, cstruct):
        if cstruct in (colander.null, None) or (isinstance(cstruct, str) and not cstruct.strip()):
            return None if self.optional else colander.null
        request = get_current_request()
        text = "".join(str(cstruct).split())  # French groups digits with (no-break) spaces
        try:
            number = parse_decimal(text, locale=request.locale_name if request is not None else "en", strict=True)
        except NumberFormatError:
            return super().deserialize(node, cstruct)  # colander's own "… is not a number", translated
        if number != number.to_integral_value():
            raise colander.Invalid(node, _("A whole number, please."))
        return int(number)


def _translate(term):
    request = get_current_request()
    return request.localizer.translate(term) if request is not None else term


def compile_form_templates(renderer=None) -> int:
    """Compile every deform widget template now, at start-up: compiled lazily, the first
    concurrent renders of a fresh threaded worker raced Chameleon's compiler and answered 500.
    Returns how many templates were compiled."""
    renderer = renderer or deform.Form.default_renderer
    compiled = 0
    for directory in renderer.loader.search_path:
        for folder, _subfolders, files in os.walk(directory):
            for name in sorted(files):
                if name.endswith(".pt"):
                    relative = os.path.relpath(os.path.join(folder, name), directory)
                    renderer.load(relative[:-len(".pt")]).cook_check()
                    compiled += 1
    return compiled


def template_cache_directory(settings) -> str:
    """Where compiled widget templates are kept between starts: `app.template_cache`, else the
    user's cache folder (per user: Python modules are loaded from it)."""
    configured = settings.get("app.template_cache")
    if configured:
        return os.path.abspath(configured)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "capacita", "chameleon")


def use_template_cache(directory: str) -> None:
    """Chameleon keeps compiled templates as modules named by a digest of their source and of
    the installed packages' versions, so a stale one is never used; only the first start after
    an upgrade compiles."""
    os.makedirs(directory, mode=0o700, exist_ok=True)
    current = PageTemplateFile.loader
    if not (isinstance(current, ModuleLoader) and current.path == directory):
        PageTemplateFile.loader = ModuleLoader(directory, False)


def includeme(config):
    configure_zpt_renderer(translator=_translate)
    use_template_cache(template_cache_directory(config.get_settings()))
    compile_form_templates()
