"""Drawing certificates with reportlab: one landscape page per certificate.

Everything that does not change from one certificate to the next is prepared once: fonts are
registered once per process, a `Renderer` converts its layout to points and opens its images
once, and QR matrices are cached. A certificate's `CertificateContent` holds only finished,
translated strings, so drawing needs neither the database nor a request (and bulk exports can
draw in another thread or process). The same content gives the same bytes: the canvas is
`invariant` and its dates are the certificate's issue date.
"""
from __future__ import annotations

import datetime as dt
import io
import time
from dataclasses import dataclass, field

from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import landscape, portrait
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader, simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas

from trainings.pdf_fonts import font

from .layouts import FONTS, PAGE_MM, Layout
from .qr import draw_qr

REPLACEMENT = "\ufffd"  # drawn (and recorded) for a character the font cannot show


def missing_characters(text: str, font_name: str = "DejaVuSans") -> list[str]:
    """The characters of `text` that the font has no glyph for, in order of appearance."""
    cmap = font(font_name).face.charToGlyph
    missing = []
    for char in text:
        if ord(char) not in cmap and not char.isspace() and char not in missing:
            missing.append(char)
    return missing


def printable(text: str, font_name: str) -> str:
    """`text` with each character the font lacks replaced by a visible substitute (never
    dropped silently: the organiser's page lists them, and the PDF's metadata keeps the name)."""
    cmap = font(font_name).face.charToGlyph
    if all(ord(char) in cmap or char.isspace() for char in text):
        return text
    substitute = REPLACEMENT if ord(REPLACEMENT) in cmap else "?"
    return "".join(char if ord(char) in cmap or char.isspace() else substitute for char in text)


@dataclass(frozen=True)
class CertificateContent:
    """What one certificate says, in its language, ready to draw."""

    full_name: str
    texts: dict  # field name (see layouts.FIELDS) -> finished text ("" leaves the field out)
    verify_url: str
    issued_at: dt.datetime
    title: str
    author: str
    subject: str
    stamp: str = ""  # REVOKED / SAMPLE across the page, or nothing
    language: str = "es"
    filename: str = "certificate.pdf"
    keywords: tuple = field(default_factory=tuple)


ELLIPSIS = "…"


def wrap_lines(text: str, font_name: str, size: float, max_width: float, max_lines: int) -> list[str]:
    """`text` wrapped to `max_width`; if it needs more than `max_lines`, the last line ends at a
    word with an ellipsis, so that a cut is visible rather than silent."""
    lines = simpleSplit(text, font_name, size, max_width)
    if len(lines) <= max_lines:
        return lines
    kept, last = lines[:max_lines - 1], lines[max_lines - 1].split(" ")
    while len(last) > 1 and pdfmetrics.stringWidth(" ".join(last) + ELLIPSIS, font_name, size) > max_width:
        last.pop()
    return [*kept, " ".join(last).rstrip(",;:·–-") + ELLIPSIS]


def fit_name(text: str, font_name: str, size: float, max_width: float, lines: int = 2) -> tuple[float, list[str]]:
    """A name on one line, made smaller as needed down to 70 % of its size; longer still, on
    up to `lines` lines at that size (never below 8 pt), and only then cut."""
    width = pdfmetrics.stringWidth(text, font_name, size)
    if width <= max_width:
        return size, [text]
    smallest = max(size * 0.7, 8)
    if size * max_width / width >= smallest:
        return size * max_width / width, [text]
    return smallest, wrap_lines(text, font_name, smallest, max_width, lines)


