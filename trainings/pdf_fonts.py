"""The fonts bundled for every PDF (DejaVu: Latin with all its accents, Greek, Cyrillic),
registered with reportlab once per process, whichever PDF is drawn first.

One registry for all packages: reportlab's font table is global, so two packages registering
the same name their own way left one of them without its bold face."""
from __future__ import annotations

import re
from pathlib import Path
from xml.sax.saxutils import escape

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


# -- other scripts: each run of text in a font that has its glyphs ------------------------------
#
# DejaVu covers Latin, Greek, Cyrillic, Hebrew and Arabic. Chinese, Japanese and Korean come from
# reportlab's built-in CID fonts: the PDF names a standard Adobe font (STSong-Light, HeiseiKakuGo-W5,
# HYGothic-Medium) that every PDF reader supplies, so nothing is downloaded or embedded and the text
# still extracts as Unicode. Arabic is shaped (joined letter forms) and laid out right to left
# before drawing, since a PDF draws glyphs in the order given.

CJK_FONTS = {"zh": "STSong-Light", "ja": "HeiseiKakuGo-W5", "ko": "HYGothic-Medium"}
_cid_registered: set[str] = set()


def _is_cjk(char: str) -> bool:
    code = ord(char)
    return (0x2E80 <= code <= 0x9FFF or 0xAC00 <= code <= 0xD7AF or 0xF900 <= code <= 0xFAFF
            or 0xFF00 <= code <= 0xFFEF or 0x1100 <= code <= 0x11FF or 0x20000 <= code <= 0x3FFFF)


def _cjk_font(text: str) -> str:
    """The CID font for the CJK characters of `text`: kana mean Japanese, hangul Korean, else Chinese."""
    if any(0x3040 <= ord(char) <= 0x30FF for char in text):
        language = "ja"
    elif any(0xAC00 <= ord(char) <= 0xD7AF or 0x1100 <= ord(char) <= 0x11FF for char in text):
        language = "ko"
    else:
        language = "zh"
    name = CJK_FONTS[language]
    if name not in _cid_registered:
        from reportlab.pdfbase.cidfonts import UnicodeCIDFont

        pdfmetrics.registerFont(UnicodeCIDFont(name))
        _cid_registered.add(name)
    return name


def _has_rtl(text: str) -> bool:
    return any(0x0590 <= ord(char) <= 0x08FF or 0xFB1D <= ord(char) <= 0xFEFC for char in text)


def visual(text: str) -> str:
    """Text with right-to-left words shaped and in the order they are drawn (left to right)."""
    if not _has_rtl(text):
        return text
    from arabic_reshaper import reshape
    from bidi import get_display

    return get_display(reshape(text))


def has_glyph(font_name: str, char: str) -> bool:
    return char.isspace() or ord(char) in font(font_name).face.charToGlyph


def _fallback_for(font_name: str) -> str:
    """A DejaVu face with the widest coverage, keeping the weight (DejaVu Serif has no Arabic)."""
    return BOLD if "Bold" in font_name else REGULAR


REPLACEMENT = "\ufffd"  # drawn for a character no font has: visible, never silently dropped


def runs(text: str, font_name: str) -> list[tuple[str, str]]:
    """`text` (already in visual order) cut into (piece, font) runs, each font having the piece's
    glyphs: the layout's font first, then DejaVu Sans, then a CJK font, else a visible U+FFFD."""
    result: list[tuple[str, str]] = []
    cjk = None
    for char in text:
        if result and char.isspace():  # a space stays with the run it ends (every font has one)
            chosen = result[-1][1]
        elif has_glyph(font_name, char):
            chosen = font_name
        elif has_glyph(_fallback_for(font_name), char):
            chosen = _fallback_for(font_name)
        elif _is_cjk(char):
            cjk = cjk or _cjk_font(text)
            chosen = cjk
        else:
            chosen, char = font_name, REPLACEMENT if has_glyph(font_name, REPLACEMENT) else "?"
        if result and result[-1][1] == chosen:
            result[-1] = (result[-1][0] + char, chosen)
        else:
            result.append((char, chosen))
    return result


def text_width(text: str, font_name: str, size: float) -> float:
    return sum(pdfmetrics.stringWidth(piece, name, size) for piece, name in runs(visual(text), font_name))


def words(text: str) -> list[str]:
    """The pieces a Paragraph may not break (reportlab wraps at spaces, not at no-break spaces):
    the words between spaces, each CJK character on its own since those lines wrap anywhere."""
    pieces: list[str] = []
    for word in re.split(r"[ \t\r\n]+", text):
        current = ""
        for char in word:
            if _is_cjk(char):
                pieces += [current, char] if current else [char]
                current = ""
            else:
                current += char
        if current:
            pieces.append(current)
    return pieces


def widest_word(text: str, font_name: str, size: float) -> float:
    """The width a column needs so that no word of `text` is broken in the middle."""
    return max((text_width(word, font_name, size) for word in words(str(text))), default=0.0)


def draw_text(canvas, x: float, y: float, text: str, font_name: str, size: float, align: str = "left") -> None:
    """Draw one line, each run in a font that has its glyphs, aligned on `x` as asked."""
    pieces = runs(visual(text), font_name)
    width = sum(pdfmetrics.stringWidth(piece, name, size) for piece, name in pieces)
    # One text object for the line, so that readers and text extraction see one line of text.
    line = canvas.beginText(x - {"left": 0, "center": width / 2, "right": width}[align], y)
    for piece, name in pieces:
        line.setFont(name, size)
        line.textOut(piece)
    canvas.drawText(line)


def unprintable(text: str, font_name: str = REGULAR) -> list[str]:
    """The characters of `text` that no available font can draw, in order of appearance."""
    missing: list[str] = []
    for char in text:
        if not (has_glyph(font_name, char) or has_glyph(_fallback_for(font_name), char) or _is_cjk(char)
                or char in missing):
            missing.append(char)
    return missing


def markup(text, font_name: str = REGULAR) -> str:
    """`text` as markup for a reportlab Paragraph (platypus): escaped, so "<b>" prints as typed;
    right-to-left words shaped and ordered; every run that `font_name` cannot draw wrapped in a
    `<font face>` that can (the same runs as `draw_text`)."""
    pieces = runs(visual(str(text if text is not None else "")), font_name)
    return "".join(escape(piece) if name == font_name else f'<font face="{name}">{escape(piece)}</font>'
                   for piece, name in pieces)


def paragraph(text, style):
    """A Paragraph of user text in `style`, printable in any script (see `markup`)."""
    from reportlab.platypus import Paragraph

    return Paragraph(markup(text, style.fontName), style)
