"""The fonts bundled for every PDF (DejaVu: Latin with all its accents, Greek, Cyrillic),
registered with reportlab once per process, whichever PDF is drawn first.

One registry for all packages: reportlab's font table is global, so two packages registering
the same name their own way left one of them without its bold face."""
from __future__ import annotations

from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONT_DIR = Path(__file__).parent / "fonts"
REGULAR, BOLD = "DejaVuSans", "DejaVuSans-Bold"
_registered: dict[str, TTFont] = {}


def font(name: str) -> TTFont:
    """The bundled font `name` (its file is `fonts/{name}.ttf`), registered on first use, with
    the DejaVuSans family (regular and bold) registered as soon as either is."""
    if name not in _registered:
        ttf = TTFont(name, str(FONT_DIR / f"{name}.ttf"))
        pdfmetrics.registerFont(ttf)
        _registered[name] = ttf
        if name in (REGULAR, BOLD):
            font(BOLD if name == REGULAR else REGULAR)
            pdfmetrics.registerFontFamily(REGULAR, normal=REGULAR, bold=BOLD, italic=REGULAR, boldItalic=BOLD)
    return _registered[name]