class Renderer:
    """Draws certificates with one layout; build once, use for many."""

    def __init__(self, layout: Layout):
        self.layout = layout
        definition = layout.definition
        width_mm, height_mm = PAGE_MM[definition["page"]["size"]]
        orient = landscape if definition["page"]["orientation"] == "landscape" else portrait
        self.page_size = orient((width_mm * mm, height_mm * mm))
        self.width, self.height = self.page_size
        self.definition = definition
        for name in FONTS:
            font(name)
        self.images = {name: ImageReader(io.BytesIO(data)) for name, data in layout.images.items()}

    # -- geometry: layouts measure millimetres from the top-left corner
    def x(self, value_mm: float) -> float:
        return value_mm * mm

    def y(self, value_mm: float) -> float:
        return self.height - value_mm * mm

    # -- public API
    def render(self, content: CertificateContent) -> bytes:
        buffer = io.BytesIO()
        canvas = self.new_canvas(buffer, content)
        self.draw_page(canvas, content)
        canvas.save()
        return buffer.getvalue()

    def render_many(self, contents, stream, *, title: str = "", author: str = "", progress=None) -> int:
        """All certificates as the pages of one PDF written to `stream`; returns the count."""
        count = 0
        canvas = None
        for content in contents:
            if canvas is None:
                canvas = self.new_canvas(stream, content, title=title or content.title, author=author)
            self.draw_page(canvas, content)
            canvas.showPage()
            count += 1
            if progress is not None:
                progress(count)
        if canvas is None:
            canvas = Canvas(stream, pagesize=self.page_size, invariant=1)
            canvas.showPage()
        canvas.save()
        return count

    def new_canvas(self, stream, content: CertificateContent, *, title=None, author=None) -> Canvas:
        canvas = Canvas(stream, pagesize=self.page_size, invariant=1, pageCompression=1,
                        lang=content.language)
        # invariant=1 fixes the file id and the dates; the dates become the issue date.
        _set_timestamp(canvas, content.issued_at)
        canvas.setTitle(title or content.title)
        canvas.setAuthor(author or content.author)
        canvas.setSubject(content.subject)
        canvas.setCreator("Capacita")
        if content.keywords:
            canvas.setKeywords(list(content.keywords))
        return canvas

    def draw_page(self, canvas: Canvas, content: CertificateContent) -> None:
        definition = self.definition
        self._background(canvas, definition)
        self._frame(canvas, definition["frame"])
        if definition["emblem"].get("show"):
            self._emblem(canvas, definition["emblem"])
        for logo in definition["logos"]:
            image = self.images.get(logo["asset"])
            if image is not None:
                canvas.drawImage(image, self.x(logo["x"]), self.y(logo["y"] + logo["height"]),
                                 logo["width"] * mm, logo["height"] * mm, preserveAspectRatio=True,
                                 anchor="c", mask="auto")
        for name, style in definition["fields"].items():
            text = content.full_name if name == "name" else content.texts.get(name, "")
            if style.get("show") and text:
                self._text(canvas, text, style, shrink=name == "name")
        qr = definition["qr"]
        if qr.get("show") and content.verify_url:
            draw_qr(canvas, content.verify_url, self.x(qr["x"]), self.y(qr["y"]), qr["size"] * mm)
        self._signatories(canvas, definition["signatories"])
        if content.stamp:
            self._stamp(canvas, content.stamp)

    # -- pieces
    def _background(self, canvas, definition):
        background = definition["background"]
        colour = background.get("colour", "#FFFFFF")
        if colour.upper() != "#FFFFFF":
            canvas.setFillColor(HexColor(colour))
            canvas.rect(0, 0, self.width, self.height, stroke=0, fill=1)
        image = self.images.get(background.get("image") or "")
        if image is not None:
            canvas.drawImage(image, 0, 0, self.width, self.height, mask="auto")

    def _frame(self, canvas, frame):
        if not frame.get("show"):
            return
        for colour, width, inset in ((frame["colour"], frame["width"], frame["inset"]),
                                     (frame["inner_colour"], frame["inner_width"], frame["inner_inset"])):
            if width > 0:
                canvas.setStrokeColor(HexColor(colour))
                canvas.setLineWidth(width)
                canvas.rect(inset * mm, inset * mm, self.width - 2 * inset * mm, self.height - 2 * inset * mm,
                            stroke=1, fill=0)

    def _emblem(self, canvas, emblem):
        """The programme's default mark, as vector shapes: a seal with a check."""
        size = emblem["size"] * mm
        cx, cy = self.x(emblem["x"]) + size / 2, self.y(emblem["y"]) - size / 2
        colour = HexColor(emblem["colour"])
        canvas.saveState()
        canvas.setStrokeColor(colour)
        canvas.setFillColor(colour)
        canvas.setLineWidth(size * 0.04)
        canvas.circle(cx, cy, size / 2, stroke=1, fill=0)
        canvas.circle(cx, cy, size * 0.38, stroke=0, fill=1)
        canvas.setStrokeColorRGB(1, 1, 1)
        canvas.setLineWidth(size * 0.07)
        canvas.setLineCap(1)
        check = canvas.beginPath()
        check.moveTo(cx - size * 0.17, cy)
        check.lineTo(cx - size * 0.04, cy - size * 0.13)
        check.lineTo(cx + size * 0.19, cy + size * 0.14)
        canvas.drawPath(check, stroke=1, fill=0)
        canvas.restoreState()

    def _text(self, canvas, text: str, style: dict, *, shrink: bool = False, max_lines: int = 3):
        font_name, size = style["font"], style["size"]
        text = printable(text, font_name)
        max_width = style["max_width"] * mm
        if shrink:
            size, lines = fit_name(text, font_name, size, max_width)
        else:
            lines = wrap_lines(text, font_name, size, max_width, max_lines)
        canvas.setFillColor(HexColor(style["colour"]))
        canvas.setFont(font_name, size)
        x, y = self.x(style["x"]), self.y(style["y"])
        if shrink:  # a name on two lines stays centred on its place
            y += (len(lines) - 1) * size * 0.625
        draw = {"left": canvas.drawString, "center": canvas.drawCentredString,
                "right": canvas.drawRightString}[style["align"]]
        for index, line in enumerate(lines):
            draw(x, y - index * size * 1.25, line)

    def _signatories(self, canvas, signatories):
        people = signatories["people"]
        if not people:
            return
        width = signatories["width"] * mm
        y = self.y(signatories["y"])
        font_name, size = signatories["font"], signatories["size"]
        canvas.setFillColor(HexColor(signatories["colour"]))
        canvas.setStrokeColor(HexColor(signatories["colour"]))
        canvas.setLineWidth(0.6)
        for index, person in enumerate(people):
            centre = self.width * (index + 1) / (len(people) + 1)
            image = self.images.get(person.get("signature") or "")
            if image is not None:
                canvas.drawImage(image, centre - width / 2, y + 1 * mm, width, 14 * mm,
                                 preserveAspectRatio=True, anchor="s", mask="auto")
            canvas.line(centre - width / 2, y, centre + width / 2, y)
            # Each signatory keeps to their own column, so that three long titles never overlap.
            column = min(width * 1.3, self.width / (len(people) + 1) * 0.95)
            bold = "DejaVuSans-Bold"
            name_size, (name, *_rest) = fit_name(printable(person["name"], bold), bold, size, column, lines=1)
            canvas.setFont(bold, name_size)
            canvas.drawCentredString(centre, y - size * 1.4, name)
            if person.get("position"):
                canvas.setFont(font_name, size * 0.9)
                position = wrap_lines(printable(person["position"], font_name), font_name, size * 0.9, column, 2)
                for index, line in enumerate(position):
                    canvas.drawCentredString(centre, y - size * (2.6 + index * 1.15), line)

    def _stamp(self, canvas, stamp: str):
        canvas.saveState()
        canvas.setFillColorRGB(0.75, 0.1, 0.1, alpha=0.35)
        canvas.translate(self.width / 2, self.height / 2)
        canvas.rotate(25)
        size = min(90, 0.9 * self.width / max(pdfmetrics.stringWidth(stamp, "DejaVuSans-Bold", 1), 1))
        canvas.setFont("DejaVuSans-Bold", size)
        canvas.drawCentredString(0, -size / 3, stamp)
        canvas.restoreState()


def _set_timestamp(canvas: Canvas, instant: dt.datetime) -> None:
    # reportlab keeps the document's dates in a TimeStamp; in invariant mode it is 2000-01-01.
    stamp = canvas._doc._timeStamp
    seconds = instant.timestamp()
    stamp.t = seconds
    stamp.lt = time.gmtime(seconds)
    stamp.YMDhms = tuple(stamp.lt)[:6]
    stamp.dhh = stamp.dmm = 0
    stamp.tzname = "UTC"
