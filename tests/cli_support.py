"""Run the ``rempart`` command line in-process with settings read afresh from the environment."""

from __future__ import annotations

from click.testing import Result
from typer.testing import CliRunner


def invoke_rempart(*args: str) -> Result:
    """``rempart ARGS`` after the test set its REMPART_* variables; the cached settings are
    dropped before and after, so neither this test nor the next sees stale ones."""
    from rempart.cli import app
    from rempart.config import get_settings

    get_settings.cache_clear()
    try:
        return CliRunner().invoke(app, list(args))
    finally:
        get_settings.cache_clear()
