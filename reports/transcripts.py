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
from trainings.pdf_fonts import BOLD, REGULAR, font
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


def transcript_pdf(request, person: Person, lines: list[TranscriptLine]) -> bytes:
    translate, styles = request.localizer.translate, _styles()
    yes, no = translate(_("Yes")), translate(_("No"))
    institution = person.institution.name if person.institution else ""
    story = [_p(translate(_("Training transcript")), styles["title"]), _p(person.full_name, styles["text"]),
             _p(", ".join(part for part in (person.position, institution) if part), styles["text"]),
             _p(translate(_("Printed on ${date}", mapping={"date": format_date(request, dt.date.today())})),
                styles["text"]), Spacer(1, 4 * mm)]
    header = [_p(translate(text), styles["head"]) for text in (
        _("Training"), _("Dates"), _("Place"), _("Role"), _("Status"), _("Hours attended"), _("Completed"),
        _("Certificates"))]
    rows = [header]
    for line in lines:
        registration, training = line.registration, line.registration.training
        rows.append([_p(cell, styles["cell"]) for cell in (
            training.title,
            f"{format_date(request, training.starts_on)} – {format_date(request, training.ends_on)}",
            f"{training.region.city}, {training.region.country}",
            translate(participant_labels.ROLE[registration.role]),
            translate(participant_labels.STATUS[registration.status]),
            format_number(request, line.hours_attended),
            yes if line.completed else no,
            ", ".join(certificate.serial for certificate in line.valid_certificates) or "—",
        )])
    total = sum((line.attended for line in lines), dt.timedelta(0))
    rows.append([_p(translate(_("Total")), styles["head"]), "", "", "", "",
                 _p(format_number(request, round(total.total_seconds() / 3600, 2)), styles["head"]),
                 _p(str(sum(line.completed for line in lines)), styles["head"]), ""])
    table = Table(rows, colWidths=[70 * mm, 40 * mm, 35 * mm, 22 * mm, 22 * mm, 20 * mm, 20 * mm, 40 * mm],
                  repeatRows=1)
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef2")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]))
    story.append(table)
    buffer = io.BytesIO()
    document = SimpleDocTemplate(buffer, pagesize=landscape(A4), leftMargin=12 * mm, rightMargin=12 * mm,
                                 topMargin=14 * mm, bottomMargin=14 * mm,
                                 title=f"{translate(_('Training transcript'))} — {person.full_name}", author="Capacita")
    document.build(story)
    return buffer.getvalue()
