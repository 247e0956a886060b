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
import math
import time
from dataclasses import dataclass, field

from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import landscape, portrait
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from trainings.pdf_fonts import draw_text, font, text_width, unprintable

from .layouts import FONTS, PAGE_MM, Layout
from .qr import draw_qr


def missing_characters(text: str, font_name: str = "DejaVuSans") -> list[str]:
    """The characters of `text` that no font can draw (CJK, Greek, Arabic… all can), in order."""
    return unprintable(text, font_name)


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
TRAINING_LINES = 3  # a training's title wraps to at most three lines (see Renderer._text)


def wrap_lines(text: str, font_name: str, size: float, max_width: float, max_lines: int) -> list[str]:
    """`text` wrapped at spaces to `max_width` (each run measured in the font that draws it); if
    it needs more than `max_lines`, the last line ends at a word with an ellipsis, so that a cut
    is visible rather than silent."""
    lines: list[str] = []
    for word in text.split():
        if lines and text_width(f"{lines[-1]} {word}", font_name, size) <= max_width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    if len(lines) <= max_lines:
        return lines
    kept, last = lines[:max_lines - 1], lines[max_lines - 1].split(" ")
    while len(last) > 1 and text_width(" ".join(last) + ELLIPSIS, font_name, size) > max_width:
        last.pop()
    return [*kept, " ".join(last).rstrip(",;:·–-") + ELLIPSIS]


