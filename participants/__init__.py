"""Participants: the person registry, registration, waitlist, imports, attendance and check-in."""


def includeme(config):
    config.add_translation_dirs("participants:locale/")
    config.include(".spreadsheets")
    config.include(".registrations")
    config.include(".confirmation")
    config.include(".reminders")
    config.include(".privacy")
    config.include(".panels")
    config.include(".attendance")
    config.include(".invites")
    config.include(".notifications")
    config.include(".speakers")
    config.include(".labels")
    config.include(".routes")
    config.include(".upload_limit")
