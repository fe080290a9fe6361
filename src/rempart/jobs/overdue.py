"""Flagging takedown requests whose platform service level ran out (every five minutes).

Flagged requests are listed first in ``rempart takedown list --overdue`` and on the case's
takedown page, trusted flaggers' notices first; flagging is audited (system actor).
"""

from __future__ import annotations

import structlog
from huey import Huey, crontab

from rempart.config import Settings, get_settings

PERIODIC_NAME = "flag_overdue_takedowns"
log = structlog.get_logger(__name__)


def flag_now(settings: Settings) -> int:
    """Flag the newly overdue takedowns; how many."""
    from rempart.services.app import build_app
    from rempart.services.takedowns import flag_overdue

    services = build_app(settings)
    try:
        flagged = flag_overdue(services)
    finally:
        services.dispose()
    if flagged:
        log.info("takedowns.overdue", count=len(flagged))
    return len(flagged)


def _run_periodic() -> int:
    return flag_now(get_settings())


def register_worker_tasks(huey: Huey) -> None:
    huey.periodic_task(crontab(minute="*/5"), name=PERIODIC_NAME)(_run_periodic)
