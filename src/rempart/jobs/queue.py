"""The Huey job queue, built from Settings: SQLite in the data folder by default, Redis when
``REMPART_JOBS_BACKEND=redis``, and immediate (inline) mode when ``settings.jobs_immediate``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from huey import Huey, RedisHuey, SqliteHuey
from huey.api import TaskWrapper

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


@dataclass(frozen=True)
class CaseTask:
    """A job that takes one id (a case, a capture request) and runs ``run(app, id)`` in the
    worker, on an application the worker builds for itself and disposes of after."""

    name: str
    run: Callable[[Any, str], Any]
    retries: int = 0
    retry_delay: int = 0

    def in_worker(self, argument: str) -> Any:
        from rempart.services.app import build_app

        services = build_app(get_settings())
        try:
            return self.run(services, argument)
        finally:
            services.dispose()

    def register(self, huey: Huey) -> TaskWrapper:
        """Known by name to ``huey``'s consumer (the worker and the embedded consumer)."""
        return huey.task(retries=self.retries, retry_delay=self.retry_delay,
                         name=self.name)(self.in_worker)

    def enqueue(self, settings: Settings, argument: str) -> None:
        """Put one run on the queue of ``settings`` (raises if the queue is down)."""
        _queued(self, settings.jobs_backend, settings.redis_url,
                str(settings.data_dir.resolve()))(argument)


@functools.lru_cache(maxsize=16)
def _queued(task: CaseTask, backend: str, redis_url: str, data_dir: str) -> TaskWrapper:
    settings = Settings(jobs_backend=backend, redis_url=redis_url, data_dir=Path(data_dir))
    return task.register(make_huey(settings))


def register_all_tasks(huey: Huey) -> None:
    """Every capability's tasks on ``huey`` (the worker and the embedded consumer alike)."""
    import rempart.jobs.checkpoints  # noqa: F401  (custody ledger: signs checkpoints each minute)
    from rempart.jobs import notify, overdue
    from rempart.services.classification import register_worker_task

    register_worker_task(huey)  # classification of new reports, then triage
    notify.register_worker_tasks(huey)  # "something new in your case" e-mails
    overdue.register_worker_tasks(huey)  # takedowns past their platform's service level
    from rempart.jobs import ocr
    ocr.register_worker_tasks(huey)  # screenshots read (OCR), every kind of evidence read, then
    # classified again
    from rempart.jobs import capture
    capture.register_worker_tasks(huey)  # pages captured from the portal and the back-office


def runs_inline(settings: Settings) -> bool:
    """Whether ``rempart serve`` runs the jobs in its own process: by default with the embedded
    SQLite queue, never with Redis (production keeps a separate ``rempart worker``)."""
    if settings.jobs_immediate:
        return False  # immediate mode runs each job inside the request already
    if settings.jobs_inline is not None:
        return settings.jobs_inline
    return settings.jobs_backend == "sqlite"


class EmbeddedConsumer:
    """A Huey consumer in threads of the serving process; it leaves the process's signal
    handlers alone (the web server owns them) and is stopped by ``stop()``."""

    def __init__(self, huey: Huey, workers: int) -> None:
        from huey.consumer import Consumer

        class _Quiet(Consumer):  # type: ignore[misc]
            def _set_signal_handlers(self) -> None:
                pass

        self.consumer = _Quiet(huey, workers=workers, worker_type="thread",
                               check_worker_health=False)

    def start(self) -> None:
        self.consumer.start()

    def stop(self) -> None:
        self.consumer.stop(graceful=True)


def start_embedded_consumer(settings: Settings) -> EmbeddedConsumer | None:
    """Start the jobs inside this process when ``runs_inline``; the consumer, or None."""
    if not runs_inline(settings):
        return None
    huey = get_huey()
    register_all_tasks(huey)
    consumer = EmbeddedConsumer(huey, max(1, min(settings.jobs_inline_workers, 8)))
    consumer.start()
    return consumer
