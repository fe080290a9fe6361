"""The per-key token bucket of the matching API."""

from __future__ import annotations

from rempart.detect.partners import RateLimiter


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_it_allows_a_burst_then_asks_to_wait_until_a_token_refills():
    clock = Clock()
    limiter = RateLimiter(clock)
    assert [limiter.take(1, per_minute=60) for _ in range(60)] == [0.0] * 60
    assert limiter.take(1, per_minute=60) == 1.0
    clock.now += 0.5
    assert limiter.take(1, per_minute=60) == 0.5
    clock.now += 0.5
    assert limiter.take(1, per_minute=60) == 0.0


def test_it_keeps_one_bucket_per_key():
    limiter = RateLimiter(Clock())
    for _ in range(3):
        limiter.take(1, per_minute=3)
    assert limiter.take(1, per_minute=3) > 0
    assert limiter.take(2, per_minute=3) == 0.0
