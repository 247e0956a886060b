"""Texts kept in several languages (`{"es": …, "en": …, "fr": …}`): each reader gets their own
language when it was written, else the bank's language, else any that was."""
from __future__ import annotations

from trainings.models import Language

LANGUAGES = tuple(str(language) for language in Language)


def text_in(texts: dict, language: str, default: str = "es") -> str:
    for candidate in (language, default, *LANGUAGES):
        value = (texts or {}).get(candidate, "").strip()
        if value:
            return value
    return ""


def clean_texts(values: dict, prefix: str = "text_") -> dict:
    """The non-blank texts of a form's `text_es`, `text_en`, `text_fr` fields."""
    return {language: values.get(prefix + language, "").strip() for language in LANGUAGES
            if values.get(prefix + language, "").strip()}
