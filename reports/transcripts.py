"""A person's transcript: every training they were registered for, the hours they attended,
whether they completed it and the certificates they hold — the same rule as the report
(`figures.py`), here for one person, training by training."""
from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import SimpleDocTemplate, Spacer, Table, TableStyle
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from certificates.models import Certificate
from participants import labels as participant_labels
from participants.attendance.rates import attendance_rates
from participants.models import Person, Registration, RegistrationStatus
from trainings.i18n import _, format_date, format_number
from trainings.models import Training
from trainings.pdf_fonts import BOLD, REGULAR, font, widest_word
from trainings.pdf_fonts import paragraph as _p  # escaped, and printable in any script

from .facts import SPEAKING


@dataclass
class TranscriptLine:
    registration: Registration
    attended: dt.timedelta
    expected: dt.timedelta
    completed: bool
    certificates: list[Certificate] = field(default_factory=list)

    @property
    def hours_attended(self) -> float:
        return round(self.attended.total_seconds() / 3600, 2)

    @property
    def valid_certificates(self) -> list[Certificate]:
        return [certificate for certificate in self.certificates if certificate.revoked_at is None]


def transcript(dbsession: Session, person: Person, scope=lambda statement: statement) -> list[TranscriptLine]:
    """Every registration of the person (that `scope` lets through), latest training first."""
    registrations = dbsession.scalars(scope(
        select(Registration).where(Registration.person_id == person.id)
        .options(selectinload(Registration.training).selectinload(Training.region))
    )).all()
    certificates: dict[int, list[Certificate]] = {}
    for certificate in dbsession.scalars(select(Certificate).where(
            Certificate.registration_id.in_([r.id for r in registrations])).order_by(Certificate.issued_at)):
        certificates.setdefault(certificate.registration_id, []).append(certificate)
    lines = []
    for registration in registrations:
        rate = attendance_rates(dbsession, registration.training_id).get(registration.id)
        confirmed = registration.status == RegistrationStatus.confirmed
        completed = confirmed and (registration.role in SPEAKING or (
            rate is not None and rate.reaches(registration.training.attendance_threshold)))
        lines.append(TranscriptLine(registration, rate.attended if rate else dt.timedelta(0),
                                    rate.expected if rate else dt.timedelta(0), completed,
                                    certificates.get(registration.id, [])))
    lines.sort(key=lambda line: (line.registration.training.starts_on, line.registration.id), reverse=True)
    return lines


def _styles():
    font(REGULAR)
    return {
        "title": ParagraphStyle("title", fontName=BOLD, fontSize=15, leading=19, spaceAfter=3),
        "text": ParagraphStyle("text", fontName=REGULAR, fontSize=9.5, leading=12),
        "cell": ParagraphStyle("cell", fontName=REGULAR, fontSize=8.5, leading=10.5),
        "head": ParagraphStyle("head", fontName=BOLD, fontSize=8.5, leading=10.5),
    }


MARGIN = 12 * mm
# Each column's width on the page, before widening one whose longest word would not fit: training,
# dates, place, role, status, hours attended, completed, certificates.
PREFERRED_WIDTHS = [70 * mm, 40 * mm, 35 * mm, 22 * mm, 22 * mm, 20 * mm, 20 * mm, 40 * mm]
CELL_PADDING = 2 * 6 + 1  # a Table's left and right padding, and a point to spare
NARROWEST_TITLE = 40 * mm


def _dates(request, training: Training) -> str:
    """From – to, each date kept on one line ("10 feb / 2027" read as two things): the line may
    break only after the dash."""
    starts, ends = (format_date(request, day).replace(" ", "\u00a0") for day in (training.starts_on, training.ends_on))
    return starts if starts == ends else f"{starts}\u00a0– {ends}"


def _column_widths(bold_rows: list[list[str]], rows: list[list[str]], styles, available: float) -> list[float]:
    """The preferred widths, each column widened until its longest word fits (a Paragraph breaks
    a word too long for its cell mid-word: "Participant/e"), the training's title — whose words
    are many and short — giving up the room, down to a readable width."""
    def needed(column: int) -> float:
        cells = [(row[column], styles["head"]) for row in bold_rows] + [(row[column], styles["cell"]) for row in rows]
        return max(widest_word(text, style.fontName, style.fontSize) for text, style in cells) + CELL_PADDING

    widths = [max(preferred, needed(column)) for column, preferred in enumerate(PREFERRED_WIDTHS)]
    excess = sum(widths) - available
    if excess > 0:
        widths[0] = max(widths[0] - excess, needed(0), NARROWEST_TITLE)
    return widths


def transcript_pdf(request, person: Person, lines: list[TranscriptLine]) -> bytes:
    translate, styles = request.localizer.translate, _styles()
    yes, no = translate(_("Yes")), translate(_("No"))
    institution = person.institution.name if person.institution else ""
    story = [_p(translate(_("Training transcript")), styles["title"]), _p(person.full_name, styles["text"]),
             _p(", ".join(part for part in (person.position, institution) if part), styles["text"]),
             _p(translate(_("Printed on ${date}", mapping={"date": format_date(request, dt.date.today())})),
                styles["text"]), Spacer(1, 4 * mm)]
    header = [translate(text) for text in (
        _("Training"), _("Dates"), _("Place"), _("Role"), _("Status"), _("Hours attended"), _("Completed"),
        _("Certificates"))]
    body = [[
        line.registration.training.title,
        _dates(request, line.registration.training),
        f"{line.registration.training.region.city}, {line.registration.training.region.country}",
        translate(participant_labels.ROLE[line.registration.role]),
        translate(participant_labels.STATUS[line.registration.status]),
        format_number(request, line.hours_attended),
        yes if line.completed else no,
        ", ".join(certificate.serial for certificate in line.valid_certificates) or "—",
    ] for line in lines]
    total = sum((line.attended for line in lines), dt.timedelta(0))
    footer = [translate(_("Total")), "", "", "", "", format_number(request, round(total.total_seconds() / 3600, 2)),
              str(sum(line.completed for line in lines)), ""]
    rows = ([[_p(text, styles["head"]) for text in header]]
            + [[_p(text, styles["cell"]) for text in row] for row in body]
            + [[_p(text, styles["head"]) if text else "" for text in footer]])
    widths = _column_widths([header, footer], body, styles, landscape(A4)[0] - 2 * MARGIN)
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef2")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]))
    story.append(table)
    buffer = io.BytesIO()
    document = SimpleDocTemplate(buffer, pagesize=landscape(A4), leftMargin=MARGIN, rightMargin=MARGIN,
                                 topMargin=14 * mm, bottomMargin=14 * mm,
                                 title=f"{translate(_('Training transcript'))} — {person.full_name}", author="Capacita")
    document.build(story)
    return buffer.getvalue()
