"""Participants: the person registry, registration, waitlist, imports, attendance and check-in."""


def _add_template_globals(config):
    from . import labels

    def add():
        config.get_jinja2_environment(".jinja2").globals["participant_labels"] = labels

    config.action(None, add, order=1)


def includeme(config):
    config.add_translation_dirs("participants:locale/")
    config.include(".panels")
    config.include(".routes")
    config.include(".upload_limit")
    _add_template_globals(config)
