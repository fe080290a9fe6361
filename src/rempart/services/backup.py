"""Online backups and restores (issue 12.15): ``rempart backup DIR [--secrets DIR2]`` and
``rempart restore DIR --data-dir NEW [--secrets DIR2] [--database-url URL]``.

A backup is consistent while the instance runs: the database is copied from one snapshot
(SQLite's online backup API; ``pg_dump`` on a snapshot exported by a REPEATABLE READ transaction
that also lists the vault's data keys), then the ciphertext of every blob that snapshot has a key
for is copied (blobs never change once committed; ones written later are not in the snapshot).
The folder gets ``MANIFEST.json`` last, with the SHA-256 of every file: a backup without it is
incomplete. Secrets (log key, master keys, session and TOTP keys) are copied only to the separate
``--secrets`` folder: a backup folder alone reveals no evidence.

A restore needs those secrets: without them it stops with one line, before writing anything,
and never generates new keys (they would not open the evidence). It restores into a new data
folder (and, for PostgreSQL, an empty database), starts a new log epoch recorded in the log
itself (a ``checkpoint`` custody event naming the backup's last checkpoint, then a checkpoint
signed over it: the restored log is visibly a continuation, not a silent fork), then verifies the
ledger (``verify_ledger``) and every case's bundle.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.orm import Session, sessionmaker

from rempart.config import Settings
from rempart.domain import custody
from rempart.evidence.checkpoint import CheckpointError, load_log_signer, signer_from_seed
from rempart.evidence.custody_log import instance_ledger
from rempart.evidence.interface import EvidenceStore
from rempart.evidence.ledger import Ledger
from rempart.evidence.vault import blob_store_for
from rempart.evidence.witness import witness_path
from rempart.store import migrate
from rempart.store.db import make_engine, make_session_factory
from rempart.store.ledger_tables import LedgerCheckpoint
from rempart.store.tables import CaseRecord
from rempart.store.uow import UnitOfWorkFactory
from rempart.store.vault_tables import CaseTextKeyRecord, VaultKeyRecord

FORMAT = "rempart-backup/1"
MANIFEST = "MANIFEST.json"
SQLITE_FILE, PG_FILE = "database.sqlite", "database.pgdump"
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore that cannot go on (one line for the operator)."""


@dataclass(frozen=True)
class BackupReport:
    folder: Path
    engine: str
    blobs: int
    ledger_size: int
    secrets: Path | None


@dataclass(frozen=True)
class RestoreReport:
    data_dir: Path
    database_url: str
    blobs: int
    ledger_size: int


@dataclass
class RestoreCheck:
    cases: int = 0
    items: int = 0
    problems: list[str] = field(default_factory=list)


# Backup ---------------------------------------------------------------------------------------


def _empty_folder(path: Path, what: str) -> Path:
    if path.exists() and (not path.is_dir() or any(path.iterdir())):
        raise BackupError(f"{what} {path} exists and is not an empty folder")
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(path, 0o700)
    return path.resolve()


def _nested(a: Path, b: Path) -> bool:
    a, b = a.resolve(), b.resolve()
    return a == b or a.is_relative_to(b) or b.is_relative_to(a)


def _write_private(path: Path, data: bytes) -> None:
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())


def _libpq(url: str) -> tuple[str, dict[str, str]]:
    """A libpq URL without the password (it goes into PGPASSWORD, not onto the command line)."""
    parsed = make_url(url)
    env = {**os.environ}
    if parsed.password:
        env["PGPASSWORD"] = str(parsed.password)
    return parsed.set(drivername="postgresql", password=None).render_as_string(
        hide_password=False), env


def _run(command: list[str], env: dict[str, str] | None = None) -> None:
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    except FileNotFoundError:
        raise BackupError(f"{command[0]} is not installed (PostgreSQL client)") from None
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["failed"])[-1]
        raise BackupError(f"{command[0]}: {last}")


