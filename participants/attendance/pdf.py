"""PDFs of attendance: the sign-in sheet of a session and a participant's badge (reportlab).

Text is set in DejaVu Sans, bundled with the package (fonts/, with its licence), so that every
accent prints and the text can be extracted; names in other scripts (Chinese, Arabic …) print in
a font that has their letters, as on certificates (`trainings.pdf_fonts.paragraph`, which also
escapes: markup in a name prints as typed).
"""
from __future__ import annotations

import io

import segno
from reportlab.graphics.shapes import Drawing, Rect
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, A6
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import SimpleDocTemplate, Spacer, Table, TableStyle

from trainings.i18n import _, format_date, format_time
from trainings.pdf_fonts import BOLD, REGULAR, draw_text, font, paragraph

from .qr import make_token, secret_of, short_code

BLANK_ROWS = 10


def _styles():
    font(REGULAR)
    return {
        "title": ParagraphStyle("title", fontName=BOLD, fontSize=14, leading=18, spaceAfter=4),
        "subtitle": ParagraphStyle("subtitle", fontName=BOLD, fontSize=11, leading=14, spaceAfter=2),
        "text": ParagraphStyle("text", fontName=REGULAR, fontSize=9.5, leading=12),
        "cell": ParagraphStyle("cell", fontName=REGULAR, fontSize=9, leading=11),
        "head": ParagraphStyle("head", fontName=BOLD, fontSize=9, leading=11),
        "badge_name": ParagraphStyle("badge_name", fontName=BOLD, fontSize=16, leading=20, alignment=1),
        "badge_text": ParagraphStyle("badge_text", fontName=REGULAR, fontSize=10, leading=13, alignment=1),
        "badge_code": ParagraphStyle("badge_code", fontName=BOLD, fontSize=14, leading=18, alignment=1,
                                     spaceBefore=2 * mm),
    }


def p(text, style):
    return paragraph(text or "", style)


def signin_sheet_pdf(request, training, session, registrations) -> bytes:
    """The sign-in sheet: who is expected, sorted by family name, with a signature column and
    blank numbered rows for walk-ins."""
    translate, styles = request.localizer.translate, _styles()

    zone = training.region.timezone
    when = "{date}, {start}–{end} ({zone})".format(
        date=format_date(request, session.starts_at, zone, format="full"),
        start=format_time(request, session.starts_at, zone), end=format_time(request, session.ends_at, zone),
        zone=zone)
    place = ", ".join(part for part in (session.room, training.venue.name if training.venue else "",
                                        training.region.city) if part)
    story = [p(training.title, styles["title"]), p(session.title, styles["subtitle"]),
             p(when, styles["text"]), p(place, styles["text"]), Spacer(1, 4 * mm)]
    header = [p(text, styles["head"]) for text in (
        "#", translate(_("Family names")), translate(_("Given names")), translate(_("Institution")),
        translate(_("Signature")))]
    rows = [header]
    for number, registration in enumerate(registrations, start=1):
        person = registration.person
        rows.append([p(number, styles["cell"]), p(person.family_names, styles["cell"]),
                     p(person.given_names, styles["cell"]),
                     p(person.institution.name if person.institution else "", styles["cell"]), ""])
    for number in range(len(registrations) + 1, len(registrations) + BLANK_ROWS + 1):
        rows.append([p(number, styles["cell"]), "", "", "", ""])
    table = Table(rows, colWidths=[10 * mm, 42 * mm, 38 * mm, 52 * mm, 40 * mm], repeatRows=1)
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef2")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#f7f7f7")]),
        ("TOPPADDING", (0, 1), (-1, -1), 7),
        ("BOTTOMPADDING", (0, 1), (-1, -1), 7),
    ]))
    story.append(table)
    footer_left = translate(_("Sign-in sheet")) + " · " + training.title
    page_label = translate(_("Page"))

    def decorate(canvas, document):
        canvas.saveState()
        canvas.setFont(REGULAR, 7.5)
        canvas.setFillColor(colors.grey)
        canvas.drawString(document.leftMargin, A4[1] - 10 * mm, "Capacita")
        draw_text(canvas, document.leftMargin, 10 * mm, footer_left[:110], REGULAR, 7.5)
        canvas.drawRightString(A4[0] - document.rightMargin, 10 * mm, f"{page_label} {canvas.getPageNumber()}")
        canvas.restoreState()

    buffer = io.BytesIO()
    document = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=14 * mm, rightMargin=14 * mm, topMargin=16 * mm,
                                 bottomMargin=16 * mm, title=f"{training.title} — {session.title}",
                                 author="Capacita")
    document.build(story, onFirstPage=decorate, onLaterPages=decorate)
    return buffer.getvalue()


def badge_pdf(request, registration) -> bytes:
    """A badge (A6) with the person's name, institution, training and check-in QR code."""
    styles = _styles()
    person, training = registration.person, registration.training
    qr = segno.make(make_token(secret_of(request), registration), error="m")
    matrix = list(qr.matrix)
    size, module = len(matrix), 2.2 * mm
    border = 2
    drawing = Drawing((size + 2 * border) * module, (size + 2 * border) * module)
    drawing.add(Rect(0, 0, drawing.width, drawing.height, fillColor=colors.white, strokeColor=None))
    for row_number, row in enumerate(matrix):
        for column_number, dark in enumerate(row):
            if dark:
                drawing.add(Rect((column_number + border) * module,
                                 (size - 1 - row_number + border) * module, module, module,
                                 fillColor=colors.black, strokeColor=None))
    scale = min(1.0, 60 * mm / drawing.width)
    drawing.scale(scale, scale)
    drawing.width, drawing.height = drawing.width * scale, drawing.height * scale
    story = [p(training.title, styles["badge_text"]), Spacer(1, 5 * mm), p(person.full_name, styles["badge_name"]),
             p(person.institution.name if person.institution else "", styles["badge_text"]),
             Spacer(1, 5 * mm), Table([[drawing]]),
             # For when the QR code cannot be scanned: a code the organiser can type.
             p(short_code(secret_of(request), registration), styles["badge_code"])]
    buffer = io.BytesIO()
    document = SimpleDocTemplate(buffer, pagesize=A6, leftMargin=8 * mm, rightMargin=8 * mm, topMargin=10 * mm,
                                 bottomMargin=8 * mm, title=person.full_name, author="Capacita")
    document.build(story)
    return buffer.getvalue()
