"""Saving layouts and their images: validated first, nothing written when anything is wrong."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from trainings.forms import FieldErrors
from trainings.i18n import _
from trainings.models import utcnow

from .layouts import MAX_ASSET_BYTES, InvalidLayout, check_image, default_definition_text, describe, parse_layout
from .models import CertificateLayout, LayoutAsset

MAX_READ = MAX_ASSET_BYTES + 1  # one byte more than allowed, to tell "too large" apart


def create_layout(dbsession: Session, name: str, programme: str = "") -> CertificateLayout:
    """A new layout starts as the default design: its name is all one needs to give, the designer
    (`layout_design`) does the rest — nobody has to write a layout as JSON to begin."""
    return save_layout(dbsession, None, {"name": name, "programme": programme,
                                         "definition": default_definition_text()})


def save_layout(dbsession: Session, layout: CertificateLayout | None, values: dict) -> CertificateLayout:
    name = values["name"].strip()
    clash = dbsession.scalar(select(CertificateLayout.id).where(CertificateLayout.name == name))
    if clash is not None and (layout is None or clash != layout.id):
        raise FieldErrors({"name": _("Another layout has this name.")})
    asset_names = [asset.name for asset in layout.assets] if layout is not None else []
    try:
        parse_layout(values["definition"], asset_names=asset_names)
    except InvalidLayout as invalid:
        raise FieldErrors({"definition": describe(invalid)}) from invalid
    if layout is None:
        layout = CertificateLayout(name=name, definition=values["definition"])
        dbsession.add(layout)
    layout.name = name
    layout.definition = values["definition"]
    layout.programme_id = int(values["programme"]) if values.get("programme") else None
    dbsession.flush()
    return layout


def add_asset(dbsession: Session, layout: CertificateLayout, name: str, data: bytes) -> LayoutAsset:
    """Add or replace an image; ValueError (translated message) when it is not a usable image."""
    content_type = check_image(data)
    asset = next((asset for asset in layout.assets if asset.name == name), None)
    if asset is None:
        asset = LayoutAsset(name=name)
        layout.assets.append(asset)
    asset.content_type = content_type
    asset.data = data
    layout.updated_at = utcnow()  # a new version: renderers cached for the old one are not reused
    dbsession.flush()
    return asset
