"""Settings come from the ini file; environment variables override secrets and addresses."""
from __future__ import annotations

import os

# environment variable -> setting it overrides
ENVIRONMENT_OVERRIDES = {
    "DATABASE_URL": "sqlalchemy.url",
    "CAPACITA_SECRET": "session.secret",
    "CAPACITA_PUBLIC_URL": "app.public_url",
    "SMTP_HOST": "mail.host",
    "SMTP_PORT": "mail.port",
    "SMTP_USERNAME": "mail.username",
    "SMTP_PASSWORD": "mail.password",
    "SMTP_TLS": "mail.tls",
    "SMTP_SSL": "mail.ssl",
    "MAIL_SENDER": "mail.default_sender",
    "THROTTLE_STORAGE": "throttle.storage",
}

REQUIRED_IN_PRODUCTION = ("sqlalchemy.url", "session.secret")


class SettingsError(RuntimeError):
    pass


def as_bool(value) -> bool:
    return str(value).strip().lower() in {"1", "true", "yes", "on"}


def apply_environment(settings: dict, environ=os.environ) -> dict:
    """Return the settings with environment overrides applied and checked."""
    settings = dict(settings)
    for variable, key in ENVIRONMENT_OVERRIDES.items():
        value = environ.get(variable)
        if value:
            settings[key] = value
    if as_bool(settings.get("app.require_secrets", False)):
        missing = [key for key in REQUIRED_IN_PRODUCTION if not settings.get(key)]
        if missing:
            names = [name for name, key in ENVIRONMENT_OVERRIDES.items() if key in missing]
            raise SettingsError(f"set these environment variables: {', '.join(names)}")
    return settings
