"""``rempart helplines``: text and JSON output, --at in any offset, one-line error on bad input."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from rempart.cli import app

runner = CliRunner()


def test_it_shows_3018_closed_at_night_with_its_next_opening():
    result = runner.invoke(app, ["helplines", "--at", "2026-11-28T23:30"])
    assert result.exit_code == 0
    line = next(x for x in result.stdout.splitlines() if x.startswith("3018"))
    assert "opens 2026-11-29 09:00" in line
    assert "replaced by 3018" in result.stdout


def test_it_prints_json_with_the_instant_in_paris_time():
    result = runner.invoke(app, ["helplines", "--json", "--at", "2026-07-01T07:30:00Z"])
    assert result.exit_code == 0
    document = json.loads(result.stdout)
    assert document["at"] == "2026-07-01T09:30:00+02:00"
    rows = {row["id"]: row for row in document["services"]}
    assert rows["3018"]["open"] and rows["3018"]["closes_at"] == "2026-07-01T23:00:00+02:00"
    assert not rows["net-ecoute"]["open"] and rows["net-ecoute"]["replaced_by"] == "3018"
    assert rows["3114"]["open"] and rows["3114"]["opens_at"] is None


def test_it_exits_2_with_one_line_on_a_bad_datetime():
    result = runner.invoke(app, ["helplines", "--at", "tomorrow"])
    assert result.exit_code == 2
    assert result.stderr.strip().count("\n") == 0 and "ISO 8601" in result.stderr