def _snapshot_rows(conn: Connection) -> tuple[list[tuple[str, str, str]], dict[str, Any]]:
    keys = [(str(c), str(i), str(m)) for c, i, m in conn.execute(
        select(VaultKeyRecord.case_id, VaultKeyRecord.item_id, VaultKeyRecord.master_key_id))]
    text_keys = {str(m) for m in conn.execute(select(CaseTextKeyRecord.master_key_id)).scalars()}
    keys += [("", "", m) for m in sorted(text_keys)]  # master keys only: no blob to copy
    size = conn.execute(text("SELECT size FROM ledger_head WHERE id = 1")).scalar() or 0
    latest = conn.execute(select(LedgerCheckpoint.note).order_by(LedgerCheckpoint.size.desc())
                          .limit(1)).scalar()
    return keys, {"ledger_size": int(size), "latest_checkpoint": latest}


def backup(settings: Settings, folder: Path, secrets: Path | None = None) -> BackupReport:
    """Write a consistent backup of the running instance into ``folder`` (new or empty)."""
    if secrets is not None and _nested(folder, secrets):
        raise BackupError("the secrets must go to a separate folder, not inside the backup")
    folder = _empty_folder(folder, "backup folder")
    witness = witness_path(settings)
    if witness.is_file():  # before the snapshot: the snapshot is never below it
        _write_private(folder / "witness.json", witness.read_bytes())
    url = settings.resolved_database_url
    engine_name = make_url(url).get_backend_name()
    engine = make_engine(url)
    try:
        if engine_name == "sqlite":
            keys, ledger = _backup_sqlite(url, folder / SQLITE_FILE)
        elif engine_name == "postgresql":
            keys, ledger = _backup_postgres(engine, url, folder / PG_FILE)
        else:
            raise BackupError(f"cannot back up a {engine_name} database")
    finally:
        engine.dispose()
    blobs = blob_store_for(settings)
    blobs_copied = sum(1 for _, item_id, _ in keys if item_id)
    for case_id, item_id, _ in keys:
        if not item_id:
            continue
        target = folder / "vault" / case_id / item_id
        target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            for chunk in blobs.read(f"{case_id}/{item_id}"):
                out.write(chunk)
    if secrets is not None:
        _copy_secrets(settings, _empty_folder(secrets, "secrets folder"))
    manifest = {"format": FORMAT, "created_at": datetime.now(UTC).isoformat(),
                "engine": engine_name, **ledger,
                "log_key": load_log_signer(settings).verifier_key(),
                "master_key_ids": sorted({m for _, _, m in keys}),
                "items": blobs_copied, "files": _hashes(folder)}
    _write_private(folder / MANIFEST, (json.dumps(manifest, indent=2) + "\n").encode())
    return BackupReport(folder, engine_name, blobs_copied, int(ledger["ledger_size"]), secrets)


def _backup_sqlite(url: str, target: Path) -> tuple[list[tuple[str, str, str]], dict[str, Any]]:
    source = sqlite3.connect(str(make_url(url).database), timeout=30)
    copy = sqlite3.connect(str(target))
    try:
        source.backup(copy)  # online and consistent: one read snapshot, WAL included
    finally:
        source.close()
        copy.close()
    os.chmod(target, 0o600)
    engine = make_engine(f"sqlite:///{target}")
    try:
        with engine.connect() as conn:
            return _snapshot_rows(conn)
    finally:
        engine.dispose()


def _backup_postgres(engine: Any, url: str,
                     target: Path) -> tuple[list[tuple[str, str, str]], dict[str, Any]]:
    libpq, env = _libpq(url)
    with (engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn,
          conn.begin()):
        snapshot = conn.execute(text("SELECT pg_export_snapshot()")).scalar()
        _run(["pg_dump", "--format=custom", "--no-owner", f"--snapshot={snapshot}",
              f"--file={target}", f"--dbname={libpq}"], env)
        rows = _snapshot_rows(conn)  # the same snapshot as the dump
    os.chmod(target, 0o600)
    return rows


