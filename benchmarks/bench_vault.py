"""Encrypted vault: ingest throughput and peak memory, against a plain file copy on the same disk.

Each item is read from a file, encrypted (AES-256-GCM in 1 MiB segments), written atomically
(temporary file, fsync, rename, folder fsync), its wrapped data key and its custody "received"
leaf committed in a transaction (SQLite, as shipped by default). The screenshots are ingested
twice: one item per transaction (the worst case: a reporter adding files one at a time), and in
reports of ``--report-size`` files, each report a new case committed in one unit of work, as
``services.cases.submit_report`` does (the vault then fsyncs and renames each blob in a
background thread while it encrypts the next one, and fsyncs each case folder once, just before
the commit). The baseline, measured in the same run and on the same disk, copies the same files
and fsyncs each one. Peak memory while ingesting the video is measured in a child process: its
peak RSS is reset (``/proc/self/clear_refs``) after imports and setup, so the figure is what the
ingest itself adds.

    python benchmarks/bench_vault.py [--video-mb 500] [--screenshots 100] [--report-size 10]
                                     [--rounds 2] [--dir /work/tmp]
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from rempart.evidence.blobstores import fsync_dir

MIB = 1024 * 1024
RESULTS = Path(__file__).resolve().parent / "results" / "vault.json"


def _write_random(path: Path, size: int) -> None:
    with path.open("wb") as out:
        for _ in range(size // MIB):
            out.write(os.urandom(MIB))
        out.write(os.urandom(size % MIB))
        out.flush()
        os.fsync(out.fileno())  # no pending writeback of the sources skews the first timing


def _plain_copy(sources: list[Path], target_dir: Path) -> float:
    target_dir.mkdir()
    start = time.perf_counter()
    for source in sources:
        target = target_dir / source.name
        with source.open("rb") as src, target.open("wb") as dst:
            shutil.copyfileobj(src, dst, MIB)
            dst.flush()
            os.fsync(dst.fileno())
    return time.perf_counter() - start


def _batches(sources: list[Path], size: int) -> list[list[Path]]:
    return [sources[i:i + size] for i in range(0, len(sources), size)]


def _atomic_copy(sources: list[Path], target_dir: Path, per_folder: int | None = None) -> float:
    """The vault's durability steps without encryption or database: temporary file, fsync,
    rename, folder fsync. Without ``per_folder``: one folder, fsynced after each file. With it:
    each batch of that many files in a new folder, fsynced once, and its own entry in the parent
    fsynced (the vault's case folder of a report)."""
    target_dir.mkdir()
    start = time.perf_counter()
    if per_folder is None:
        for source in sources:
            _atomic_file(source, target_dir)
            fsync_dir(target_dir)
    else:
        for number, batch in enumerate(_batches(sources, per_folder)):
            folder = target_dir / f"report-{number}"
            folder.mkdir()
            for source in batch:
                _atomic_file(source, folder)
            fsync_dir(folder)
            fsync_dir(target_dir)
    return time.perf_counter() - start


def _atomic_file(source: Path, folder: Path) -> None:
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".incoming-")
    with source.open("rb") as src, os.fdopen(fd, "wb") as dst:
        shutil.copyfileobj(src, dst, MIB)
        dst.flush()
        os.fsync(dst.fileno())
    os.replace(tmp, folder / source.name)


@functools.cache
def _open_vault(work: Path):  # type: ignore[no-untyped-def]
    """One vault and engine per work folder and process, so that a warm-up really warms."""
    from rempart.evidence.blobstores import FilesystemBlobStore
    from rempart.evidence.keys import FileKeyManager
    from rempart.evidence.vault import EncryptedVault
    from rempart.store import migrate
    from rempart.store.db import make_engine, make_session_factory

    url = f"sqlite:///{work / 'bench.db'}"
    if not (work / "bench.db").exists():
        migrate.upgrade(url)
    sessions = make_session_factory(make_engine(url))
    return EncryptedVault(FilesystemBlobStore(work / "vault"), FileKeyManager(work / "keys"),
                          sessions), sessions


def _vault_ingest(work: Path, sources: list[Path], per_report: int | None = None) -> float:
    """Without ``per_report``: one case, one item per transaction. With it: reports of that many
    files, each a new case whose items commit in one unit of work. Either way the calls are
    those of ``services.cases._store_checked``: ``put`` per file, then the custody "received"
    leaves of the unit in one batch (the case and evidence rows are left out)."""
    from rempart.evidence import custody_log
    from rempart.evidence.vault import VaultUnitOfWork

    vault, sessions = _open_vault(work)
    one_case = str(uuid.uuid4())
    units = _batches(sources, 1 if per_report is None else per_report)
    start = time.perf_counter()
    for unit in units:
        case_id = one_case if per_report is None else str(uuid.uuid4())
        with VaultUnitOfWork(sessions) as uow:
            stored = []
            for source in unit:
                item_id = str(uuid.uuid4())
                with source.open("rb") as fh:
                    stored.append((item_id, vault.put(case_id, item_id, fh).sha256))
            custody_log.items_received(uow.session, case_id, stored)
            uow.commit()
    return time.perf_counter() - start


def _status_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"{field} not in /proc/self/status")


def child_video(work: Path, video: Path) -> None:
    warm_up = work.parent / "warm-up.bin"
    warm_up.write_bytes(b"x")
    _vault_ingest(work, [warm_up])  # imports, migrations, keys, SQL compilation: a warm server
    from rempart.evidence import crypto

    crypto._SPARE_BUFFERS.clear()  # the video's own segment buffers count in its peak
    Path("/proc/self/clear_refs").write_text("5")  # reset the peak RSS to the current RSS
    before = _status_kb("VmRSS")
    seconds = _vault_ingest(work, [video])
    peak = _status_kb("VmHWM")
    print(json.dumps({"seconds": seconds, "peak_delta_mb": (peak - before) / 1024}))


