"""When a questionnaire can be answered, from its training's sessions (rescheduling a session
moves the window with it):

- pre-test: opens `days_open` days before the first session starts, closes as it starts;
- post-test and satisfaction: open when the last session starts, close `days_open` days after
  it ends;
- follow-up: opens `follow_up_months` after the last session ends, for `days_open` days.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .models import Purpose, Questionnaire

# A reminder goes to who has not answered this long before the window closes (or half-way
# through a shorter window).
REMINDER_BEFORE_CLOSE = dt.timedelta(days=2)


@dataclass(frozen=True)
class Window:
    opens_at: dt.datetime
    closes_at: dt.datetime

    def is_open(self, now: dt.datetime) -> bool:
        return self.opens_at <= now < self.closes_at

    @property
    def reminder_at(self) -> dt.datetime:
        return max(self.closes_at - REMINDER_BEFORE_CLOSE, self.opens_at + (self.closes_at - self.opens_at) / 2)


def add_months(instant: dt.datetime, months: int) -> dt.datetime:
    month_index = instant.month - 1 + months
    year, month = instant.year + month_index // 12, month_index % 12 + 1
    for day in range(instant.day, 27, -1):  # 31 January + 1 month is the last day of February
        try:
            return instant.replace(year=year, month=month, day=day)
        except ValueError:
            continue
    return instant.replace(year=year, month=month, day=min(instant.day, 28))


def window(questionnaire: Questionnaire) -> Window | None:
    """None while the training has no session (nothing to place the window against)."""
    sessions = [session for session in questionnaire.training.sessions if not session.cancelled]
    if not sessions:
        return None
    first = min(session.starts_at for session in sessions)
    last_start = max(session.starts_at for session in sessions)
    last_end = max(session.ends_at for session in sessions)
    days = dt.timedelta(days=questionnaire.days_open)
    if questionnaire.purpose == Purpose.pre:
        return Window(first - days, first)
    if questionnaire.purpose == Purpose.follow_up:
        opens = add_months(last_end, questionnaire.follow_up_months)
        return Window(opens, opens + days)
    return Window(last_start, last_end + days)