def _copy_secrets(settings: Settings, target: Path) -> None:
    settings.ensure_data_dir()
    source = settings.resolved_secrets_dir
    if not source.is_dir():
        raise BackupError(f"no secrets folder at {source}")
    for path in sorted(source.rglob("*")):
        if path.is_file():
            _write_private(target / path.relative_to(source), path.read_bytes())


def _hashes(folder: Path) -> dict[str, str]:
    found = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file() and path.name != MANIFEST:
            digest = hashlib.sha256()
            with path.open("rb") as fh:
                while chunk := fh.read(CHUNK):
                    digest.update(chunk)
            found[str(path.relative_to(folder))] = digest.hexdigest()
    return found


# Restore --------------------------------------------------------------------------------------


def read_manifest(folder: Path) -> dict[str, Any]:
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BackupError(f"{folder} is not a complete backup (no {MANIFEST})") from None
    except (OSError, ValueError) as exc:
        raise BackupError(f"{folder / MANIFEST} cannot be read: {exc.__class__.__name__}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{folder} is not a {FORMAT} backup")
    if _hashes(folder) != manifest.get("files"):
        raise BackupError(f"the backup in {folder} is damaged: its files do not match "
                          f"{MANIFEST}")
    return manifest


def _check_secrets(manifest: dict[str, Any], secrets: Path | None) -> None:
    if secrets is None:
        raise BackupError("restoring needs the backup's secrets (--secrets DIR2): without its "
                          "log key and master keys the evidence cannot be read or proven, and "
                          "new keys would not open it")
    try:
        seed = bytes.fromhex((secrets / "log_key").read_text(encoding="ascii").strip())
        key = signer_from_seed(seed).verifier_key()
    except (OSError, ValueError, CheckpointError):
        raise BackupError(f"{secrets} holds no log key (log_key)") from None
    if key != manifest.get("log_key"):
        raise BackupError(f"the log key in {secrets} is not the one of this backup")
    needed = set(manifest.get("master_key_ids", []))
    if needed and not os.environ.get("REMPART_MASTER_KEY_FILE"):
        from rempart.evidence.keys import FileKeyManager

        known = set(FileKeyManager(secrets / "master-keys").key_ids()) \
            if (secrets / "master-keys").is_dir() else set()
        if needed - known:
            raise BackupError(f"{secrets} lacks master key(s) "
                              f"{', '.join(sorted(needed - known))} of this backup")


def restore(folder: Path, data_dir: Path, secrets: Path | None = None,
            database_url: str | None = None) -> tuple[Settings, RestoreReport]:
    """Restore a backup into the new data folder ``data_dir`` (and, for a PostgreSQL backup,
    the empty database ``database_url``); the settings of the restored instance."""
    manifest = read_manifest(folder)
    _check_secrets(manifest, secrets)
    assert secrets is not None
    engine_name = manifest.get("engine")
    if engine_name == "postgresql" and not database_url:
        raise BackupError("a PostgreSQL backup restores into an empty database: give "
                          "--database-url")
    if database_url and make_url(database_url).get_backend_name() != engine_name:
        raise BackupError(f"this backup is of a {engine_name} database")
    data_dir = _empty_folder(data_dir, "data folder")
    # Everything of the restored instance inside the new folder, whatever this shell's REMPART_*.
    settings = Settings(data_dir=data_dir, database_url=database_url or "",
                        secrets_dir=data_dir / "secrets", checkpoint_file=None)
    for path in sorted(secrets.rglob("*")):
        if path.is_file():
            _write_private(settings.resolved_secrets_dir / path.relative_to(secrets),
                           path.read_bytes())
    url = settings.resolved_database_url
    if engine_name == "sqlite":
        target = Path(str(make_url(url).database))
        target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        shutil.copyfile(folder / SQLITE_FILE, target)
        os.chmod(target, 0o600)
    else:
        _restore_postgres(url, folder / PG_FILE)
    migrate.upgrade(url)
    blobs = blob_store_for(settings)
    count = 0
    for path in sorted((folder / "vault").glob("*/*")):
        pending = blobs.begin(f"{path.parent.name}/{path.name}")
        with path.open("rb") as fh:
            while chunk := fh.read(CHUNK):
                pending.write(chunk)
        pending.commit()
        count += 1
    engine = make_engine(url)
    try:
        if (folder / "witness.json").is_file():  # the backed-up database is not below it
            from rempart.evidence.witness import CheckpointWitness, LedgerBehindWitness

            try:
                with make_session_factory(engine)() as session:
                    CheckpointWitness(folder / "witness.json", manifest["log_key"]).check(session)
            except LedgerBehindWitness as exc:
                raise BackupError(f"the backed-up database is not the one its witness saw: "
                                  f"{exc}") from None
        size = _start_epoch(settings, make_session_factory(engine), manifest)
    finally:
        engine.dispose()
    return settings, RestoreReport(data_dir, url, count, size)


