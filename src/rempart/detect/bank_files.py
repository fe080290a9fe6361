"""Bank import and export in the formats partners already exchange.

- ``txt``: python-threatexchange's file exchange (``LocalFileSignalExchangeAPI``): one
  ``<signal_type> <signal>`` per line, e.g. ``pdq 2d3f...``.
- ``csv``: a header row with HMA's field names ``signal_type,signal_value`` (the parameters of
  HMA's ``/matches/for-hash/`` lookup) plus ``case_reference,content_id,quality,provenance``.
  ``signal`` and ``hash`` are accepted as names of the value column on import.
- ``json``: ``{"bank": NAME, "signals": [{"signal_type": ..., "signal_value": ..., ...}]}``;
  a bare list of such objects is accepted on import.
Signal type names are threatexchange's: ``pdq``, ``vpdq``, ``video_md5``.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from typing import Any, TextIO

from rempart.detect.banks import BankError, HashInput
from rempart.store.bank_tables import BankEntry

FORMATS = ("csv", "json", "txt")
CSV_FIELDS = ["signal_type", "signal_value", "case_reference", "content_id", "quality",
              "provenance"]
VALUE_COLUMNS = ("signal_value", "signal", "hash")


def format_of(filename: str, explicit: str | None = None) -> str:
    fmt = (explicit or filename.rsplit(".", 1)[-1]).lower()
    if fmt not in FORMATS:
        raise BankError(f"unknown format {fmt!r} (csv, json, txt)")
    return fmt


def _quality(value: Any, row: int) -> int | None:
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise BankError(f"row {row}: quality must be a whole number") from None


def _from_mapping(item: dict[str, Any], row: int) -> HashInput:
    value = next((item[c] for c in VALUE_COLUMNS if item.get(c)), None)
    if not isinstance(value, str) or not isinstance(item.get("signal_type"), str):
        raise BankError(f"row {row}: signal_type and signal_value are required")
    return HashInput(item["signal_type"], value, str(item.get("case_reference") or ""),
                     str(item.get("content_id") or ""), _quality(item.get("quality"), row),
                     str(item.get("provenance") or ""))


def read_entries(stream: TextIO, fmt: str) -> list[HashInput]:
    if fmt == "txt":
        items = []
        for row, line in enumerate(stream, start=1):
            signal_type, _, value = line.strip().partition(" ")
            if signal_type and not signal_type.startswith("#"):
                if not value:
                    raise BankError(f"line {row}: expected '<signal_type> <signal>'")
                items.append(HashInput(signal_type, value.strip()))
        return items
    if fmt == "csv":
        reader = csv.DictReader(stream)
        if not reader.fieldnames or "signal_type" not in reader.fieldnames:
            raise BankError("CSV needs a header with signal_type and signal_value")
        return [_from_mapping(r, i) for i, r in enumerate(reader, start=2)]
    try:
        data = json.load(stream)
    except json.JSONDecodeError as exc:
        raise BankError(f"invalid JSON: {exc.msg} at line {exc.lineno}") from None
    signals = data.get("signals") if isinstance(data, dict) else data
    if not isinstance(signals, list) or not all(isinstance(s, dict) for s in signals):
        raise BankError('JSON must be {"signals": [{"signal_type": ..., "signal_value": ...}]}')
    return [_from_mapping(s, i) for i, s in enumerate(signals, start=1)]


def _row(entry: BankEntry) -> dict[str, Any]:
    return {"signal_type": entry.signal_type, "signal_value": entry.hash,
            "case_reference": entry.case_reference, "content_id": entry.content_id,
            "quality": entry.quality, "provenance": entry.provenance}


def write_entries(entries: Iterable[BankEntry], fmt: str, bank_name: str) -> Iterator[str]:
    """The export as text chunks (streamed: a bank may hold millions of hashes)."""
    if fmt == "txt":
        for e in entries:
            yield f"{e.signal_type} {e.hash}\n"
    elif fmt == "csv":
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=CSV_FIELDS, lineterminator="\n")
        writer.writeheader()
        for e in entries:
            writer.writerow(_row(e))
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
        yield buffer.getvalue()
    else:
        yield '{"bank": ' + json.dumps(bank_name) + ', "signals": ['
        for i, e in enumerate(entries):
            yield ("," if i else "") + "\n  " + json.dumps(_row(e))
        yield "\n]}\n"
