"""The Huey job queue, built from Settings: SQLite in the data folder by default, Redis when
``REMPART_JOBS_BACKEND=redis``, and immediate (inline) mode when ``settings.jobs_immediate``.
"""

from __future__ import annotations

import functools

from huey import Huey, RedisHuey, SqliteHuey

from rempart.config import Settings, get_settings

QUEUE_NAME = "rempart"


def make_huey(settings: Settings) -> Huey:
    if settings.jobs_backend == "redis":
        return RedisHuey(QUEUE_NAME, url=settings.redis_url, immediate=settings.jobs_immediate)
    if settings.jobs_backend != "sqlite":
        raise ValueError(f"unknown jobs backend {settings.jobs_backend!r} (sqlite or redis)")
    if settings.jobs_immediate:
        # Immediate mode keeps its queue in memory: tests leave nothing behind.
        return SqliteHuey(QUEUE_NAME, immediate=True)
    path = settings.ensure_data_dir() / "jobs.sqlite3"
    return SqliteHuey(QUEUE_NAME, filename=str(path))


@functools.lru_cache(maxsize=1)
def get_huey() -> Huey:
    return make_huey(get_settings())
