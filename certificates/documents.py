"""From certificates in the database to finished pages: the words each one says, in its own
language, and the layout (with its renderer) its training uses."""
from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from dataclasses import dataclass
from functools import lru_cache

from babel import Locale
from babel import dates as babel_dates
from babel import numbers as babel_numbers
from slugify import slugify
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from participants.attendance.rates import attendance_rates
from participants.models import Registration
from trainings.i18n import _
from trainings.mail import localizer_for
from trainings.models import SpeakerRole, Training
from trainings.timezones import local_date

from .eligibility import SpokenSession, spoken_sessions
from .layouts import Layout, default_layout, parse_layout
from .models import Certificate, CertificateKind, CertificateLayout, TrainingCertificateLayout
from .pdf import CertificateContent, Renderer

HEADING = {
    CertificateKind.attendance: _("Certificate of attendance"),
    CertificateKind.speaker: _("Certificate of participation"),
    CertificateKind.participation: _("Certificate of participation"),
}


@dataclass(frozen=True)
class Facts:
    """What a certificate states besides the person: hours and, for speakers, sessions."""

    hours: dt.timedelta
    spoken: tuple[SpokenSession, ...] = ()


def certificate_language(training: Training, preferred: str | None) -> str:
    """The person's language when the training offers it, else the training's own."""
    return preferred if preferred in training.languages else str(training.language)


def public_url(request) -> str:
    configured = request.registry.settings.get("app.public_url", "")
    return configured.rstrip("/") if configured else request.application_url.rstrip("/")


def verification_url(request, code: str) -> str:
    return f"{public_url(request)}/verify/{code}"


# Formatting with Babel is the slow part of preparing thousands of certificates, and the
# same few values recur (one training's dates and place, a handful of hour counts).
@lru_cache(maxsize=1024)
def format_hours(hours: dt.timedelta, language: str) -> str:
    return babel_numbers.format_decimal(round(hours.total_seconds() / 3600, 1), format="#,##0.#", locale=language)


@lru_cache(maxsize=1024)
def format_long_date(day: dt.date, language: str) -> str:
    return babel_dates.format_date(day, format="long", locale=language)


@lru_cache(maxsize=256)
def _format_period(starts_on: dt.date, ends_on: dt.date, language: str) -> str:
    if starts_on == ends_on:
        return format_long_date(starts_on, language)
    return babel_dates.format_interval(starts_on, ends_on, "yMMMMd", locale=language)


@lru_cache(maxsize=256)
def _format_place(city: str, country_code: str, language: str) -> str:
    return f"{city}, {Locale.parse(language).territories.get(country_code, country_code)}"


def file_name(certificate: Certificate) -> str:
    holder = f"{certificate.family_names} {certificate.given_names}"
    return f"{slugify(holder) or 'certificate'}-{certificate.serial}.pdf"


def statement(kind: CertificateKind, role: SpeakerRole | None):
    if kind == CertificateKind.attendance:
        return _("attended the training")
    if kind == CertificateKind.speaker:
        return _("took part as moderator in the training") if role == SpeakerRole.moderator \
            else _("took part as speaker in the training")
    return _("took part in the training")


def speaker_role(spoken, registration_role) -> SpeakerRole:
    if any(item.role == SpeakerRole.speaker for item in spoken):
        return SpeakerRole.speaker
    if spoken or str(registration_role) == "moderator":
        return SpeakerRole.moderator
    return SpeakerRole.speaker