def _restore_postgres(url: str, dump: Path) -> None:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            tables = conn.execute(text("SELECT count(*) FROM pg_tables "
                                       "WHERE schemaname = 'public'")).scalar()
    finally:
        engine.dispose()
    if tables:
        raise BackupError("the database to restore into is not empty")
    libpq, env = _libpq(url)
    _run(["pg_restore", "--no-owner", "--exit-on-error", f"--dbname={libpq}", str(dump)], env)


def _start_epoch(settings: Settings, sessions: sessionmaker[Session],
                 manifest: dict[str, Any]) -> int:
    """Record in the log that it continues from a restored backup, and sign over it."""
    with sessions.begin() as session:
        ledger = Ledger(session)
        size = ledger.size()
        if size != manifest.get("ledger_size"):
            raise BackupError(f"the restored ledger has {size} entries, the backup says "
                              f"{manifest.get('ledger_size')}")
        ledger.append(custody.CustodyEvent(
            custody.CustodyAction.CHECKPOINT, None, custody.ActorRole.OPERATOR,
            datetime.now(UTC), sha256=ledger.root(size).hex(), target="restored-backup",
            tree_size=size))
    with sessions.begin() as session:
        head = instance_ledger(session, settings).sign_checkpoint()
        return int(head.size)


def verify_restore(settings: Settings, sessions: sessionmaker[Session], uow: UnitOfWorkFactory,
                   store: EvidenceStore) -> RestoreCheck:
    """The ledger (with the witness, evidence rows and audit chain), then every case's bundle,
    exported (on record, as the system) and verified under the instance's own log key."""
    import tempfile

    from rempart.domain.custody import ActorRole
    from rempart.evidence.bundle import verify_bundle
    from rempart.services import custody as custody_services
    from rempart.services.integrity import verify_ledger

    check = RestoreCheck(problems=list(verify_ledger(settings, sessions).problems))
    key = load_log_signer(settings).verifier_key()
    for case_id in _case_ids(sessions):
        with tempfile.NamedTemporaryFile(suffix=".zip") as out:
            try:
                custody_services.export_bundle(uow(), settings, store, case_id,
                                               out,  # type: ignore[arg-type]
                                               ActorRole.SYSTEM)
                out.flush()
                report = verify_bundle(Path(out.name), trusted_key=key)
            except Exception as exc:  # noqa: BLE001 - every case is checked and reported
                check.problems.append(f"case {case_id}: bundle does not verify: "
                                      f"{exc.__class__.__name__}: {exc}")
                continue
        check.cases += 1
        check.items += report.items
    return check


def _case_ids(sessions: sessionmaker[Session]) -> Iterator[str]:
    with sessions() as session:
        ids = list(session.scalars(select(CaseRecord.id).order_by(CaseRecord.id)))
    yield from ids