def _video_in_child(work: Path, video: Path) -> dict[str, float]:
    out = subprocess.run([sys.executable, __file__, "--child-video", str(work), str(video)],
                         check=True, capture_output=True, text=True).stdout
    result: dict[str, float] = json.loads(out.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--video-mb", type=int, default=500)
    parser.add_argument("--screenshots", type=int, default=100)
    parser.add_argument("--report-size", type=int, default=10,
                        help="files per report (one unit of work); the product allows 20")
    parser.add_argument("--rounds", type=int, default=2,
                        help="interleaved rounds; the best of each is kept")
    parser.add_argument("--dir", type=Path, default=None,
                        help="scratch folder on the disk of the data folder")
    parser.add_argument("--child-video", nargs=2, type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_video:
        child_video(*args.child_video)
        return
    scratch = Path(tempfile.mkdtemp(prefix="bench-vault-", dir=args.dir))
    try:
        rows = run(scratch, args.screenshots, args.video_mb, args.report_size, args.rounds)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    report(rows, args)


def run(scratch: Path, screenshots: int, video_mb: int, report_size: int,
        rounds: int) -> list[dict[str, object]]:
    sources = scratch / "sources"
    sources.mkdir()
    shots = [sources / f"shot-{i}.png" for i in range(screenshots)]
    for shot in shots:
        _write_random(shot, MIB)
    video = sources / "video.mp4"
    _write_random(video, video_mb * MIB)
    rows = _screenshot_rows(scratch, shots, report_size, rounds)
    copy_v, atomic_v, children = [], [], []
    for run_number in range(rounds):
        copy_v.append(_plain_copy([video], scratch / "copy-video"))
        shutil.rmtree(scratch / "copy-video")
        atomic_v.append(_atomic_copy([video], scratch / "atomic-video"))
        shutil.rmtree(scratch / "atomic-video")
        work = scratch / f"work-video-{run_number}"
        work.mkdir()
        children.append(_video_in_child(work, video))
        shutil.rmtree(work)
    rows.append(_row(f"video of {video_mb} MiB", video_mb, min(copy_v), min(atomic_v),
                     min(c["seconds"] for c in children),
                     max(c["peak_delta_mb"] for c in children)))
    return rows


def _screenshot_rows(scratch: Path, shots: list[Path], report_size: int,
                     rounds: int) -> list[dict[str, object]]:
    copy_s: list[float] = []
    atomic_s: list[float] = []
    atomic_r: list[float] = []
    single_s: list[float] = []
    report_s: list[float] = []
    for n in range(rounds):  # interleaved rounds, best of each: the machine is shared
        copy_s.append(_plain_copy(shots, scratch / f"copy-shots-{n}"))
        atomic_s.append(_atomic_copy(shots, scratch / f"atomic-shots-{n}"))
        atomic_r.append(_atomic_copy(shots, scratch / f"atomic-reports-{n}", report_size))
        work = scratch / f"work-shots-{n}"
        work.mkdir()
        _vault_ingest(work, shots[:1])  # warm: SQL compiled, keys loaded
        single_s.append(_vault_ingest(work, shots))
        report_s.append(_vault_ingest(work, shots, report_size))
    count = len(shots)
    return [
        _row(f"{count} x 1 MiB, 1 per transaction", count, min(copy_s), min(atomic_s),
             min(single_s), None),
        _row(f"{count} x 1 MiB, reports of {report_size}", count, min(copy_s), min(atomic_r),
             min(report_s), None),
    ]


def _row(label: str, mib: int, copy_s: float, atomic_s: float, vault_s: float,
         peak: float | None) -> dict[str, object]:
    return {"workload": label, "mib": mib, "copy_mb_s": round(mib / copy_s, 1),
            "atomic_copy_mb_s": round(mib / atomic_s, 1), "vault_mb_s": round(mib / vault_s, 1),
            "ratio_to_copy": round(copy_s / vault_s, 2),
            "ratio_to_atomic_copy": round(atomic_s / vault_s, 2),
            "peak_rss_delta_mb": None if peak is None else round(peak, 1)}


def report(rows: list[dict[str, object]], args: argparse.Namespace) -> None:
    print(f"{'workload':<34} {'copy':>7} {'atomic':>7} {'vault':>7} {'/copy':>6} "
          f"{'/atomic':>7} {'peak MB':>8}   (MiB/s)")
    for r in rows:
        peak = "-" if r["peak_rss_delta_mb"] is None else f"{r['peak_rss_delta_mb']}"
        print(f"{r['workload']:<34} {r['copy_mb_s']:>7} {r['atomic_copy_mb_s']:>7} "
              f"{r['vault_mb_s']:>7} {r['ratio_to_copy']:>6} {r['ratio_to_atomic_copy']:>7} "
              f"{peak:>8}")
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps({
        "benchmark": "vault", "cpus": os.cpu_count(), "video_mb": args.video_mb,
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "load_average_1min_after": round(os.getloadavg()[0], 2),
        "screenshots": args.screenshots, "report_size": args.report_size,
        "rounds": args.rounds, "targets": {"ratio_min": 0.5, "peak_mb_max": 100},
        "rows": rows}, indent=2) + "\n")


if __name__ == "__main__":
    main()
