"""The chronology of the facts ("Chronologie des faits"), merged from every dated source of a case.

Pure: the service layer reads the sources (the reporter's dates, messages of chat exports and of
screenshots, the dates cameras wrote in photos, page captures, custody events for staff) and
this module orders them, drops exact repeats and keeps the letter readable: a long chat export
gives its first and last messages and says how many are left out (the whole export stays an
exhibit). Undated lines are never given a guessed date: a screenshot's bubble that shows only
"21:14" joins only below a separator showing a full date (day, month and year).

Every line has a ``key`` naming where it comes from, the same in every language
("report:since", "chat:<item>:<n>", "ocr:<item>:<n>", "photo:<item>", "capture:<id>",
"added:<id>"): the reporter's corrections (``Correction``) name the line they change, and
``corrected`` applies them (the latest correction of a line wins).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from email.utils import parsedate_to_datetime
from zoneinfo import ZoneInfo

MAX_PER_SOURCE = 12  # lines one exhibit may add; the rest is counted, not printed
TEXT_CHARS = 140
ADDED_TEXT_CHARS = 280  # what the reporter may write in a line they add
EARLIEST_YEAR = 1990


@dataclass(frozen=True)
class FactLine:
    at: str  # ISO 8601 date or date-time, as the source gave it (sortable); "" when unknown
    text: str
    source: str  # where the line comes from: "signalement", "export.txt (pièce 2)", …
    key: str = ""  # which line this is, in every language (corrections name it)
    estimated: bool = False  # the date is an estimate (the reporter said so)
    custody: bool = False  # a custody event (staff view only), not a fact
    original_at: str | None = None  # the date the source gave, when the reporter corrected it
    excluded: bool = False  # the reporter said it is not part of the facts


@dataclass(frozen=True)
class Correction:
    """One correction by the reporter: ``kind`` is "date" (``at`` the new date, "" when it is
    not known), "exclude" or "include" (the line is, or is again, part of the facts), or "add"
    (a new line ``key`` = "added:<id>", dated ``at``, saying ``text``)."""

    kind: str
    line: str
    at: str = ""
    text: str = ""
    estimated: bool = False


KINDS = ("date", "exclude", "include", "add")


class InvalidCorrection(ValueError):
    """A correction that cannot be kept; the message says why, for the reporter."""


@dataclass(frozen=True)
class ChatMessage:
    at: str | None
    author: str
    text: str


PARIS = ZoneInfo("Europe/Paris")
_WORDS = {
    "fr": {"since": "Début des faits (selon la personne qui signale)",
           "last": "Derniers faits connus (selon la personne qui signale)",
           "photo": "Photo ou capture prise", "report": "signalement",
           "more": "… et {n} autres messages datés dans la pièce",
           "exhibit": "{name} (pièce {n})", "read_on": "lu sur la capture {name} (pièce {n})",
           "other": "Autre personne", "owner": "Propriétaire du téléphone",
           "captured": "Page enregistrée : {url}", "said": "vous l'avez indiqué",
           "email": "E-mail envoyé par {sender} : « {subject} »",
           "said_by": "indiqué par la personne qui signale",
           "ledger": "registre de preuves, entrée n° {n}"},
    "en": {"since": "Start of the facts (as reported)",
           "last": "Latest known facts (as reported)",
           "photo": "Photo or screenshot taken", "report": "report",
           "more": "… and {n} more dated messages in the exhibit",
           "exhibit": "{name} (exhibit {n})", "read_on": "read on screenshot {name} (exhibit {n})",
           "other": "Other person", "owner": "Phone owner",
           "captured": "Page captured: {url}", "said": "you said so",
           "email": "E-mail sent by {sender}: “{subject}”",
           "said_by": "given by the person reporting", "ledger": "evidence ledger, entry {n}"},
}


def _iso(value: str | None) -> str | None:
    """A date or date-time string in ISO 8601, or None when it is not one."""
    if not value:
        return None
    try:
        datetime.fromisoformat(value)
    except ValueError:
        try:
            date.fromisoformat(value[:10])
        except ValueError:
            return None
        return value[:10]
    return value


def _short(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= TEXT_CHARS else flat[:TEXT_CHARS - 1].rstrip() + "…"


def word(language: str, wording: str, **values: object) -> str:
    """One of the chronology's words in ``language`` ("fr" or "en"), filled in."""
    return _WORDS[language][wording].format(**values)


