"""``rempart qualify --json facts.json [--lang fr|en] [--today YYYY-MM-DD]``.

Prints the same JSON as ``POST /api/v1/qualify``: the offences the facts may constitute, their
maximum penalties and deadlines. ``--json -`` reads standard input. Stores nothing.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated

import typer

MAX_BYTES = 64 * 1024


def register(app: typer.Typer) -> None:
    app.command("qualify")(qualify)


def qualify(
    facts_file: Annotated[str, typer.Option(
        "--json", help="JSON file of facts (ReportFacts names, kinds, labels, today); - for "
                       "standard input.")],
    lang: Annotated[str, typer.Option("--lang", help="fr or en.")] = "fr",
    today: Annotated[str | None, typer.Option(
        help="Assess the deadlines on this day (YYYY-MM-DD; default: today, or the file's "
             "today).")] = None,
) -> None:
    """Which offences some facts may constitute, penalties and deadlines (information, not
    legal advice)."""
    from rempart.cli import fail
    from rempart.domain.facts import InvalidFacts
    from rempart.services import legal

    if lang not in ("fr", "en"):
        fail(f"--lang: fr or en, not {lang[:20]!r}")
    try:
        raw = sys.stdin.buffer.read(MAX_BYTES + 1) if facts_file == "-" else \
            Path(facts_file).read_bytes()
    except OSError as exc:
        fail(f"--json: cannot read {facts_file}: {exc.strerror or exc}")
    if len(raw) > MAX_BYTES:
        fail(f"--json: larger than {MAX_BYTES} bytes")
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        fail("--json: not UTF-8 text")
    except ValueError as exc:
        fail(f"--json: invalid JSON: {str(exc)[:120]}")
    day = datetime.now(UTC).date()
    if today is not None:
        try:
            day = date.fromisoformat(today)
        except ValueError:
            fail(f"--today: not a date (YYYY-MM-DD): {today[:40]}")
        if isinstance(data, dict):
            data = {**data, "today": day.isoformat()}
    try:
        request = legal.parse_qualify_request(data, day)
    except InvalidFacts as exc:
        fail(str(exc))
    typer.echo(json.dumps(legal.qualify(request, lang), ensure_ascii=False, indent=2))
