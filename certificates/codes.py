"""Serial numbers and verification codes.

A serial (`PE-2026-000123`) says where and when a certificate was issued; it comes from
`SerialCounter`, one row per country and year, raised with a guarded UPDATE so that two
concurrent issues never get the same number. A verification code is what a reader types on
the public page: 14 characters of Crockford's base32 (no I, L, O or U), 70 random bits,
grouped by four (`7K3M-Q9XD-2HTB-NC`).
"""
from __future__ import annotations

import re
import secrets

from sqlalchemy import insert, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .models import SerialCounter

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's base32: 32 symbols, 5 bits each
CODE_LENGTH = 14  # 70 bits
GROUP = 4
# What people type instead: lower case, O for zero, I and L for one.
CONFUSABLE = str.maketrans({"O": "0", "I": "1", "L": "1"})
SEPARATORS = re.compile(r"[\s\-_.·]+")


def new_verification_code() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
    return group(raw)


def group(raw: str) -> str:
    return "-".join(raw[start:start + GROUP] for start in range(0, len(raw), GROUP))


def normalise_code(typed: str) -> str | None:
    """The canonical form of a typed code, or None when it cannot be one."""
    raw = SEPARATORS.sub("", (typed or "").upper()).translate(CONFUSABLE)
    if len(raw) != CODE_LENGTH or any(char not in ALPHABET for char in raw):
        return None
    return group(raw)


def format_serial(country: str, year: int, number: int) -> str:
    return f"{country.upper()}-{year}-{number:06d}"


_SERIAL_SHAPE = re.compile(r"[A-Z]{2}-\d{4}-\d{6,}")


def looks_like_serial(typed: str) -> bool:
    """Whether what was typed has the shape of a serial (`format_serial`): people type the
    certificate's number where its verification code is asked. Serials are never looked up on
    the public page — they follow each other, and would list every holder's name."""
    return bool(_SERIAL_SHAPE.fullmatch(SEPARATORS.sub("-", (typed or "").strip().upper())))


def next_serials(dbsession: Session, country: str, year: int, count: int = 1) -> list[str]:
    """Reserve `count` consecutive serials for a country and year."""
    country = (country or "XX").upper()
    for _attempt in range(3):
        last = dbsession.scalar(
            update(SerialCounter)
            .where(SerialCounter.country == country, SerialCounter.year == year)
            .values(last_value=SerialCounter.last_value + count)
            .returning(SerialCounter.last_value)
            .execution_options(synchronize_session=False)
        )
        if last is not None:
            return [format_serial(country, year, number) for number in range(last - count + 1, last + 1)]
        # The first certificate of that country and year: create its counter. A concurrent
        # request may create it first; then the UPDATE above wins on the next attempt.
        try:
            with dbsession.begin_nested():
                dbsession.execute(insert(SerialCounter).values(country=country, year=year, last_value=0))
        except IntegrityError:
            pass
    raise RuntimeError(f"could not reserve a serial for {country} {year}")

