"""Evaluations: knowledge tests before and after a training, satisfaction surveys and follow-ups,
answered from the participants' private links or typed in from paper, and their results."""


def includeme(config):
    config.add_translation_dirs("evaluations:locale/")
    config.include(".routes")
