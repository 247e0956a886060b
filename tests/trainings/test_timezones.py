import datetime as dt

import pytest

from trainings.timezones import NonexistentLocalTime, combine_local, local_to_utc, shift_keeping_local_time


def test_nine_in_lima_and_in_asuncion_are_different_instants():
    day = dt.date(2026, 7, 15)
    assert combine_local(day, dt.time(9), "America/Lima") == dt.datetime(2026, 7, 15, 14, tzinfo=dt.UTC)
    # Paraguay has kept UTC-3 all year since its 2024 rule change.
    assert combine_local(day, dt.time(9), "America/Asuncion") == dt.datetime(2026, 7, 15, 12, tzinfo=dt.UTC)


def test_asuncion_before_its_zone_rule_change_used_winter_time():
    assert combine_local(dt.date(2024, 7, 15), dt.time(9), "America/Asuncion") == \
        dt.datetime(2024, 7, 15, 13, tzinfo=dt.UTC)


def test_a_skipped_local_time_is_refused():
    with pytest.raises(NonexistentLocalTime):
        local_to_utc(dt.datetime(2026, 3, 29, 2, 30), "Europe/Madrid")


def test_shifting_keeps_the_local_clock_time_across_dst():
    before = combine_local(dt.date(2026, 3, 20), dt.time(9), "Europe/Madrid")
    after = shift_keeping_local_time(before, "Europe/Madrid", days=14)
    assert after.astimezone(dt.UTC).hour == 7 and before.hour == 8


def test_zones_come_from_the_pinned_tzdata_package_not_the_system():
    import zoneinfo

    import tzdata

    assert zoneinfo.TZPATH == ()  # nothing read from /usr/share/zoneinfo, whatever its age
    assert tzdata.IANA_VERSION >= "2024b"  # Paraguay's permanent UTC−3
    assert combine_local(dt.date(2025, 1, 15), dt.time(9), "America/Asuncion") == \
        combine_local(dt.date(2025, 7, 15), dt.time(9), "America/Asuncion") - dt.timedelta(days=181)
