"""``rempart worker``: the background job consumer (Huey) for every capability's tasks.

Production runs it beside the web app (on Redis); ``rempart serve`` on the embedded SQLite queue
runs the same tasks in its own process instead (``rempart.jobs.queue.start_embedded_consumer``).
"""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    app.command("worker")(worker)


def worker(workers: int = typer.Option(1, min=1, max=8, help="Worker threads.")) -> None:
    """Run the background job consumer (Huey): classification, checkpoints, notifications,
    overdue takedowns."""
    import logging

    from huey.consumer import Consumer

    from rempart.jobs.queue import get_huey, register_all_tasks

    # Huey reports task names and ids only; task arguments (case ids) are not message contents.
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    import rempart.bootstrap  # noqa: F401  (registers the application builder the jobs use)
    from rempart.config import get_settings
    from rempart.services.integrity import check_at_start

    check_at_start(get_settings())  # refuses a database rolled back below its ledger witness
    register_all_tasks(get_huey())
    Consumer(get_huey(), workers=workers, worker_type="thread").run()
