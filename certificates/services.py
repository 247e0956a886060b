"""Issuing and revoking certificates. Eligibility (who earns what) is in `eligibility`; the
words and pages are in `documents` and `pdf`.

Issuing for a training issues exactly the certificates earned and never issued, so running
it twice issues nothing new; a revoked certificate is not issued again by it (the revocation
was deliberate), only by hand with a reason. Every issue tells the person by email through the
outbox, in the certificate's language, with the PDF attached and the verification address
(their private link cannot be rebuilt: only its hash is stored).
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from participants.models import Registration
from trainings.audit import record
from trainings.forms import FieldErrors
from trainings.i18n import _
from trainings.mail import queue_mail, render_mail, speaking
from trainings.models import Training, User, utcnow
from trainings.timezones import local_date

from . import documents
from .codes import new_verification_code, next_serials
from .eligibility import certificate_checks, training_eligibility
from .models import Certificate, CertificateKind


def new_certificate(dbsession: Session, registration: Registration, kind: CertificateKind, serial: str,
                    facts: documents.Facts, *, user: User | None = None, reason: str = "",
                    issued_at: dt.datetime | None = None) -> Certificate:
    training = registration.training
    certificate = Certificate(
        registration=registration, kind=kind, serial=serial, verification_code=new_verification_code(),
        language=documents.certificate_language(training, str(registration.person.preferred_language)),
        issued_at=(issued_at or utcnow()).replace(microsecond=0), issued_by=user, manual_reason=reason,
    )
    documents.state_facts(certificate, registration, facts)
    dbsession.add(certificate)
    return certificate


def serial_year(training: Training, issued_at: dt.datetime) -> int:
    """Serials count per country and year of issue, in the training's own time zone."""
    return local_date(issued_at, training.region.timezone).year


def refuse_before_the_end(training: Training) -> None:
    """Certificates state what happened: none before the training's last session has ended
    (attendance may still change, and hours not yet given cannot be certified)."""
    if not training.has_ended():
        raise FieldErrors({None: _("Certificates are issued once the training's last session has ended.")})


def to_issue(request, training: Training) -> list[tuple[Registration, CertificateKind]]:
    """The certificates the training's registrations earn and were never issued (revoked ones
    are left to `issue_manually`), in name order (with the conditions other packages add, such
    as a passed post-test)."""
    return [(item.registration, kind)
            for item in training_eligibility(request.dbsession, training, checks=certificate_checks(request, training))
            for kind in item.missing]


def issue_eligible(request, training: Training, *, user: User | None = None, notify: bool = True,
                   progress=None) -> list[Certificate]:
    """Issue every certificate the training's registrations earn and were never issued."""
    refuse_before_the_end(training)
    dbsession = request.dbsession
    wanted = to_issue(request, training)
    if not wanted:
        return []
    issued_at = utcnow()
    serials = next_serials(dbsession, training.region.country, serial_year(training, issued_at), len(wanted))
    facts = documents.TrainingFacts(dbsession, training)
    issued = [new_certificate(dbsession, registration, kind, serial, facts.of(registration, kind), user=user,
                              issued_at=issued_at)
              for (registration, kind), serial in zip(wanted, serials, strict=True)]
    dbsession.flush()
    record(request, "certificate.issue", training,
           summary=f"{len(issued)}: " + ", ".join(certificate.serial for certificate in issued)[:450])
    if notify:
        send_issued_mail(request, training, issued, progress=progress)
    return issued