def reporter_lines(started_on: date | None, last_on: date | None, language: str
                   ) -> list[FactLine]:
    words = _WORDS[language]
    lines = []
    if started_on is not None:
        lines.append(FactLine(started_on.isoformat(), words["since"], words["report"],
                              "report:since"))
    if last_on is not None and last_on != started_on:
        lines.append(FactLine(last_on.isoformat(), words["last"], words["report"],
                              "report:last"))
    return lines


def chat_lines(messages: list[ChatMessage], source: str, language: str,
               key: str = "chat") -> list[FactLine]:
    """The dated messages of one export: the first and last ones when there are too many.
    Each line's key is ``<key>:<n>``, n the message's place in the export."""
    dated = sorted(((n, m) for n, m in enumerate(messages) if _iso(m.at)),
                   key=lambda pair: str(_iso(pair[1].at)))
    lines = [FactLine(str(_iso(m.at)), f"{m.author} : {_short(m.text)}" if language == "fr"
                      else f"{m.author}: {_short(m.text)}", source, f"{key}:{n}")
             for n, m in dated]
    if len(lines) <= MAX_PER_SOURCE:
        return lines
    head, tail = lines[:MAX_PER_SOURCE // 2], lines[-(MAX_PER_SOURCE // 2):]
    left_out = len(lines) - len(head) - len(tail)
    more = FactLine(head[-1].at, _WORDS[language]["more"].format(n=left_out), source,
                    f"{key}:more")
    return [*head, more, *tail]


_NUMERIC_DAY = re.compile(r"\b(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\b")
_MONTHS = {"janvier": 1, "février": 2, "fevrier": 2, "mars": 3, "avril": 4, "mai": 5,
           "juin": 6, "juillet": 7, "août": 8, "aout": 8, "septembre": 9, "octobre": 10,
           "novembre": 11, "décembre": 12, "decembre": 12, "january": 1, "february": 2,
           "march": 3, "april": 4, "may": 5, "june": 6, "july": 7, "august": 8,
           "september": 9, "october": 10, "november": 11, "december": 12}
_WORD_DAY = re.compile(r"\b(\d{1,2})(?:er|st|nd|rd|th)?\s+(" + "|".join(_MONTHS)
                       + r")\s+(\d{4})\b", re.IGNORECASE)
_HH_MM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


def full_date(text: str) -> date | None:
    """The day a separator shows ("12/03/2026", "12 mars 2026"), only with its year: "Hier",
    "Aujourd'hui" or "12 mars" say nothing certain and give None."""
    found = _NUMERIC_DAY.search(text)
    try:
        if found:
            return date(int(found.group(3)), int(found.group(2)), int(found.group(1)))
        found = _WORD_DAY.search(text)
        if found:
            return date(int(found.group(3)), _MONTHS[found.group(2).lower()],
                        int(found.group(1)))
    except ValueError:
        return None
    return None


def screenshot_lines(bubbles: Sequence[tuple[str, str, str | None]], source: str,
                     language: str, key: str) -> list[FactLine]:
    """The bubbles of a screenshot read as a chat, ``(side, text, time)`` top to bottom, that
    have a full date: a bubble's time ("14:32") counts only below a separator showing the day
    with its year; bubbles above any such separator, or without a time, stay out."""
    words = _WORDS[language]
    day: date | None = None
    messages: list[ChatMessage] = []
    for side, text, shown in bubbles:
        if side == "center" and full_date(text) is not None:
            day = full_date(text)
            messages.append(ChatMessage(None, "", ""))  # keeps the bubbles' numbering
            continue
        clock = _HH_MM.match(shown or "")
        at = (datetime.combine(day, time(int(clock.group(1)), int(clock.group(2)))).isoformat()
              if day is not None and clock and side != "center" else None)
        author = words["owner"] if side == "right" else words["other"]
        messages.append(ChatMessage(at, author, text))
    return chat_lines(messages, source, language, key)


def photo_line(taken_at: str | None, source: str, language: str,
               key: str = "photo") -> list[FactLine]:
    at = _iso(taken_at)
    return [FactLine(at, _WORDS[language]["photo"], source, key)] if at else []


def capture_line(fetched_at: str | None, url: str, source: str, language: str,
                 key: str) -> list[FactLine]:
    """A page captured into the case: when it was fetched, and from where."""
    at = _iso(fetched_at)
    text = _WORDS[language]["captured"].format(url=_short(url))
    return [FactLine(at, text, source, key)] if at else []


def email_line(date_header: str | None, sender: str, subject: str, source: str,
               language: str, key: str) -> list[FactLine]:
    """An e-mail kept as evidence, dated by its ``Date`` header (as read: ISO 8601, or the RFC
    5322 form), in Paris time like the other lines; none when it is missing or malformed."""
    if not date_header:
        return []
    try:
        sent = datetime.fromisoformat(date_header)
    except ValueError:
        try:
            sent = parsedate_to_datetime(date_header)
        except (TypeError, ValueError, IndexError):
            return []
    if sent.tzinfo is None:  # "-0000": the sender's zone is unknown, the time is UTC
        sent = sent.replace(tzinfo=UTC)
    if not EARLIEST_YEAR <= sent.year <= 9999:
        return []
    at = sent.astimezone(PARIS).replace(tzinfo=None).isoformat(timespec="minutes")
    text = _WORDS[language]["email"].format(sender=_short(sender or "?"),
                                            subject=_short(subject or ""))
    return [FactLine(at, text, source, key)]


def _order(line: FactLine) -> tuple[bool, str]:
    return (line.at == "", line.at)  # lines without a date come last


def chronology(*sources: list[FactLine]) -> list[FactLine]:
    """Every line once, oldest first (a date alone sorts before the times of that day)."""
    seen: set[tuple[str, str, str]] = set()
    merged = []
    for line in (line for lines in sources for line in lines):
        key = (line.at, line.text, line.source)
        if key not in seen:
            seen.add(key)
            merged.append(line)
    return sorted(merged, key=_order)


def corrected(lines: Iterable[FactLine], corrections: Iterable[Correction], source: str
              ) -> list[FactLine]:
    """The lines with the reporter's corrections applied, oldest first: a corrected date
    replaces the source's (kept in ``original_at``), an excluded line is flagged, an added line
    joins with ``source`` ("vous l'avez indiqué"). Corrections of lines that no longer exist
    are ignored. Callers drop the excluded lines where only facts are wanted."""
    given = list(lines)
    out = {line.key or f"#{n}": line for n, line in enumerate(given)}
    for fix in corrections:
        if fix.kind == "add":
            out[fix.line] = FactLine(fix.at, _short(fix.text), source, fix.line,
                                     estimated=fix.estimated)
            continue
        line = out.get(fix.line)
        if line is None:
            continue
        if fix.kind == "date":
            before = line.at if line.original_at is None else line.original_at
            out[fix.line] = replace(line, at=fix.at, estimated=fix.estimated,
                                    original_at=None if fix.at == before else before)
        elif fix.kind in ("exclude", "include"):
            out[fix.line] = replace(line, excluded=fix.kind == "exclude")
    return sorted(out.values(), key=_order)


def facts_only(lines: Iterable[FactLine]) -> list[FactLine]:
    """What the letter, the report and the qualification use: no custody event, nothing the
    reporter excluded."""
    return [line for line in lines if not line.custody and not line.excluded]


def span(lines: Iterable[FactLine]) -> tuple[date, date] | None:
    """The first and last days of the dated facts, None without any."""
    days = sorted(date.fromisoformat(line.at[:10]) for line in facts_only(lines) if line.at)
    return (days[0], days[-1]) if days else None


def parse_when(day: str, clock: str, today: date) -> str:
    """The date (and time, optional) the reporter typed, as ISO 8601; InvalidCorrection with
    the reason otherwise. The day is YYYY-MM-DD (the browser's date field), the time HH:MM;
    neither may be in the future (a day of margin for time zones) nor before 1990."""
    try:
        when = date.fromisoformat(day.strip())
    except ValueError:
        raise InvalidCorrection("date") from None
    if when.year < EARLIEST_YEAR or when > today + timedelta(days=1):
        raise InvalidCorrection("date_range")
    if not clock.strip():
        return when.isoformat()
    found = _HH_MM.match(clock.strip())
    if found is None:
        raise InvalidCorrection("time")
    return datetime.combine(when, time(int(found.group(1)), int(found.group(2)))).isoformat()


def clean_text(text: str) -> str:
    """The text of a line the reporter adds: one line, not empty, at most ADDED_TEXT_CHARS."""
    flat = " ".join(text.split())
    if not flat:
        raise InvalidCorrection("text_missing")
    if len(flat) > ADDED_TEXT_CHARS:
        raise InvalidCorrection("text_long")
    return flat


_CUSTODY = {
    "fr": {"item_received": "Pièce reçue : {name}", "item_viewed": "Pièce consultée : {name}",
           "item_exported": "Pièce exportée (rapport ou paquet de preuves) : {name}",
           "shared_with_platform": "Pièce transmise à {target} : {name}",
           "shared_with_police": "Pièce transmise à {target} : {name}",
           "item_shredded": "Suppression définitive : {name}",
           "item_derived": "Lecture automatique ({target}) : {name}",
           "takedown_status": "Demande de retrait : {target}",
           "referral_made": "Orientation : {target}",
           "facts_recorded": "Réponses de la personne enregistrées",
           "timeline_corrected": "Chronologie corrigée par la personne ({target})"},
    "en": {"item_received": "Exhibit received: {name}", "item_viewed": "Exhibit viewed: {name}",
           "item_exported": "Exhibit exported (report or evidence bundle): {name}",
           "shared_with_platform": "Exhibit sent to {target}: {name}",
           "shared_with_police": "Exhibit sent to {target}: {name}",
           "item_shredded": "Deleted for good: {name}",
           "item_derived": "Automatic reading ({target}): {name}",
           "takedown_status": "Takedown request: {target}",
           "referral_made": "Referral: {target}",
           "facts_recorded": "The reporter's answers recorded",
           "timeline_corrected": "Chronology corrected by the reporter ({target})"},
}
_ROLES = {"fr": {"reporter": "la personne", "staff": "l'équipe", "operator": "l'exploitant",
                 "system": "Rempart", "witness": "un témoin"},
          "en": {"reporter": "the reporter", "staff": "the team", "operator": "the operator",
                 "system": "Rempart", "witness": "a witness"}}


def custody_line(index: int, action: str, at: str, role: str, name: str, target: str,
                 language: str) -> FactLine:
    """A custody event as a line of the staff chronology (ids and names only, no content)."""
    text = _CUSTODY[language].get(action, action).format(name=name, target=target).strip(" :")
    who = _ROLES[language].get(role, role)
    source = f"{_WORDS[language]['ledger'].format(n=index)} · {who}"
    return FactLine(at, text, source, f"custody:{index}", custody=True)


def entry(line: FactLine, language: str) -> tuple[str, str]:
    """(when, what) of a line in the letter and the report: the date (or that it is unknown,
    or estimated), the text and its source, and the source's own date when it was corrected."""
    en = language == "en"
    when = when_text(line.at) if line.at else ("date unknown" if en else "date inconnue")
    if line.at and line.estimated:
        when += " (estimated)" if en else " (estimée)"
    what = f"{line.text} [{line.source}]"
    if line.original_at is not None:
        before = when_text(line.original_at) if line.original_at else "?"
        what += (f" (date corrected by the reporter; the source said {before})" if en
                 else f" (date corrigée par la personne ; la source indiquait {before})")
    return when, what


def when_text(at: str) -> str:
    """How a line's time is printed: the date, and the minute when the source gave one."""
    if len(at) <= 10:
        return at
    try:
        moment = datetime.fromisoformat(at)
    except ValueError:
        return at
    return moment.strftime("%Y-%m-%d %H:%M")
