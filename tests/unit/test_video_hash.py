import hashlib
import os
import subprocess
import tempfile
from pathlib import Path

import pytest
import vpdq

from rempart.media import video


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("video") / "clip.mp4"
    subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
                    "testsrc=duration=3:size=320x240:rate=25", "-pix_fmt", "yuv420p", str(path)],
                   check=True)
    return path


def test_it_hashes_one_frame_per_second(clip: Path) -> None:
    result = video.hash_video(clip)
    assert [f.timestamp for f in result.frames] == [0.0, 1.0, 2.0]
    assert [f.frame_number for f in result.frames] == [0, 25, 50]


def test_it_gives_the_md5_of_the_file(clip: Path) -> None:
    assert video.hash_video(clip).md5 == hashlib.md5(clip.read_bytes()).hexdigest()


def test_it_equals_vpdq(clip: Path) -> None:
    expected = [(f.frame_number, f.hex, f.quality) for f in vpdq.computeHash(str(clip))]
    assert [(f.frame_number, f.pdq, f.quality) for f in video.hash_video(clip).frames] == expected


def test_it_hashes_decrypted_chunks_through_a_private_file_it_removes(clip: Path) -> None:
    data = clip.read_bytes()
    seen: list[tuple[int, int]] = []
    real = video.hash_video

    def spy(path: Path | str) -> video.VideoHashes:
        path = Path(path)
        seen.append((path.stat().st_mode & 0o777, path.parent.stat().st_mode & 0o777))
        seen_paths.append(path)
        return real(path)

    seen_paths: list[Path] = []
    chunks = (data[i:i + 4096] for i in range(0, len(data), 4096))
    try:
        video.hash_video = spy  # type: ignore[assignment]
        result = video.hash_video_chunks(chunks)
    finally:
        video.hash_video = real  # type: ignore[assignment]
    assert result == video.hash_video(clip)
    assert seen == [(0o600, 0o700)]
    assert not seen_paths[0].exists() and not seen_paths[0].parent.exists()


def test_it_removes_the_private_file_when_the_video_is_bad() -> None:
    before = set(os.listdir(tempfile.gettempdir()))
    with pytest.raises(video.UnreadableVideo):
        video.hash_video_chunks([b"not a video at all" * 100])
    leftovers = {n for n in set(os.listdir(tempfile.gettempdir())) - before
                 if n.startswith("rempart-video-")}
    assert not leftovers
