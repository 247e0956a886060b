"""The layout editor's form, in the organiser's words: titles per language, two colours, the
seal, a logo and up to three signatories with their signatures — translated to and from the
layout's JSON definition (which stays the one storage, and which administrators may still edit
as JSON). Positions and sizes keep the design's own; the form never asks for millimetres."""
from __future__ import annotations

import copy
import json

from sqlalchemy.orm import Session

from trainings.forms import FieldErrors
from trainings.models import utcnow

from .layout_admin import add_asset, save_layout
from .layouts import MAX_SIGNATORIES, Layout, parse_layout
from .models import CertificateLayout

LANGUAGES = ("es", "en", "fr")
LOGO = "logo"
# Top left, inside the frame, clear of the seal at the top centre.
LOGO_BOX = {"x": 22, "y": 18, "width": 52, "height": 24}
MAIN_COLOURED_FIELDS = ("heading", "training")


def signature_asset(number: int) -> str:
    return f"signature-{number}"


def signatory_slots() -> range:
    return range(1, MAX_SIGNATORIES + 1)


def design_values(layout: CertificateLayout) -> dict:
    """The form's values for a layout, read from its definition."""
    definition = parse_layout(layout.definition)
    headings = definition["texts"].get("heading", {})
    people = definition["signatories"]["people"]
    values = {
        "name": layout.name, "programme": str(layout.programme_id or ""),
        "heading": {language: headings.get(language, "") for language in LANGUAGES},
        "main_colour": definition["frame"].get("colour", "#1F4E79"),
        "accent_colour": definition["frame"].get("inner_colour", "#B8962E"),
        "seal": bool(definition["emblem"].get("show")),
        "logo": {"remove": False},
    }
    for number in signatory_slots():
        person = people[number - 1] if number <= len(people) else {}
        values[f"signatory_{number}"] = {"name": person.get("name", ""), "position": person.get("position", ""),
                                         "remove_signature": False}
    return values


def designed_definition(definition: dict, values: dict, asset_names: set[str]) -> dict:
    """`definition` changed as the form says; `asset_names` are the images the layout will have
    (uploaded ones included), so that only images that exist are referred to."""
    definition = copy.deepcopy(definition)
    main, accent = values["main_colour"].upper(), values["accent_colour"].upper()
    definition["texts"] = {"heading": {language: (values["heading"].get(language) or "").strip()
                                       for language in LANGUAGES}}
    definition["frame"].update(show=True, colour=main, inner_colour=accent)
    definition["frame"].setdefault("width", 2.4)
    definition["frame"].setdefault("inner_width", 0.7)
    definition["emblem"].update(show=values["seal"], colour=main, accent=accent)
    for divider in definition.get("dividers", []):
        divider["colour"] = accent
    for name in MAIN_COLOURED_FIELDS:
        if name in definition["fields"]:
            definition["fields"][name]["colour"] = main
    others = [logo for logo in definition["logos"] if logo["asset"] != LOGO]
    definition["logos"] = ([{"asset": LOGO, **LOGO_BOX}] if LOGO in asset_names else []) + others
    people = []
    for number in signatory_slots():
        slot = values[f"signatory_{number}"]
        if (slot.get("name") or "").strip():
            people.append({"name": slot["name"].strip(), "position": (slot.get("position") or "").strip(),
                           "signature": signature_asset(number) if signature_asset(number) in asset_names else None})
    definition["signatories"]["people"] = people
    return definition


def _uploads(values: dict) -> dict[str, bytes]:
    """Image name → checked bytes of the images uploaded with the form (see the schema's validator)."""
    uploads = {}
    if values["logo"].get("upload"):
        uploads[LOGO] = values["logo"]["upload"]["data"]
    for number in signatory_slots():
        upload = values[f"signatory_{number}"].get("signature")
        if upload:
            uploads[signature_asset(number)] = upload["data"]
    return uploads


def _removed(values: dict) -> set[str]:
    removed = {LOGO} if values["logo"].get("remove") else set()
    for number in signatory_slots():
        slot = values[f"signatory_{number}"]
        if slot.get("remove_signature") or not (slot.get("name") or "").strip():
            removed.add(signature_asset(number))
    return removed


def _images_after(layout: CertificateLayout, values: dict) -> dict[str, bytes]:
    images = {asset.name: asset.data for asset in layout.assets}
    uploads, removed = _uploads(values), _removed(values)
    images.update(uploads)
    for name in removed - set(uploads):
        images.pop(name, None)
    return images


def preview_layout(layout: CertificateLayout, values: dict) -> Layout:
    """The layout as it would be with the form's values, images included; nothing is written."""
    images = _images_after(layout, values)
    definition = designed_definition(parse_layout(layout.definition), values, set(images))
    return Layout(parse_layout(json.dumps(definition), asset_names=images), images, key=None)


def save_design(dbsession: Session, layout: CertificateLayout, values: dict) -> CertificateLayout:
    """Store the form's values: the definition (validated as any layout is) and the images."""
    uploads, removed = _uploads(values), _removed(values)
    keep = {asset.name for asset in layout.assets} - removed | set(uploads)
    definition = designed_definition(parse_layout(layout.definition), values, keep)
    for asset in [asset for asset in layout.assets if asset.name in removed and asset.name not in uploads]:
        layout.assets.remove(asset)
    for name, data in uploads.items():
        add_asset(dbsession, layout, name, data)
    try:
        save_layout(dbsession, layout, {"name": values["name"], "programme": values.get("programme"),
                                        "definition": json.dumps(definition, ensure_ascii=False, indent=2)})
    except FieldErrors as refusal:  # the form has no "definition" field: say it above the form
        errors = dict(refusal.errors)
        if "definition" in errors:
            errors[None] = errors.pop("definition")
        raise FieldErrors(errors) from refusal
    layout.updated_at = utcnow()  # a new version: renderers cached for the old one are not reused
    dbsession.flush()
    return layout
