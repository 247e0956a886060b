"""Certificates: eligibility, issuing, PDF rendering, layouts and public verification."""


def includeme(config):
    config.add_translation_dirs("certificates:locale/")
    config.include(".routes")
    config.include(".exports")
