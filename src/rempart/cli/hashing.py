"""``rempart hash FILE...``: PDQ, vPDQ, MD5 and SHA-256 of images and videos, one JSON line each.

Every file is processed even when one is bad: a bad file gives one ``error:`` line on stderr and
the command ends with exit code 2 once all the others are printed, so a batch is never lost to a
single corrupt file.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import typer

from rempart.media import pdq, video
from rempart.media.safe_image import UnsafeImage
from rempart.media.sniff import UnsupportedMedia, detect_media_type

IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/webp", "image/gif", "image/heic"})
VIDEO_TYPES = frozenset({"video/mp4", "video/quicktime"})


class BadMedia(ValueError):
    """The file is neither an accepted image nor an accepted video."""


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(video.CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def media_type_of(path: Path) -> str:
    try:
        with path.open("rb") as fh:
            kind = detect_media_type(fh)
    except UnsupportedMedia as exc:
        raise BadMedia(str(exc)) from None
    if kind not in IMAGE_TYPES | VIDEO_TYPES:
        raise BadMedia(f"not an image or a video ({kind})")
    return kind


def describe(path: Path, dihedral: bool, fast: bool) -> dict[str, Any]:
    """The JSON record of one file (raises BadMedia, UnsafeImage, UnreadableVideo, OSError)."""
    kind = media_type_of(path)
    record: dict[str, Any] = {"file": str(path), "media_type": kind}
    if kind in IMAGE_TYPES:
        result = pdq.hash_image(path, dihedral=dihedral, fast=fast)
        record.update(pdq=result.hash, quality=result.quality, usable=result.usable)
        if not result.usable:
            record["warning"] = f"PDQ quality {result.quality} < {pdq.MIN_QUALITY}: unusable"
        if result.dihedral:
            record["pdq_dihedral"] = result.dihedral
    else:
        hashes = video.hash_video(path)
        record.update(md5=hashes.md5, vpdq=[
            {"frame": f.frame_number, "timestamp": f.timestamp, "pdq": f.pdq,
             "quality": f.quality} for f in hashes.frames])
    record["sha256"] = sha256_of(path)
    return record


def hash_command(
    files: list[Path] = typer.Argument(..., help="Images (JPEG, PNG, WEBP, GIF, HEIC) or videos."),
    dihedral: bool = typer.Option(False, "--dihedral", help="Also the 8 rotation/flip hashes."),
    fast: bool = typer.Option(False, "--fast/--exact",
                              help="Decode JPEGs at reduced scale (faster, a few bits off)."),
) -> None:
    """Hash FILES; bad files are reported on stderr and give exit code 2 after the others."""
    failed = 0
    for path in files:
        try:
            line = json.dumps(describe(path, dihedral, fast), ensure_ascii=False)
        except (BadMedia, UnsafeImage, video.UnreadableVideo, OSError) as exc:
            failed += 1
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            typer.echo(f"error: {path}: {reason}", err=True)
            continue
        typer.echo(line)
    if failed:
        raise typer.Exit(2)


def register(app: typer.Typer) -> None:
    app.command("hash")(hash_command)
