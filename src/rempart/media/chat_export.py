"""WhatsApp chat exports (``.txt``, or the ``.zip`` with the media) parsed into messages.

Formats read: Android (``12/03/2026 14:02 - Léa: texte``, English ``3/12/26, 2:02 PM - Lea:
text``) and iOS (``[12/03/2026 14:02:33] Léa: texte``), with an invisible left-to-right mark or
not. Lines without a date continue the message above. Lines without an author (the encryption
notice, "X a ajouté Y") are system lines. Attachments are recognised by the file name WhatsApp
writes (``IMG-20260312-WA0001.jpg (fichier joint)``, ``<attached: 00000012-PHOTO-....jpg>``) and
"media omitted" placeholders. The day/month order is inferred from the whole file (a first number
over 12 means day first; otherwise day first, the French default, unless a second number is over
12).
"""

from __future__ import annotations

import io
import re
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from rempart.media import archives

MAX_TEXT_BYTES = 20 * 1024 * 1024
_LINE = re.compile(
    r"^[\u200e\u200f]?\[?(?P<d1>\d{1,2})[/.](?P<d2>\d{1,2})[/.](?P<y>\d{2,4}),?\s+"
    r"(?P<h>\d{1,2}):(?P<m>\d{2})(?::(?P<s>\d{2}))?\s*(?P<ampm>[AaPp]\.?\s?[Mm]\.?)?\]?"
    r"\s*(?:-\s+|\s)(?P<rest>.*)$")
_ATTACHED = re.compile(r"<(?:attached|pièce jointe|joint)\s*:\s*([^>]+)>", re.IGNORECASE)
_FILE_ATTACHED = re.compile(r"^[\u200e]?(\S+\.[A-Za-z0-9]{2,5})\s+\((?:fichier joint|file "
                            r"attached)\)", re.IGNORECASE)
_OMITTED = re.compile(r"^[\u200e]?<?(?:médias? omis|media omitted|image absente|"
                      r"vidéo absente|audio omis|image omitted|video omitted|audio omitted)>?$",
                      re.IGNORECASE)


class NotAChatExport(ValueError):
    """The file is not a WhatsApp export this parser reads."""


@dataclass
class ChatMessage:
    at: str  # ISO 8601, local time as shown in the export (no time zone in the file)
    author: str | None  # None for system lines
    text: str
    attachments: list[str] = field(default_factory=list)
    media_omitted: bool = False


@dataclass(frozen=True)
class ChatExport:
    source: str  # "whatsapp"
    messages: list[ChatMessage]
    authors: list[str]
    missing_attachments: list[str]  # named in the chat, absent from the archive

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _day_first(matches: list[re.Match[str]]) -> bool:
    if any(int(m["d1"]) > 12 for m in matches):
        return True
    return not any(int(m["d2"]) > 12 for m in matches)


def _when(match: re.Match[str], day_first: bool) -> str:
    day, month = (match["d1"], match["d2"]) if day_first else (match["d2"], match["d1"])
    year = int(match["y"]) + (2000 if len(match["y"]) == 2 else 0)
    hour = int(match["h"])
    if match["ampm"]:
        pm = match["ampm"].lower().startswith("p")
        hour = hour % 12 + (12 if pm else 0)
    return datetime(year, int(month), int(day), hour, int(match["m"]),
                    int(match["s"] or 0)).isoformat()


def parse_text(text: str, present: set[str] | None = None) -> ChatExport:
    """Messages of an export's text; ``present``: the archive's member names, if any."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    matches = [m for m in map(_LINE.match, lines) if m]
    if not matches or len(matches) < max(1, len([x for x in lines if x.strip()]) // 4):
        raise NotAChatExport("no WhatsApp message lines found")
    day_first = _day_first(matches)
    messages: list[ChatMessage] = []
    for line in lines:
        match = _LINE.match(line)
        if match is None:
            if messages and line.strip():
                messages[-1].text = f"{messages[-1].text}\n{line}".strip("\n")
            continue
        try:
            at = _when(match, day_first)
        except ValueError:  # an impossible date: a continuation line that looks like one
            if messages:
                messages[-1].text += "\n" + line
            continue
        rest = match["rest"]
        author, sep, body = rest.partition(": ")
        if not sep or len(author) > 60:
            messages.append(ChatMessage(at, None, rest.strip()))
        else:
            messages.append(ChatMessage(at, author.strip("\u200e "), body))
    missing: list[str] = []
    for message in messages:
        names = [m.strip() for m in _ATTACHED.findall(message.text)]
        file_match = _FILE_ATTACHED.match(message.text)
        if file_match:
            names.append(file_match.group(1))
        message.attachments = names
        message.media_omitted = bool(_OMITTED.match(message.text.strip()))
        if present is not None:
            missing += [n for n in names if n not in present
                        and not any(p.endswith("/" + n) for p in present)]
    authors = list(dict.fromkeys(m.author for m in messages if m.author))
    return ChatExport("whatsapp", messages, authors, missing)


def parse_zip(data: bytes) -> tuple[ChatExport, list[archives.Member]]:
    """A WhatsApp ``.zip`` export: its members (listed and hashed) and its chat."""
    members = archives.list_members(io.BytesIO(data))
    texts = [m for m in members if m.name.lower().endswith(".txt") and not m.encrypted]
    chats = [m for m in texts if "chat" in m.name.lower() or "whatsapp" in m.name.lower()]
    chosen = (chats or texts)[:1]
    if not chosen:
        raise NotAChatExport("no chat text in the archive")
    raw = archives.read_member(io.BytesIO(data), chosen[0].name, MAX_TEXT_BYTES)
    text = raw.decode("utf-8-sig", errors="replace")
    return parse_text(text, {m.name for m in members}), members
