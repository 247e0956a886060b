"""The public verification of a certificate: by its code, showing only what the page exists
to show — name, training, dates, hours, kind, and whether it is valid or revoked (and when)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from participants.models import Registration

from .codes import normalise_code
from .models import Certificate, CertificateKind


@dataclass(frozen=True)
class PublicCertificate:
    code: str
    full_name: str
    training_title: str
    starts_on: dt.date
    ends_on: dt.date
    hours: dt.timedelta
    kind: CertificateKind
    issued_at: dt.datetime
    revoked_at: dt.datetime | None
    serial: str
    # The holder asked to be forgotten (participants/privacy.py): genuine, but no name is shown.
    anonymised: bool = False

    @property
    def valid(self) -> bool:
        return self.revoked_at is None

    @property
    def hours_number(self) -> float:
        return round(self.hours.total_seconds() / 3600, 1)


def find(dbsession: Session, typed_code: str) -> Certificate | None:
    code = normalise_code(typed_code)
    if code is None:
        return None
    return dbsession.scalar(
        select(Certificate).where(Certificate.verification_code == code)
        .options(joinedload(Certificate.registration).joinedload(Registration.person),
                 joinedload(Certificate.registration).joinedload(Registration.training))
    )


def public_view(certificate: Certificate) -> PublicCertificate:
    """What the certificate states, as issued; later edits to the person or training do not show."""
    return PublicCertificate(
        code=certificate.verification_code, full_name=certificate.holder_name,
        training_title=certificate.training_title, starts_on=certificate.starts_on, ends_on=certificate.ends_on,
        hours=certificate.hours, kind=certificate.kind, issued_at=certificate.issued_at,
        revoked_at=certificate.revoked_at, serial=certificate.serial,
        anonymised=certificate.registration.person.anonymised_at is not None,
    )
