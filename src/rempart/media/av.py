"""The only place where untrusted audio and video are decoded: ffmpeg and ffprobe (Debian's).

Each run is a subprocess with a wall-clock timeout, an address-space, CPU-time and output-file
limit set by ``resource.setrlimit`` in the child before it executes, no standard input, a
minimal environment, only the ``file`` and ``pipe`` protocols (no network, no ``concat`` or
``subfile`` tricks) and a list of the demuxers a phone writes. The preview drops every
metadata field and every stream but the first video and the first audio one, and is cut to
``MAX_PREVIEW_SECONDS``: audio becomes Opus in Ogg, video VP8 and Opus in WebM, at most 640
pixels wide. ffmpeg's messages never leave this module: they can quote the file's own tags.
"""

from __future__ import annotations

import json
import re
import resource
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PREVIEW_TIMEOUT = 180.0
PROBE_TIMEOUT = 20.0
MEMORY_BYTES = 1536 * 1024 * 1024
MAX_PREVIEW_BYTES = 64 * 1024 * 1024
MAX_PREVIEW_SECONDS = 600
PROTOCOLS = "file,pipe"
DEMUXERS = "mov,mp4,m4a,3gp,3g2,mj2,matroska,webm,ogg,mp3,aac,wav"
OGG_OPUS, WEBM = "audio/ogg", "video/webm"
_ISO6709 = re.compile(r"^([+-]\d{1,2}(?:\.\d+)?)([+-]\d{1,3}(?:\.\d+)?)")


class UnreadableMedia(ValueError):
    """ffmpeg could not decode the file within its limits (the reason names no content)."""


@dataclass(frozen=True)
class Preview:
    media_type: str  # OGG_OPUS or WEBM
    data: bytes
    engine: str  # "ffmpeg 5.1.9"


@dataclass(frozen=True)
class Probe:
    duration: float | None
    has_video: bool
    has_audio: bool
    created_at: str | None  # the container's creation_time tag, as written
    device: str | None
    location: tuple[float, float] | None  # ISO 6709 tag of phones (sensitive)


def _binary(name: str) -> str:
    found = shutil.which(name) or f"/usr/bin/{name}"
    if not Path(found).exists():
        raise UnreadableMedia(f"{name} is not installed (scripts/install-debian-packages.sh)")
    return found


def _limited(timeout: float, max_output: int) -> Any:
    def preexec() -> None:  # runs in the child, before ffmpeg starts
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_BYTES, MEMORY_BYTES))
        cpu = int(timeout) + 5
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu))
        resource.setrlimit(resource.RLIMIT_FSIZE, (max_output, max_output))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    return preexec


def _run(args: list[str], timeout: float, max_output: int) -> bytes:
    try:
        done = subprocess.run(  # noqa: S603  (fixed binary, arguments built here)
            args, stdin=subprocess.DEVNULL, capture_output=True, timeout=timeout,
            preexec_fn=_limited(timeout, max_output), env={"PATH": "/usr/bin:/bin"},
            check=False)
    except subprocess.TimeoutExpired:
        raise UnreadableMedia(f"decoding took more than {int(timeout)} s") from None
    except OSError as exc:
        raise UnreadableMedia(f"could not start the decoder ({type(exc).__name__})") from None
    if done.returncode != 0:
        raise UnreadableMedia(f"not decodable as audio or video (exit {done.returncode})")
    return done.stdout


def engine_version() -> str:
    out = _run([_binary("ffmpeg"), "-hide_banner", "-version"], PROBE_TIMEOUT, 1024 * 1024)
    words = out.decode("utf-8", "replace").split()
    return f"ffmpeg {words[2].split('-')[0]}" if len(words) > 2 else "ffmpeg"


def _input(path: Path) -> list[str]:
    return ["-protocol_whitelist", PROTOCOLS, "-format_whitelist", DEMUXERS, "-i", str(path)]


def probe(path: Path) -> Probe:
    """Streams, duration and the creation time, device and location tags of the file."""
    out = _run([_binary("ffprobe"), "-hide_banner", "-v", "error", "-print_format", "json",
                "-show_format", "-show_streams", *_input(path)], PROBE_TIMEOUT, 1024 * 1024)
    try:
        found = json.loads(out or b"{}")
    except ValueError:
        raise UnreadableMedia("unreadable probe answer") from None
    fmt = found.get("format") or {}
    streams = found.get("streams") or []
    tags = {str(k).lower(): str(v) for k, v in (fmt.get("tags") or {}).items()}
    for stream in streams:
        for key, value in (stream.get("tags") or {}).items():
            tags.setdefault(str(key).lower(), str(value))
    created = (tags.get("com.apple.quicktime.creationdate") or tags.get("creation_time"))
    device = " ".join(v for v in (tags.get("com.apple.quicktime.make"),
                                  tags.get("com.apple.quicktime.model")) if v) or None
    location = parse_iso6709(tags.get("com.apple.quicktime.location.iso6709")
                             or tags.get("location") or tags.get("location-eng") or "")
    try:
        duration = float(fmt["duration"]) if "duration" in fmt else None
    except (TypeError, ValueError):
        duration = None
    kinds = {s.get("codec_type") for s in streams}
    return Probe(duration, "video" in kinds, "audio" in kinds, created,
                 device[:80] if device else None, location)


def parse_iso6709(value: str) -> tuple[float, float] | None:
    """``+48.8566+002.3522/`` -> (48.8566, 2.3522); None if absent or out of range."""
    match = _ISO6709.match(value.strip())
    if not match:
        return None
    lat, lon = float(match.group(1)), float(match.group(2))
    return (lat, lon) if -90 <= lat <= 90 and -180 <= lon <= 180 else None


def preview(path: Path, video: bool) -> Preview:
    """A safe, metadata-free copy to play in the browser: Opus/Ogg, or VP8+Opus/WebM."""
    out = path.with_name("preview.webm" if video else "preview.ogg")
    common = ["-map_metadata", "-1", "-map_chapters", "-1", "-sn", "-dn",
              "-t", str(MAX_PREVIEW_SECONDS), "-threads", "1"]
    audio = ["-c:a", "libopus", "-b:a", "48k", "-ac", "1"]
    if video:
        codec = ["-map", "0:v:0", "-map", "0:a:0?", "-vf", "scale='min(640,iw)':-2,fps=25",
                 "-c:v", "libvpx", "-deadline", "realtime", "-cpu-used", "8", "-b:v", "500k",
                 *audio, "-f", "webm"]
    else:
        codec = ["-map", "0:a:0", "-vn", *audio, "-f", "ogg"]
    _run([_binary("ffmpeg"), "-nostdin", "-hide_banner", "-loglevel", "error", "-y",
          *_input(path), *common, *codec, str(out)], PREVIEW_TIMEOUT, MAX_PREVIEW_BYTES)
    try:
        data = out.read_bytes()
    finally:
        out.unlink(missing_ok=True)
    if not data:
        raise UnreadableMedia("no audio or video decoded")
    return Preview(WEBM if video else OGG_OPUS, data, engine_version())
