"""The one place where local clock times and UTC instants are converted.

Times are stored in UTC and entered and shown in the zone of the training's region. A local
time that does not exist (skipped by a DST change) is refused rather than guessed; one that
happens twice (clocks turned back) means its first occurrence.
"""
from __future__ import annotations

import datetime as dt
import zoneinfo
from zoneinfo import ZoneInfo

# The zones come from the `tzdata` package the project pins, never from the system's copy,
# which may be older (Paraguay keeps UTC−3 all year since October 2024: tzdata 2024b), and
# differ between the machines of one installation.
zoneinfo.reset_tzpath(to=[])
ZoneInfo.clear_cache()


class NonexistentLocalTime(ValueError):
    """The clock skips this local time in that zone (the start of daylight saving time)."""


def as_zone(zone: ZoneInfo | str) -> ZoneInfo:
    return zone if isinstance(zone, ZoneInfo) else ZoneInfo(zone)


def local_to_utc(local: dt.datetime, zone: ZoneInfo | str) -> dt.datetime:
    """The UTC instant of a naive local clock time in `zone`."""
    if local.tzinfo is not None:
        raise ValueError("expected a local clock time without a zone")
    zone = as_zone(zone)
    aware = local.replace(tzinfo=zone, fold=0)
    instant = aware.astimezone(dt.UTC)
    if instant.astimezone(zone).replace(tzinfo=None) != local:
        raise NonexistentLocalTime(f"{local:%Y-%m-%d %H:%M} does not exist in {zone.key}")
    return instant


def combine_local(day: dt.date, clock: dt.time, zone: ZoneInfo | str) -> dt.datetime:
    return local_to_utc(dt.datetime.combine(day, clock), zone)


def utc_to_local(instant: dt.datetime, zone: ZoneInfo | str) -> dt.datetime:
    """The aware local datetime of a UTC instant in `zone`."""
    if instant.tzinfo is None:
        raise ValueError("expected an aware datetime")
    return instant.astimezone(as_zone(zone))


def local_date(instant: dt.datetime, zone: ZoneInfo | str) -> dt.date:
    return utc_to_local(instant, zone).date()


def shift_keeping_local_time(instant: dt.datetime, zone: ZoneInfo | str, days: int,
                             to_zone: ZoneInfo | str | None = None) -> dt.datetime:
    """Move an instant by whole days keeping its local clock time (09:00 stays 09:00 across
    DST changes), optionally re-reading that clock time in another zone."""
    local = utc_to_local(instant, zone).replace(tzinfo=None) + dt.timedelta(days=days)
    return local_to_utc(local, to_zone or zone)
