"""Text of e-mails (EML), saved web pages (HTML, MHTML): read, never rendered.

E-mails are parsed by the standard library (``email`` with ``policy.default``), HTML by
``html.parser`` into its visible text: ``<script>``, ``<style>`` and the like are dropped, no
URL is ever fetched (nothing here opens a network connection), entities are decoded, and each
result is cut to ``MAX_TEXT_CHARS``. Inputs are bounded by ``MAX_INPUT_BYTES`` before parsing.
"""

from __future__ import annotations

import email
import email.policy
import re
from dataclasses import asdict, dataclass
from email.message import EmailMessage
from email.utils import parsedate_to_datetime
from html.parser import HTMLParser
from typing import Any

MAX_INPUT_BYTES = 30 * 1024 * 1024
MAX_TEXT_CHARS = 200_000
MAX_PARTS = 200
_SKIPPED = frozenset({"script", "style", "noscript", "template", "svg", "math", "iframe",
                      "object", "head"})
_BLOCKS = frozenset({"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6",
                     "section", "article", "blockquote", "pre", "td", "header", "footer"})


class UnreadableMessage(ValueError):
    """Not an e-mail or page this reader accepts (too large, no text)."""


class _VisibleText(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping: list[str] = []
        self.title: list[str] = []
        self.in_title = False
        self.size = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "title":
            self.in_title = True
        elif tag in _SKIPPED:
            self.skipping.append(tag)
        elif tag in _BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self.in_title = False
        elif self.skipping and tag == self.skipping[-1]:
            self.skipping.pop()
        elif tag in _BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.title.append(data)
        elif not self.skipping and self.size < MAX_TEXT_CHARS:
            self.parts.append(data)
            self.size += len(data)


def _tidy(text: str) -> str:
    lines = (re.sub(r"[ \t\u00a0]+", " ", line).strip() for line in text.splitlines())
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()[:MAX_TEXT_CHARS]


@dataclass(frozen=True)
class PageText:
    title: str
    text: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def html_text(markup: str) -> PageText:
    parser = _VisibleText()
    try:
        parser.feed(markup[: MAX_INPUT_BYTES])
        parser.close()
    except (AssertionError, ValueError):  # html.parser's rare internal errors on junk
        pass
    return PageText(_tidy("".join(parser.title))[:300], _tidy("".join(parser.parts)))


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def page_text(data: bytes) -> PageText:
    """The title and visible text of a saved HTML page."""
    _bounded(data)
    return html_text(_decode(data))


@dataclass(frozen=True)
class MailText:
    sender: str
    to: str
    subject: str
    date: str | None  # ISO 8601
    text: str

    def as_dict(self) -> dict[str, Any]:
        return {"from": self.sender, "to": self.to, "subject": self.subject, "date": self.date,
                "text": self.text}


def _bounded(data: bytes) -> None:
    if len(data) > MAX_INPUT_BYTES:
        raise UnreadableMessage(f"larger than {MAX_INPUT_BYTES // (1024 * 1024)} MiB")


def _parse(data: bytes) -> EmailMessage:
    _bounded(data)
    message = email.message_from_bytes(data, policy=email.policy.default)
    if not isinstance(message, EmailMessage):
        raise UnreadableMessage("not an e-mail")
    if sum(1 for _ in message.walk()) > MAX_PARTS:
        raise UnreadableMessage(f"more than {MAX_PARTS} parts")
    return message


def _content(part: Any) -> str:
    try:
        if part.get_content_charset() is None:  # saved pages often name none: guess, not ASCII
            payload = part.get_payload(decode=True)
            return _decode(payload) if isinstance(payload, bytes) else ""
        value = part.get_content()
    except (LookupError, ValueError, AssertionError):  # unknown charset, broken encoding
        payload = part.get_payload(decode=True) or b""
        value = _decode(payload if isinstance(payload, bytes) else b"")
    return value if isinstance(value, str) else ""


def _header(message: EmailMessage, name: str) -> str:
    try:
        return " ".join(str(message.get(name, "")).split())[:500]
    except (ValueError, TypeError, IndexError):  # a malformed address header
        return ""


def mail_text(data: bytes) -> MailText:
    """Sender, recipients, subject, date and the text of an e-mail (its plain part, or the
    visible text of its HTML part)."""
    message = _parse(data)
    body = message.get_body(preferencelist=("plain", "html"))
    text = ""
    if body is not None:
        content = _content(body)
        text = html_text(content).text if body.get_content_subtype() == "html" else \
            _tidy(content)
    try:
        raw_date = message.get("date")
        date = parsedate_to_datetime(str(raw_date)).isoformat() if raw_date else None
    except (TypeError, ValueError, IndexError):
        date = None
    return MailText(_header(message, "from"), _header(message, "to"),
                    _header(message, "subject"), date, text)


def mhtml_text(data: bytes) -> PageText:
    """A page saved as MHTML (a MIME multipart/related): the visible text of its HTML part."""
    message = _parse(data)
    for part in message.walk():
        if part.get_content_type() == "text/html":
            page = html_text(_content(part))
            if not page.title:
                page = PageText(_header(message, "subject")[:300], page.text)
            return page
    raise UnreadableMessage("no HTML part in the saved page")
