"""Messages of the data downloads Instagram, Facebook and Snapchat give their users (ZIP).

Read from the archive after ``archives.list_members`` accepted it, each JSON member bounded by
``MAX_JSON_BYTES``: Meta's ``messages/inbox/<thread>/message_N.json`` (Instagram and Facebook:
``sender_name``, ``timestamp_ms``, ``content``, ``photos``/``videos``/``audio_files`` with their
``uri``; text written as UTF-8 bytes in Latin-1 code points, mended here) and Snapchat's
``json/chat_history.json`` (older "Received/Sent Saved Chat History" lists, or one list per
friend). Messages come out in the chat shape of ``chat_export`` (at, author, text, attachments),
oldest first.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from rempart.media import archives

MAX_JSON_BYTES = 20 * 1024 * 1024
MAX_MESSAGES = 100_000


class NotADataDownload(ValueError):
    """The archive holds no messages in a format read here."""


@dataclass(frozen=True)
class DownloadChat:
    source: str  # "instagram", "facebook", "snapchat"
    messages: list[dict[str, Any]]


def _mend(text: Any) -> str:
    value = str(text or "")
    try:
        return value.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return value


def _meta_messages(document: Any) -> list[dict[str, Any]]:
    out = []
    for message in (document.get("messages") or []) if isinstance(document, dict) else []:
        if not isinstance(message, dict):
            continue
        try:
            at = datetime.fromtimestamp(int(message["timestamp_ms"]) / 1000, UTC).isoformat()
        except (KeyError, TypeError, ValueError, OverflowError, OSError):
            at = None
        attachments = [str(m.get("uri", ""))[-200:] for key in ("photos", "videos", "audio_files",
                                                                 "files", "gifs")
                       for m in (message.get(key) or []) if isinstance(m, dict)]
        out.append({"at": at, "author": _mend(message.get("sender_name"))[:80],
                    "text": _mend(message.get("content")), "attachments": attachments})
    return out


def _snap_time(value: Any) -> str | None:
    text = str(value or "").replace(" UTC", "").strip()
    try:
        return datetime.strptime(text[:19], "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC).isoformat()
    except ValueError:
        return None


def _snap_messages(document: Any) -> list[dict[str, Any]]:
    if not isinstance(document, dict):
        return []
    out = []
    for key, entries in document.items():
        for entry in entries if isinstance(entries, list) else []:
            if not isinstance(entry, dict):
                continue
            author = entry.get("From") or ("" if entry.get("IsSender") is None else
                                           ("me" if entry.get("IsSender") else key))
            text = entry.get("Content") or entry.get("Text") or ""
            media = str(entry.get("Media Type") or "TEXT")
            out.append({"at": _snap_time(entry.get("Created")), "author": str(author)[:80],
                        "text": str(text), "attachments": [] if media == "TEXT" else [media]})
    return out


def _read_json(data: bytes, name: str) -> Any:
    raw = archives.read_member(io.BytesIO(data), name, MAX_JSON_BYTES)
    try:
        return json.loads(raw.decode("utf-8-sig", "replace"))
    except ValueError:
        return None


def read_download(data: bytes) -> DownloadChat:
    """The messages of a data download; NotADataDownload if it has none; UnsafeArchive if the
    archive is refused."""
    members = [m for m in archives.list_members(io.BytesIO(data)) if not m.encrypted]
    names = [m.name for m in members]
    lowered = " ".join(names).lower()
    meta = [n for n in names if "messages/inbox/" in n and n.rsplit("/", 1)[-1].startswith(
        "message_") and n.endswith(".json")]
    snap = [n for n in names if n.lower().endswith("chat_history.json")]
    messages: list[dict[str, Any]] = []
    if meta:
        source = "facebook" if "facebook" in lowered else "instagram"
        for name in meta:
            messages += _meta_messages(_read_json(data, name))
    elif snap:
        source = "snapchat"
        for name in snap:
            messages += _snap_messages(_read_json(data, name))
    if not messages:
        raise NotADataDownload("no messages found in the archive")
    messages = messages[:MAX_MESSAGES]
    messages.sort(key=lambda m: m["at"] or "")
    return DownloadChat(source, messages)
