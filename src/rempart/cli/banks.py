"""``rempart bank ...``, ``rempart partner add`` and ``rempart scan``: hash banks from the shell."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import Optional

import typer
from sqlalchemy.orm import Session

from rempart.cli import session_factory
from rempart.detect import bank_files, banks, matching, partners
from rempart.detect.banks import BankError, HashInput

bank_app = typer.Typer(help="Hash banks: create, add, withdraw, import, export, match.",
                       no_args_is_help=True)
partner_app = typer.Typer(help="Partners of the matching API and their keys.",
                          no_args_is_help=True)


@contextmanager
def _transaction() -> Iterator[Session]:
    """One transaction; bad input exits with code 2 and stores nothing."""
    from rempart.cli import fail

    try:
        with session_factory().begin() as session:
            yield session
    except BankError as exc:
        fail(str(exc))


@bank_app.command("create")
def create(name: str, kind: str = typer.Option("ncii-adults", help=", ".join(banks.BANK_KINDS)),
           max_distance: int = typer.Option(31, help="PDQ distance up to which hashes match"),
           description: str = "") -> None:
    """Create a bank."""
    with _transaction() as s:
        banks.create_bank(s, name, kind, max_distance, description)
    typer.echo(f"bank {name} created ({kind}, PDQ distance <= {max_distance})")


@bank_app.command("list")
def list_() -> None:
    """Banks with their kind, match distance and number of active hashes."""
    with _transaction() as s:
        for bank, count in banks.list_banks(s):
            typer.echo(f"{bank.name}\t{bank.kind}\t<= {bank.max_distance}\t{count} active")


@bank_app.command("add")
def add(bank: str, signal_type: str, hash_value: str = typer.Argument(..., metavar="HASH"),
        case_reference: str = "", content_id: str = "",
        quality: Optional[int] = None) -> None:  # noqa: UP045 - Typer needs Optional here
    """Add one hash (pdq, vpdq or video_md5) to BANK; prints its case reference."""
    with _transaction() as s:
        (entry_id,) = banks.add_hashes(s, bank, [HashInput(signal_type, hash_value,
                                                           case_reference, content_id,
                                                           quality)], provenance="cli")
        from rempart.store.bank_tables import BankEntry

        entry = s.get(BankEntry, entry_id)
        typer.echo(entry.case_reference if entry else "")


@bank_app.command("withdraw")
def withdraw(case_reference: str,
             bank: Optional[str] = None) -> None:  # noqa: UP045 - Typer needs Optional
    """Withdraw every hash of a case (from BANK only if given)."""
    with _transaction() as s:
        count = banks.withdraw_case(s, case_reference, bank)
    typer.echo(f"{count} hash(es) withdrawn")


@bank_app.command("import")
def import_(bank: str, file: Path = typer.Argument(..., exists=True, dir_okay=False),
            fmt: Optional[str] = typer.Option(None, "--format", help="csv, json or txt")  # noqa: UP045
            ) -> None:
    """Import hashes (threatexchange/HMA formats): all rows are checked before any is stored."""
    with _transaction() as s, file.open(encoding="utf-8", newline="") as stream:
        items = bank_files.read_entries(stream, bank_files.format_of(file.name, fmt))
        count = len(banks.add_hashes(s, bank, items, provenance=f"import:{file.name}"[:200]))
    typer.echo(f"{count} hash(es) imported into {bank}")


@bank_app.command("export")
def export(bank: str, output: Optional[Path] = typer.Option(None, "-o", "--output"),  # noqa: UP045
           fmt: Optional[str] = typer.Option(None, "--format")) -> None:  # noqa: UP045
    """Export the active hashes of BANK (stdout by default, CSV unless the file says otherwise)."""
    with _transaction() as s:
        kind = bank_files.format_of(output.name if output else "x.csv", fmt)
        chunks = bank_files.write_entries(banks.active_entries(s, bank), kind, bank)
        if output is None:
            for chunk in chunks:
                sys.stdout.write(chunk)
            return
        with output.open("w", encoding="utf-8") as fh:
            fh.writelines(chunks)


@bank_app.command("match")
def match(signal_type: str, hash_value: str = typer.Argument(..., metavar="HASH"),
          bank: list[str] = typer.Option([], "--bank", help="only these banks")) -> None:
    """Match one hash against the banks; prints one JSON object per match."""
    from rempart.detect.bank_index import BankIndex

    factory = session_factory()
    index = BankIndex(factory)
    index.refresh()
    with _transaction() as s:
        (result,) = matching.match(s, index, [HashInput(signal_type, hash_value)], bank or None)
    if result.suppressed:
        typer.echo(json.dumps({"suppressed": "matches a negative bank"}))
    for m in result.matches:
        typer.echo(json.dumps(asdict(m)))


@partner_app.command("add")
def partner_add(name: str, can_write: bool = False, rate_per_minute: int = 600) -> None:
    """Create a partner and print its API key (shown only this once)."""
    with _transaction() as s:
        _, key = partners.create_partner(s, name, can_write, rate_per_minute)
    typer.echo(key)


def scan(input_path: Path = typer.Argument(..., metavar="INPUT", exists=True),
         bank: list[str] = typer.Option(..., "--bank", help="bank(s) to match against"),
         scheduler: Optional[str] = typer.Option(None, help="tcp://HOST:PORT"),  # noqa: UP045
         output: Path = typer.Option(Path("matches.csv"), "-o", "--output"),
         workers: int = typer.Option(2, help="local cluster worker processes")) -> None:
    """Match a backlog (CSV/Parquet of hashes, or a folder of images) on Dask."""
    from distributed import Client, LocalCluster

    from rempart.detect import scan as scanning

    with _transaction() as s:
        snapshot = scanning.take_snapshot(s, bank)
        partitions = scanning.input_partitions(input_path)
    cluster = None if scheduler else LocalCluster(n_workers=workers, threads_per_worker=1,
                                                  dashboard_address=None)
    with Client(scheduler or cluster) as client:
        result = scanning.run_scan(partitions, snapshot, client, progress=True)
    if cluster is not None:
        cluster.close()
    result.to_csv(output, index=False)
    typer.echo(f"\n{len(result)} match(es) written to {output}")


def register(app: typer.Typer) -> None:
    app.add_typer(bank_app, name="bank")
    app.add_typer(partner_app, name="partner")
    app.command("scan")(scan)