def fit_name(text: str, font_name: str, size: float, max_width: float, lines: int = 2) -> tuple[float, list[str]]:
    """A name on one line, made smaller as needed down to 70 % of its size; longer still, on
    up to `lines` lines at that size (never below 8 pt), and only then cut."""
    width = text_width(text, font_name, size)
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
        # Without signatories the text moves down into part of their band, so that the page
        # keeps its balance instead of ending in a blank strip.
        signatories = definition["signatories"]
        shift = 0 if signatories["people"] else signatories["shift_without"]
        self._dividers(canvas, definition["dividers"], shift)
        headings = definition["texts"].get("heading", {})
        training_y, pull = None, 0.0
        for name, style in definition["fields"].items():
            text = content.full_name if name == "name" else content.texts.get(name, "")
            if name == "heading" and headings.get(content.language):
                text = headings[content.language]
            if style.get("show") and text:
                placed_at = style["y"]  # as the layout says, before any move
                below_training = training_y is not None and training_y < placed_at < signatories["y"]
                if (shift and style["y"] < signatories["y"]) or below_training:
                    style = {**style, "y": style["y"] + (shift if style["y"] < signatories["y"] else 0)
                             - (pull if below_training else 0)}
                lines = self._text(canvas, text, style, shrink=name == "name")
                if name == "training":
                    # The place of the title's unused lines is closed up by half, so that a short
                    # title is not followed by a gap (a title keeps up to three lines).
                    training_y = placed_at
                    pull = (TRAINING_LINES - lines) * style["size"] * 1.25 / mm / 2
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
        if frame.get("ornaments"):
            self._corners(canvas, frame)

    def _corners(self, canvas, frame):
        """A small diamond with two flourishes in each corner, between the two frame lines."""
        inset = (frame["inset"] + frame["inner_inset"]) / 2 * mm
        arm = 9 * mm
        canvas.saveState()
        canvas.setFillColor(HexColor(frame["inner_colour"]))
        canvas.setStrokeColor(HexColor(frame["inner_colour"]))
        canvas.setLineWidth(0.8)
        for cx, sx in ((inset, 1), (self.width - inset, -1)):
            for cy, sy in ((inset, 1), (self.height - inset, -1)):
                diamond = canvas.beginPath()
                d = 2.6 * mm
                diamond.moveTo(cx, cy + d)
                diamond.lineTo(cx + d, cy)
                diamond.lineTo(cx, cy - d)
                diamond.lineTo(cx - d, cy)
                diamond.close()
                canvas.drawPath(diamond, stroke=0, fill=1)
                canvas.line(cx + sx * d * 1.6, cy, cx + sx * arm * 2.2, cy)
                canvas.line(cx, cy + sy * d * 1.6, cx, cy + sy * arm * 2.2)
                canvas.circle(cx + sx * arm * 2.2, cy, 0.5 * mm, stroke=0, fill=1)
                canvas.circle(cx, cy + sy * arm * 2.2, 0.5 * mm, stroke=0, fill=1)
        canvas.restoreState()

    def _emblem(self, canvas, emblem):
        """The default seal, as vector shapes: a gold rosette with a ring of dots around a
        coloured medallion bearing a laurel and a star — no image to upload for a good first page."""
        size = emblem["size"] * mm
        cx, cy = self.x(emblem["x"]) + size / 2, self.y(emblem["y"]) - size / 2
        colour, accent = HexColor(emblem["colour"]), HexColor(emblem["accent"])
        radius = size / 2
        canvas.saveState()
        canvas.setFillColor(accent)
        rosette = canvas.beginPath()
        points = 48
        for index in range(points * 2):
            r = radius if index % 2 == 0 else radius * 0.9
            angle = math.pi * index / points
            x, y = cx + r * math.cos(angle), cy + r * math.sin(angle)
            rosette.moveTo(x, y) if index == 0 else rosette.lineTo(x, y)
        rosette.close()
        canvas.drawPath(rosette, stroke=0, fill=1)
        canvas.setFillColorRGB(1, 1, 1)
        canvas.circle(cx, cy, radius * 0.84, stroke=0, fill=1)
        canvas.setFillColor(colour)
        canvas.circle(cx, cy, radius * 0.78, stroke=0, fill=1)
        canvas.setFillColor(accent)
        for index in range(36):  # a ring of dots, as on an embossed seal
            angle = 2 * math.pi * index / 36
            canvas.circle(cx + radius * 0.69 * math.cos(angle), cy + radius * 0.69 * math.sin(angle),
                          radius * 0.025, stroke=0, fill=1)
        canvas.setStrokeColor(accent)
        canvas.setLineWidth(radius * 0.035)
        canvas.circle(cx, cy, radius * 0.6, stroke=1, fill=0)
        self._laurel(canvas, cx, cy, radius * 0.5, accent)
        self._star(canvas, cx, cy + radius * 0.06, radius * 0.22, HexColor("#FFFFFF"))
        canvas.restoreState()

    @staticmethod
    def _laurel(canvas, cx, cy, radius, colour):
        """Two branches of leaves along the lower arc of the medallion."""
        canvas.setFillColor(colour)
        for side in (-1, 1):
            for index in range(7):
                angle = math.radians(-90 + side * (22 + index * 17))
                x, y = cx + radius * math.cos(angle), cy + radius * math.sin(angle)
                canvas.saveState()
                canvas.translate(x, y)
                canvas.rotate(math.degrees(angle) + (90 if side > 0 else -90) + side * 35)
                canvas.ellipse(-radius * 0.07, -radius * 0.16, radius * 0.07, radius * 0.16, stroke=0, fill=1)
                canvas.restoreState()

    @staticmethod
    def _star(canvas, cx, cy, radius, colour):
        canvas.setFillColor(colour)
        star = canvas.beginPath()
        for index in range(10):
            r = radius if index % 2 == 0 else radius * 0.42
            angle = math.pi / 2 + math.pi * index / 5
            x, y = cx + r * math.cos(angle), cy + r * math.sin(angle)
            star.moveTo(x, y) if index == 0 else star.lineTo(x, y)
        star.close()
        canvas.drawPath(star, stroke=0, fill=1)

    def _dividers(self, canvas, dividers, shift):
        """Thin rules with a diamond in the middle, under the heading and the name."""
        for divider in dividers:
            half = divider["width"] * mm / 2
            cx, y = self.width / 2, self.y(divider["y"] + shift)
            canvas.setStrokeColor(HexColor(divider["colour"]))
            canvas.setFillColor(HexColor(divider["colour"]))
            canvas.setLineWidth(0.7)
            canvas.line(cx - half, y, cx - 2.5 * mm, y)
            canvas.line(cx + 2.5 * mm, y, cx + half, y)
            diamond = canvas.beginPath()
            diamond.moveTo(cx, y + 1.4 * mm)
            diamond.lineTo(cx + 1.4 * mm, y)
            diamond.lineTo(cx, y - 1.4 * mm)
            diamond.lineTo(cx - 1.4 * mm, y)
            diamond.close()
            canvas.drawPath(diamond, stroke=0, fill=1)

    def _text(self, canvas, text: str, style: dict, *, shrink: bool = False, max_lines: int = 3) -> int:
        font_name, size = style["font"], style["size"]
        max_width = style["max_width"] * mm
        if shrink:
            size, lines = fit_name(text, font_name, size, max_width)
        else:
            lines = wrap_lines(text, font_name, size, max_width, max_lines)
        canvas.setFillColor(HexColor(style["colour"]))
        x, y = self.x(style["x"]), self.y(style["y"])
        if shrink:  # a name on two lines stays centred on its place
            y += (len(lines) - 1) * size * 0.625
        for index, line in enumerate(lines):
            draw_text(canvas, x, y - index * size * 1.25, line, font_name, size, style["align"])
        return len(lines)

    def _signatories(self, canvas, signatories):
        """Each signatory's name and title in a column of their own; their signature above a line
        when an image of it is uploaded. No signatories, nothing drawn: a line that nobody signs
        would only look unfinished on a certificate sent as a PDF."""
        people = signatories["people"]
        if not people:
            return
        width = signatories["width"] * mm
        y = self.y(signatories["y"])
        font_name, size = signatories["font"], signatories["size"]
        bold = "DejaVuSans-Bold" if font_name == "DejaVuSans" else font_name
        colour = HexColor(signatories["colour"])
        # Columns share the width between the frame and the QR code, each signatory keeping to
        # their own, so that three long titles overlap neither each other nor the code.
        left, right = self._signature_band()
        span = (right - left) / len(people)
        column = min(width * 1.3, span * 0.92)
        for index, person in enumerate(people):
            centre = left + span * (index + 0.5) if len(people) > 1 else self.width / 2
            image = self.images.get(person.get("signature") or "")
            canvas.setStrokeColor(colour)
            canvas.setFillColor(colour)
            if image is not None:
                canvas.drawImage(image, centre - width / 2, y + 1 * mm, width, 14 * mm,
                                 preserveAspectRatio=True, anchor="s", mask="auto")
                canvas.setLineWidth(0.6)
                canvas.line(centre - width / 2, y, centre + width / 2, y)
            name_size, (name, *_rest) = fit_name(person["name"], bold, size * 1.1, column, lines=1)
            draw_text(canvas, centre, y - size * 1.5, name, bold, name_size, "center")
            if person.get("position"):
                lines = wrap_lines(person["position"], font_name, size * 0.9, column, 2)
                for number, line in enumerate(lines):
                    draw_text(canvas, centre, y - size * (2.7 + number * 1.15), line, font_name, size * 0.9,
                              "center")

    def _signature_band(self) -> tuple[float, float]:
        """Where signatories may go across the page: inside the frame, left of the QR code."""
        frame = self.definition["frame"]
        margin = (max(frame["inner_inset"], frame["inset"]) + 6) * mm if frame.get("show") else 15 * mm
        right = self.width - margin
        qr = self.definition["qr"]
        if qr.get("show") and self.x(qr["x"]) > self.width / 2:
            right = min(right, self.x(qr["x"]) - 4 * mm)
        return margin, right

    def _stamp(self, canvas, stamp: str):
        canvas.saveState()
        canvas.setFillColorRGB(0.75, 0.1, 0.1, alpha=0.35)
        canvas.translate(self.width / 2, self.height / 2)
        canvas.rotate(25)
        size = min(90, 0.9 * self.width / max(text_width(stamp, "DejaVuSans-Bold", 1), 1))
        draw_text(canvas, 0, -size / 3, stamp, "DejaVuSans-Bold", size, "center")
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