def issue_manually(request, registration: Registration, kind: CertificateKind, reason: str, *,
                   user: User | None = None, notify: bool = True) -> Certificate:
    """An organiser issues a certificate the rules do not give (an organiser's participation,
    a participant just under the threshold for a good reason), or issues again one that was
    revoked; the reason is kept."""
    reason = (reason or "").strip()
    if not reason:
        raise FieldErrors({"reason": _("Say why this certificate is issued by hand.")})
    refuse_before_the_end(registration.training)
    dbsession = request.dbsession
    if _has_valid(dbsession, registration, kind):
        raise FieldErrors({"kind": _("This person already has a valid certificate of this kind.")})
    issued_at = utcnow()
    training = registration.training
    serial = next_serials(dbsession, training.region.country, serial_year(training, issued_at))[0]
    facts = documents.TrainingFacts(dbsession, training).of(registration, kind)
    certificate = new_certificate(dbsession, registration, kind, serial, facts, user=user, reason=reason,
                                  issued_at=issued_at)
    dbsession.flush()
    record(request, "certificate.issue", certificate, summary=f"{certificate.serial} ({kind}), by hand: {reason}")
    if notify:
        send_issued_mail(request, registration.training, [certificate])
    return certificate


def _has_valid(dbsession: Session, registration: Registration, kind: CertificateKind) -> bool:
    return dbsession.scalar(
        select(Certificate.id).where(Certificate.registration_id == registration.id, Certificate.kind == kind,
                                     Certificate.revoked_at.is_(None))
    ) is not None


def revoke(request, certificate: Certificate, reason: str, *, user: User | None = None,
           notify: bool = True) -> Certificate:
    """Revoke with a reason; the certificate still renders (marked revoked) and verification
    says it was revoked and when. A new one is issued only by hand (`issue_manually`): the
    bulk issue leaves the kind alone."""
    reason = (reason or "").strip()
    if not reason:
        raise FieldErrors({"reason": _("Say why this certificate is revoked.")})
    if certificate.revoked_at is not None:
        raise FieldErrors({None: _("This certificate was revoked already.")})
    certificate.revoked_at = utcnow().replace(microsecond=0)
    certificate.revoke_reason = reason
    certificate.revoked_by = user
    request.dbsession.flush()
    record(request, "certificate.revoke", certificate, summary=f"{certificate.serial}: {reason}")
    if notify:
        send_revoked_mail(request, certificate)
    return certificate


def send_revoked_mail(request, certificate: Certificate) -> bool:
    """Tell the holder, in the certificate's language, that it no longer holds and why: they
    may have shown it to an employer, who would find it revoked on the verification page."""
    person = certificate.registration.person
    if not person.email:
        return False
    language = str(certificate.language)
    training = certificate.registration.training
    values = {"person": person, "certificate": certificate, "training_title": certificate.training_title,
              "verify_url": documents.verification_url(request, certificate.verification_code)}
    text, html = render_mail(request, "certificates/mail/revoked", values, language)
    with speaking(request, language) as localizer:
        subject = localizer.translate(_("Your certificate was revoked: ${title}",
                                        mapping={"title": training.title}))
    queue_mail(request.dbsession, to=person.email, subject=subject[:300], text=text, html=html, language=language)
    return True


def send_issued_mail(request, training: Training, certificates: list[Certificate], progress=None) -> int:
    """Queue one email per certificate whose person has an address; returns how many."""
    with_address = [certificate for certificate in certificates if certificate.registration.person.email]
    if not with_address:
        return 0
    renderer = documents.renderer_for(request.dbsession, training)
    contents = documents.contents_for(request, training, with_address)
    for done, (certificate, content) in enumerate(zip(with_address, contents, strict=True), start=1):
        person = certificate.registration.person
        language = str(certificate.language)
        values = {"person": person, "training": training, "certificate": certificate,
                  "heading": content.texts["heading"], "verify_url": content.verify_url}
        text, html = render_mail(request, "certificates/mail/issued", values, language)
        with speaking(request, language) as localizer:
            subject = localizer.translate(_("Your certificate: ${title}", mapping={"title": training.title}))
        queue_mail(request.dbsession, to=person.email, subject=subject[:300], text=text, html=html,
                   language=language,
                   attachments=[(content.filename, "application/pdf", renderer.render(content))])
        if progress is not None:
            progress(done)
    return len(with_address)
