"""Rate limits for what attackers hammer: logins, verification lookups, link requests."""
from __future__ import annotations

import time

from limits import parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter


class Throttle:
    """A named rate ("5/15 minutes") counted per key, e.g. per client address and account."""

    def __init__(self, limiter: MovingWindowRateLimiter, name: str, rate: str):
        self.limiter = limiter
        self.name = name
        self.item = parse(rate)

    def allows(self, *key: str) -> bool:
        """True while the key is under its limit; does not count a hit."""
        return self.limiter.test(self.item, self.name, *key)

    def hit(self, *key: str) -> bool:
        """Count one hit; False when it went over the limit."""
        return self.limiter.hit(self.item, self.name, *key)

    def retry_after_seconds(self, *key: str) -> int:
        reset_at, _remaining = self.limiter.get_window_stats(self.item, self.name, *key)
        return max(int(reset_at - time.time()), 1)

    def clear(self, *key: str) -> None:
        self.limiter.clear(self.item, self.name, *key)


def client_address(request) -> str:
    return request.client_addr or "unknown"


def includeme(config):
    """`config.add_throttle(name, rate)` declares one; `request.throttle(name)` uses it.
    A rate can be overridden in the ini as `throttle.NAME = 10/minute`."""
    settings = config.get_settings()
    limiter = MovingWindowRateLimiter(storage_from_string(settings.get("throttle.storage", "memory://")))
    throttles: dict[str, Throttle] = {}
    config.registry["throttles"] = throttles

    def add_throttle(config, name: str, rate: str):
        throttles[name] = Throttle(limiter, name, settings.get(f"throttle.{name}", rate))

    def throttle(request, name: str) -> Throttle:
        return throttles[name]

    config.add_directive("add_throttle", add_throttle)
    config.add_request_method(throttle, "throttle")
    config.add_throttle("login", "5/15 minutes")
    # Password-reset emails: per address (no mailbox flooded), per client (no address probing).
    config.add_throttle("reset_address", "3/hour")
    config.add_throttle("reset_client", "10/hour")