def state_facts(certificate: Certificate, registration: Registration, facts: Facts) -> Certificate:
    """Fix on the certificate what it states, as things stand when it is issued."""
    training, person = registration.training, registration.person
    certificate.given_names, certificate.family_names = person.given_names.strip(), person.family_names.strip()
    certificate.training_title = training.title
    certificate.programme_name = training.programme.name if training.programme else ""
    certificate.city, certificate.country = training.region.city, training.region.country
    certificate.starts_on, certificate.ends_on = training.starts_on, training.ends_on
    certificate.minutes = int(facts.hours.total_seconds() // 60)
    certificate.spoke_as_moderator = (certificate.kind == CertificateKind.speaker
                                      and speaker_role(facts.spoken, registration.role) == SpeakerRole.moderator)
    certificate.session_titles = [item.title for item in facts.spoken]
    return certificate


def issue_date(certificate: Certificate, training: Training) -> dt.date:
    """The day it was issued where the training took place (Lima's evening is not tomorrow)."""
    return local_date(certificate.issued_at, training.region.timezone)


def content_for(request, certificate: Certificate, *, stamp_sample: bool = False,
                localizers: dict | None = None) -> CertificateContent:
    """The words of a certificate, from what it states (never from live data), in its language."""
    training = certificate.registration.training
    language = str(certificate.language)
    # Building a localizer reads every catalog: once per language, not once per certificate.
    localizers = {} if localizers is None else localizers
    if language not in localizers:
        localizers[language] = localizer_for(request, language)
    translate = localizers[language].translate
    hours = format_hours(certificate.hours, language)
    role = SpeakerRole.moderator if certificate.spoke_as_moderator else SpeakerRole.speaker
    texts = {
        "programme": certificate.programme_name,
        "heading": translate(HEADING[certificate.kind]),
        "intro": translate(_("This certifies that")),
        "statement": translate(statement(certificate.kind, role)),
        "training": certificate.training_title,
        "dates_place": (f"{_format_period(certificate.starts_on, certificate.ends_on, language)} · "
                        f"{_format_place(certificate.city, certificate.country, language)}"),
        "hours": "" if certificate.minutes <= 0 else translate({
            CertificateKind.attendance: _("${hours} hours attended", mapping={"hours": hours}),
            CertificateKind.speaker: _("${hours} hours of sessions given", mapping={"hours": hours}),
            CertificateKind.participation: _("${hours} hours attended", mapping={"hours": hours}),
        }[certificate.kind]),
        "sessions": "" if not certificate.session_titles else translate(_("Sessions: ${titles}", mapping={
            "titles": "; ".join(certificate.session_titles)})),
        "serial": translate(_("Serial number ${serial} · issued on ${date}", mapping={
            "serial": certificate.serial, "date": format_long_date(issue_date(certificate, training), language)})),
        "verification": translate(_("Verification code ${code} · ${url}", mapping={
            "code": certificate.verification_code, "url": f"{public_url(request)}/verify"})),
    }
    stamp = ""
    if certificate.revoked_at is not None:
        stamp = translate(_("REVOKED"))
    elif stamp_sample:
        stamp = translate(_("SAMPLE"))
    heading = texts["heading"]
    return CertificateContent(
        full_name=certificate.holder_name, texts=texts,
        verify_url=verification_url(request, certificate.verification_code),
        issued_at=certificate.issued_at, title=f"{heading} — {certificate.holder_name}",
        author=texts["programme"] or "Capacita", subject=f"{certificate.training_title} · {certificate.serial}",
        stamp=stamp, language=language, filename=file_name(certificate),
        keywords=(certificate.serial, certificate.verification_code),
    )


def facts_for(registration: Registration, kind: CertificateKind, rates, spoken) -> Facts:
    """The hours (and a speaker's sessions) a certificate of `kind` states, from attendance as
    it stands: a speaker's certificate states the hours of their own sessions; attendance and
    participation state the hours the person attended — a participation certificate is given
    to someone who did not follow the whole training, so the training's hours would overstate."""
    own = tuple(spoken.get(registration.person_id, ()))
    if kind == CertificateKind.speaker:
        return Facts(sum((item.ends_at - item.starts_at for item in own), dt.timedelta(0)), own)
    rate = rates.get(registration.id)
    return Facts(rate.attended if rate is not None else dt.timedelta(0))


class TrainingFacts:
    """Attendance and speakers of one training, read once for issuing many certificates."""

    def __init__(self, dbsession: Session, training: Training):
        self.rates = attendance_rates(dbsession, training.id)
        self.spoken = spoken_sessions(dbsession, training.id)

    def of(self, registration: Registration, kind: CertificateKind) -> Facts:
        return facts_for(registration, kind, self.rates, self.spoken)


def training_certificates(dbsession: Session, training: Training, *, valid_only: bool = False,
                          ids=None) -> list[Certificate]:
    query = (
        select(Certificate).join(Registration, Registration.id == Certificate.registration_id)
        .where(Registration.training_id == training.id)
        .options(selectinload(Certificate.registration).selectinload(Registration.person))
        .order_by(Certificate.serial)
    )
    if valid_only:
        query = query.where(Certificate.revoked_at.is_(None))
    if ids is not None:
        query = query.where(Certificate.id.in_(list(ids)))
    return list(dbsession.scalars(query))


def contents_for(request, training: Training, certificates: list[Certificate]) -> list[CertificateContent]:
    """The contents of many certificates of one training, without a query per certificate."""
    localizers: dict = {}
    return [content_for(request, certificate, localizers=localizers) for certificate in certificates]


def content_of(request, certificate: Certificate) -> CertificateContent:
    return contents_for(request, certificate.registration.training, [certificate])[0]


# -- layouts and their renderers

_renderers: OrderedDict = OrderedDict()
MAX_CACHED_RENDERERS = 16


def layout_of(layout_row: CertificateLayout | None) -> Layout:
    if layout_row is None:
        return default_layout()
    images = {asset.name: asset.data for asset in layout_row.assets}
    return Layout(parse_layout(layout_row.definition), images,
                  key=(layout_row.id, layout_row.updated_at.isoformat() if layout_row.updated_at else ""))


def training_layout_row(dbsession: Session, training: Training) -> CertificateLayout | None:
    choice = dbsession.get(TrainingCertificateLayout, training.id)
    return choice.layout if choice is not None else None


def renderer_for(dbsession: Session, training: Training) -> Renderer:
    row = training_layout_row(dbsession, training)
    key = "default" if row is None else (row.id, row.updated_at)
    return cached_renderer(key, lambda: layout_of(row))


def cached_renderer(key, make_layout) -> Renderer:
    """Renderers are built once per layout version and reused (fonts, images, geometry)."""
    renderer = _renderers.get(key)
    if renderer is None:
        renderer = Renderer(make_layout())
        _renderers[key] = renderer
        while len(_renderers) > MAX_CACHED_RENDERERS:
            _renderers.popitem(last=False)
    return renderer


def render_certificate(request, certificate: Certificate) -> bytes:
    training = certificate.registration.training
    return renderer_for(request.dbsession, training).render(content_of(request, certificate))
