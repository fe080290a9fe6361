"""Delivering the reporter notifications ("something new in your case") through SMTP.

The queue carries no argument at all: the job reads the pending rows (case ids only) and each
contact at sending time. A delivery that failed is retried by Huey (``retries``, ``retry_delay``)
and, whatever happens to the queue, by the periodic task every minute; a notification gives up
after ``MAX_ATTEMPTS`` tries (see ``rempart.services.notifications``).
"""

from __future__ import annotations

import contextlib
import functools
from pathlib import Path

import structlog
from huey import Huey, crontab
from huey.api import TaskWrapper

from rempart.config import Settings, get_settings
from rempart.jobs.queue import make_huey

TASK_NAME = "deliver_notifications"
PERIODIC_NAME = "deliver_notifications_every_minute"
RETRIES = 5
RETRY_DELAY_SECONDS = 60
log = structlog.get_logger(__name__)


class DeliveryIncomplete(Exception):
    """Some notifications could not be sent this time (Huey retries the task)."""


def deliver_now(settings: Settings) -> tuple[int, int, int]:
    """Send what is pending; (sent, skipped, failed)."""
    from rempart.services.app import build_app
    from rempart.services.notifications import deliver_pending

    services = build_app(settings)
    try:
        done = deliver_pending(services.uow, settings)
    finally:
        services.dispose()
    if done.sent or done.failed:
        log.info("notifications.delivered", sent=done.sent, skipped=done.skipped,
                 failed=done.failed)
    return done.sent, done.skipped, done.failed


def run_delivery(settings: Settings) -> int:
    """The task's body: how many were sent; DeliveryIncomplete (Huey retries) if any failed."""
    sent, _skipped, failed = deliver_now(settings)
    if failed:
        raise DeliveryIncomplete(f"{failed} notification(s) not sent yet")
    return sent


def _run_in_worker() -> int:
    return run_delivery(get_settings())


def _run_periodic() -> None:
    with contextlib.suppress(DeliveryIncomplete):  # counted on the rows; next minute retries
        _run_in_worker()


def register_worker_tasks(huey: Huey) -> None:
    """Called by ``rempart worker`` and the embedded consumer of ``rempart serve``."""
    huey.task(retries=RETRIES, retry_delay=RETRY_DELAY_SECONDS, name=TASK_NAME)(_run_in_worker)
    huey.periodic_task(crontab(minute="*"), name=PERIODIC_NAME)(_run_periodic)


@functools.lru_cache(maxsize=8)
def _queue(backend: str, redis_url: str, data_dir: str) -> tuple[Huey, TaskWrapper]:
    huey = make_huey(Settings(jobs_backend=backend, redis_url=redis_url,
                              data_dir=Path(data_dir)))
    task = huey.task(retries=RETRIES, retry_delay=RETRY_DELAY_SECONDS,
                     name=TASK_NAME)(_run_in_worker)
    return huey, task


def deliver_notifications(settings: Settings | None = None) -> None:
    """Deliver now (``REMPART_JOBS_IMMEDIATE``) or queue the delivery for the consumer."""
    settings = settings or get_settings()
    if settings.jobs_immediate:
        deliver_now(settings)
        return
    _, task = _queue(settings.jobs_backend, settings.redis_url, str(settings.data_dir.resolve()))
    task()
