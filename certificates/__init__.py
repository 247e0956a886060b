"""Certificates: eligibility, issuing, PDF rendering, layouts and public verification."""


def includeme(config):
    config.add_translation_dirs("certificates:locale/")
    config.registry.setdefault("certificate_conditions", [])

    def add_certificate_condition(config, condition):
        """A condition the attendance certificate also needs (see `eligibility.Condition`)."""
        config.registry["certificate_conditions"].append(condition)

    config.add_directive("add_certificate_condition", add_certificate_condition)
    config.include(".routes")
    config.include(".exports")
