"""The certificates' addresses (see the URL map in the briefing). `/verify/{code}` is printed
on paper: it must keep working for years."""
from trainings.i18n import _
from trainings.security import Permission

from .resources import certificate_factory, job_factory, layout_factory, training_factory


def includeme(config):
    # public
    config.add_route("verify", "/verify")
    config.add_route("verify_code", "/verify/{code}")
    config.add_route("my_certificate", "/me/{token}/certificates/{certificate_id:\\d+}.pdf")
    # organisers, about one training
    training = {"factory": training_factory}
    config.add_route("organiser_certificates", "/organiser/trainings/{id:\\d+}/certificates", **training)
    config.add_route("certificates_issue", "/organiser/trainings/{id:\\d+}/certificates/issue", **training)
    config.add_route("certificates_manual", "/organiser/trainings/{id:\\d+}/certificates/manual", **training)
    config.add_route("certificates_layout", "/organiser/trainings/{id:\\d+}/certificates/layout", **training)
    config.add_route("certificates_preview", "/organiser/trainings/{id:\\d+}/certificates/preview.pdf", **training)
    config.add_route("certificates_zip", "/organiser/trainings/{id:\\d+}/certificates.zip", **training)
    config.add_route("certificates_merged", "/organiser/trainings/{id:\\d+}/certificates/merged", **training)
    config.add_route("certificate_pdf", "/organiser/certificates/{certificate_id:\\d+}.pdf",
                     factory=certificate_factory)
    config.add_route("certificate_revoke", "/organiser/certificates/{certificate_id:\\d+}/revoke",
                     factory=certificate_factory)
    config.add_route("certificates_job", "/organiser/exports/{job_id:\\d+}", factory=job_factory)
    config.add_route("certificates_job_download", "/organiser/exports/{job_id:\\d+}/download",
                     factory=job_factory)
    # administrators: layouts
    config.add_route("layouts", "/organiser/layouts")
    config.add_route("layout", "/organiser/layouts/{layout_id:\\d+}", factory=layout_factory)
    config.add_route("layout_preview", "/organiser/layouts/{layout_id:\\d+}/preview.pdf", factory=layout_factory)
    config.add_route("layout_assets", "/organiser/layouts/{layout_id:\\d+}/assets", factory=layout_factory)
    # organisers: the layout editor (a form), and its preview of values not saved yet
    config.add_route("layout_design", "/organiser/layouts/{layout_id:\\d+}/design", factory=layout_factory)
    config.add_route("layout_design_preview", "/organiser/layouts/{layout_id:\\d+}/design/preview.pdf",
                     factory=layout_factory)

    config.add_training_tab("organiser_certificates", _("Certificates"), Permission.read, order=40)
    config.add_navigation_item("layouts", _("Certificate layouts"), Permission.manage, order=84, setup=True)
    config.add_registration_panel("certificates/_my_certificates.jinja2", order=30)
    config.add_throttle("verify", "30/minute")

    from .labels import CERTIFICATE_KIND
    from .views.public import my_certificates

    config.add_request_method(my_certificates, "registration_certificates")
    config.get_jinja2_environment(".jinja2").globals["labels_kind"] = CERTIFICATE_KIND
