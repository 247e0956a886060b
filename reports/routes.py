"""The reports' addresses: all for organisers."""
from trainings.i18n import _
from trainings.security import Permission

from .resources import indicator_factory, institution_factory, person_factory


def includeme(config):
    config.add_route("report", "/organiser/reports")
    config.add_route("report_evidence", "/organiser/reports/evidence")
    config.add_route("report_export", "/organiser/reports/report.{format:xlsx|csv|json}")
    config.add_route("indicators", "/organiser/reports/indicators")
    config.add_route("indicator_new", "/organiser/reports/indicators/new")
    config.add_route("indicator_edit", "/organiser/reports/indicators/{id:\\d+}", factory=indicator_factory)
    config.add_route("transcripts_export", "/organiser/reports/transcripts.{format:xlsx|csv}")
    config.add_route("person_transcript", "/organiser/people/{id:\\d+}/transcript", factory=person_factory)
    config.add_route("person_transcript_pdf", "/organiser/people/{id:\\d+}/transcript.pdf", factory=person_factory)
    config.add_route("institutions", "/organiser/institutions")
    config.add_route("institution_edit", "/organiser/institutions/{id:\\d+}", factory=institution_factory)
    config.add_route("institution_merge", "/organiser/institutions/{id:\\d+}/merge", factory=institution_factory)

    config.add_navigation_item("report", _("Reports"), Permission.read, order=60)
    config.add_navigation_item("institutions", _("Institutions"), Permission.manage, order=82, setup=True)
