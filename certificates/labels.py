"""Translated names of the certificates' enumerations."""
from trainings.i18n import _

from .models import CertificateKind

CERTIFICATE_KIND = {
    CertificateKind.attendance: _("Attendance"),
    CertificateKind.speaker: _("Speaker or moderator"),
    CertificateKind.participation: _("Participation"),
}
