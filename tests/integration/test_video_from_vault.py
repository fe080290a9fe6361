"""Video evidence is hashed from the vault through a private temporary file, then removed."""

from __future__ import annotations

import hashlib
import io
import subprocess
import tempfile
from pathlib import Path

from rempart import bootstrap
from rempart.config import Settings
from rempart.media import video


def _clip(folder: Path) -> bytes:
    path = folder / "clip.mp4"
    subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
                    "testsrc=duration=2:size=160x120:rate=10", "-pix_fmt", "yuv420p", str(path)],
                   check=True)
    return path.read_bytes()


def test_it_hashes_a_video_held_in_the_vault_and_leaves_no_plaintext(migrated_url, tmp_path):
    data = _clip(tmp_path)
    services = bootstrap.build(Settings(data_dir=tmp_path / "data", database_url=migrated_url))
    try:
        services.store.put("case-1", "item-1", io.BytesIO(data))
        before = set(Path(tempfile.gettempdir()).glob("rempart-video-*"))
        result = video.hash_evidence_video(services.store, "case-1", "item-1")
        assert set(Path(tempfile.gettempdir()).glob("rempart-video-*")) == before
    finally:
        services.dispose()
    assert result.md5 == hashlib.md5(data).hexdigest()
    assert len(result.frames) == 2
    stored = b"".join(p.read_bytes() for p in (tmp_path / "data").rglob("*") if p.is_file())
    assert data[1000:1100] not in stored  # the vault keeps it encrypted at rest
