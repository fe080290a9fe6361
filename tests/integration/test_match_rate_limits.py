"""Partner rate limits live in the database: every process draws from one bucket per key."""

from __future__ import annotations

import threading

import pytest

from rempart.detect import partners
from rempart.detect.partners import SharedRateLimiter
from rempart.store.db import make_engine, make_session_factory


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def key_id(sessions):
    with sessions.begin() as s:
        _, key = partners.create_partner(s, "Platform", rate_per_minute=60)
        caller = partners.authenticate(s, key)
    return caller.key_id


def test_it_allows_a_burst_then_asks_to_wait_until_a_token_refills(sessions, key_id):
    clock = Clock()
    limiter = SharedRateLimiter(sessions, clock)
    assert [limiter.take(key_id, per_minute=60) for _ in range(60)] == [0.0] * 60
    assert limiter.take(key_id, per_minute=60) == pytest.approx(1.0)
    clock.now += 0.5
    assert limiter.take(key_id, per_minute=60) == pytest.approx(0.5)
    clock.now += 0.5
    assert limiter.take(key_id, per_minute=60) == 0.0


def test_two_processes_share_the_bucket_of_a_key(migrated_url, key_id):
    clock = Clock()
    engines = [make_engine(migrated_url), make_engine(migrated_url)]  # one per "process"
    first, second = (SharedRateLimiter(make_session_factory(e), clock) for e in engines)
    allowed = [limiter.take(key_id, per_minute=60, cost=10) == 0.0
               for _ in range(4) for limiter in (first, second)]
    assert allowed == [True] * 6 + [False] * 2
    for engine in engines:
        engine.dispose()


def test_it_counts_queries_not_requests(sessions, key_id):
    limiter = SharedRateLimiter(sessions, Clock())
    assert limiter.take(key_id, per_minute=60, cost=60) == 0.0
    assert limiter.take(key_id, per_minute=60, cost=1) == pytest.approx(1.0)


def test_a_request_above_the_limit_passes_once_and_leaves_a_debt(sessions, key_id):
    clock = Clock()
    limiter = SharedRateLimiter(sessions, clock)
    assert limiter.take(key_id, per_minute=60, cost=1000) == 0.0  # the 1,000 queries of a call
    assert limiter.take(key_id, per_minute=60) == pytest.approx(941.0)
    clock.now += 941
    assert limiter.take(key_id, per_minute=60) == 0.0


def test_concurrent_takes_never_exceed_the_bucket(migrated_url, key_id):
    clock = Clock()  # frozen: no refill while the threads run
    engines = [make_engine(migrated_url) for _ in range(4)]
    limiters = [SharedRateLimiter(make_session_factory(e), clock) for e in engines]
    results: list[bool] = []
    lock = threading.Lock()

    def hammer(limiter: SharedRateLimiter) -> None:
        for _ in range(25):
            ok = limiter.take(key_id, per_minute=60) == 0.0
            with lock:
                results.append(ok)

    threads = [threading.Thread(target=hammer, args=(lim,)) for lim in limiters]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for engine in engines:
        engine.dispose()
    assert len(results) == 100 and sum(results) == 60
