"""The chronology of the facts of a case (issue 14.4): one list from every dated source, shown
to the reporter and to staff, corrected by the reporter, written into the documents.

Sources: the dates the reporter gave, the dated messages of chat exports, the bubbles of
screenshots read as a chat when a separator shows the full day (``domain.timeline``), the
dates cameras wrote in photos and videos, the pages captured into the case and, for staff only,
the custody events of the case. Location data never comes here.

The reporter corrects a line's date (or says it is unknown), says a line is not part of the
facts (or is again), or adds a dated line. Each correction is a small salted JSON document
stored encrypted in the vault (shredded with the case), a row holding only its kind and digest
(``store.chronology_tables``) and a custody event "timeline_corrected" with that digest: the
ledger, which may be handed out, never holds the date or the text. Corrections are applied
wherever the chronology is read: the pages, the complaint letter, the evidence report and the
dates the qualification counts its deadlines from (``span``).

This is not ``services.timeline`` (the reporter's activity feed: replies, takedowns...).
"""

from __future__ import annotations

import io
import json
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from rempart.documents.casefile import TimelineEntry
from rempart.domain import custody
from rempart.domain import timeline as chronicle
from rempart.domain.audit import Actor, AuditAction
from rempart.domain.facts import ReportFacts
from rempart.domain.staff import Permission
from rempart.domain.timeline import Correction, FactLine, InvalidCorrection
from rempart.services import audit
from rempart.services.app import App
from rempart.services.cases import CaseDetail, load_detail
from rempart.services.errors import CaseNotFound
from rempart.services.staff import StaffMember, require_permission
from rempart.store.chronology_tables import TimelineCorrectionRecord, chronology
from rempart.store.evidence_text_tables import derived

MAX_CORRECTIONS = 500  # per case: enough for any chronology, a bound for a runaway client
DOCUMENT_VERSION = 1


@dataclass(frozen=True)
class CaseChronology:
    """What a page shows: the lines, oldest first (excluded ones flagged, custody events only
    for staff), and the first and last days of the facts."""

    case_id: str
    code: str
    lines: list[FactLine]
    span: tuple[date, date] | None


# Reading the sources -------------------------------------------------------------------------

def _sources(app: App, detail: CaseDetail, language: str, given: ReportFacts | None
             ) -> list[FactLine]:
    from rempart.services.evidence_kinds import CHAT, EMAIL, METADATA, kinds_for_reporter
    from rempart.services.evidence_text import texts_for_reporter

    facts = given if given is not None else detail.facts
    exhibit = {r.item_id: (n, r.file_name) for n, r in enumerate(detail.evidence, start=1)}

    def source(item_id: str, wording: str = "exhibit") -> str:
        number, file_name = exhibit.get(item_id, (0, "?"))
        return chronicle.word(language, wording, name=file_name, n=number)

    read = kinds_for_reporter(app, detail.case_id)  # decrypted once (no location in it)
    chats = [chronicle.chat_lines(
        [chronicle.ChatMessage(m.get("at"), str(m.get("author") or ""), str(m.get("text") or ""))
         for m in k.documents[CHAT].get("messages", []) if isinstance(m, dict)],
        source(k.item_id), language, f"chat:{k.item_id}") for k in read if CHAT in k.documents]
    photos = [chronicle.photo_line(k.documents[METADATA].get("taken_at"), source(k.item_id),
                                   language, f"photo:{k.item_id}")
              for k in read if METADATA in k.documents]
    emails = [chronicle.email_line(k.documents[EMAIL].get("date"),
                                   str(k.documents[EMAIL].get("from") or ""),
                                   str(k.documents[EMAIL].get("subject") or ""),
                                   source(k.item_id), language, f"email:{k.item_id}")
              for k in read if EMAIL in k.documents]
    screens = [chronicle.screenshot_lines(
        [(b.side, b.text, b.time) for b in text.result.conversation],
        source(text.item_id, "read_on"), language, f"ocr:{text.item_id}")
        for text in texts_for_reporter(app, detail.case_id)]
    reporter = chronicle.reporter_lines(facts.started_on if facts else None,
                                        facts.last_on if facts else None, language)
    return chronicle.chronology(reporter, *chats, *photos, *emails, *screens,
                                *_captures(app, detail.case_id, language, source))


def _captures(app: App, case_id: str, language: str, source: Any) -> list[list[FactLine]]:
    from rempart.services.capture import CAPTURE

    with app.uow() as uow:
        rows = [(r.id, r.evidence_id) for r in derived(uow).for_case(case_id, CAPTURE)]
    out = []
    for derived_id, warc_id in rows:
        document = json.loads(b"".join(app.store.open(case_id, derived_id)))
        out.append(chronicle.capture_line(document.get("fetched_at"),
                                          str(document.get("final_url") or document.get("url")),
                                          source(warc_id), language, f"capture:{derived_id}"))
    return out


def _corrections(app: App, case_id: str) -> list[Correction]:
    with app.uow() as uow:
        ids = [row.id for row in chronology(uow).corrections(case_id)]
    out = []
    for correction_id in ids:
        raw = json.loads(b"".join(app.store.open(case_id, correction_id)))
        out.append(Correction(str(raw["kind"]), str(raw["line"]), str(raw.get("at") or ""),
                              str(raw.get("text") or ""), bool(raw.get("estimated"))))
    return out


def _custody(app: App, detail: CaseDetail, language: str) -> list[FactLine]:
    names = {r.item_id: r.file_name for r in detail.evidence}
    by_digest = {r.sha256: r.file_name for r in detail.evidence}
    with app.uow() as uow:
        events = chronology(uow).custody_events(detail.case_id)
    lines = []
    for index, event in events:
        target = event.target or ""
        name = names.get(event.item_id or "", "")
        if event.action is custody.CustodyAction.DERIVED:  # "<kind>:<digest of the item>"
            kind, _, digest = target.partition(":")
            target, name = kind, by_digest.get(digest, "")
        lines.append(chronicle.custody_line(index, event.action.value, event.at.isoformat(),
                                            event.actor_role.value, name, target, language))
    return lines


def _lines(app: App, detail: CaseDetail, language: str, *, given: ReportFacts | None = None,
           said: str = "said_by") -> list[FactLine]:
    return chronicle.corrected(_sources(app, detail, language, given),
                               _corrections(app, detail.case_id),
                               chronicle.word(language, said))


def _detail(app: App, case_id: str) -> CaseDetail:
    with app.uow() as uow:
        return load_detail(uow, case_id)  # CaseNotFound if there is no such case


# What pages and documents read ----------------------------------------------------------------

def for_reporter(app: App, case_id: str, language: str) -> CaseChronology:
    """The reporter's own case (opened with its code and passphrase): the facts only."""
    detail = _detail(app, case_id)
    lines = _lines(app, detail, language, said="said")
    return CaseChronology(case_id, detail.code, lines, chronicle.span(lines))


def for_staff(app: App, member: StaffMember, case_id: str, language: str) -> CaseChronology:
    """Staff who may read the case and its evidence: the facts and the custody events, each
    view audited."""
    with app.uow() as uow:
        require_permission(uow, member, Permission.VIEW_CASE)
        require_permission(uow, member, Permission.VIEW_EVIDENCE)  # the lines quote evidence
        detail = load_detail(uow, case_id, staff_view=True)
    facts = _lines(app, detail, language)
    lines = chronicle.chronology(facts, _custody(app, detail, language))
    with app.uow() as uow:
        audit.record(uow, Actor.STAFF, AuditAction.CASE_VIEWED, case_id=case_id,
                     staff_id=member.id, detail={"what": "chronology", "lines": len(lines)})
        uow.commit()
    return CaseChronology(case_id, detail.code, lines, chronicle.span(facts))


def for_documents(app: App, detail: CaseDetail, language: str, given: ReportFacts | None
                  ) -> tuple[tuple[TimelineEntry, ...], tuple[date, date] | None]:
    """"Chronologie des faits" for the complaint letter and the evidence report (the facts the
    reporter did not exclude, corrections applied), and its first and last days."""
    facts = chronicle.facts_only(_lines(app, detail, language, given=given))
    entries = tuple(TimelineEntry(*chronicle.entry(line, language)) for line in facts)
    return entries, chronicle.span(facts)


def span(app: App, case_id: str) -> tuple[date, date] | None:
    """The first and last days of the case's facts (for the deadlines when the reporter gave
    no dates); None when nothing is dated."""
    return chronicle.span(_lines(app, _detail(app, case_id), "fr"))


# Corrections -----------------------------------------------------------------------------------

def correct(app: App, case_id: str, kind: str, line: str = "", *, day: str = "",
            clock: str = "", unknown: bool = False, text: str = "", estimated: bool = False,
            today: date | None = None) -> str:
    """Keep one correction of the reporter's chronology; its id. InvalidCorrection (a reason
    code: "kind", "line", "date", "date_range", "time", "text_missing", "text_long",
    "too_many") when it cannot be kept, and then nothing is stored."""
    today = today or datetime.now(UTC).date()
    if kind not in chronicle.KINDS:
        raise InvalidCorrection("kind")
    correction_id = str(uuid.uuid4())
    at = ""
    if kind == "add":
        line, at, text = f"added:{correction_id}", chronicle.parse_when(day, clock, today), \
            chronicle.clean_text(text)
    else:
        keys = {fact.key for fact in _lines(app, _detail(app, case_id), "fr")}
        if line not in keys:
            raise InvalidCorrection("line")
        if kind == "date" and not unknown:
            at = chronicle.parse_when(day, clock, today)
        text, estimated = "", estimated and kind == "date" and not unknown
    document = {"v": DOCUMENT_VERSION, "nonce": secrets.token_hex(16), "kind": kind,
                "line": line, "at": at, "text": text, "estimated": estimated}
    encoded = json.dumps(document, ensure_ascii=False, sort_keys=True).encode("utf-8")
    now = datetime.now(UTC)
    with app.uow() as uow:
        repo = chronology(uow)
        if uow.cases.get(case_id) is None:
            raise CaseNotFound()
        if repo.count(case_id) >= MAX_CORRECTIONS:
            raise InvalidCorrection("too_many")
        blob = app.store.put(case_id, correction_id, io.BytesIO(encoded))
        leaf = uow.ledger.append(custody.CustodyEvent(
            custody.CustodyAction.TIMELINE_CORRECTED, case_id, custody.ActorRole.REPORTER, now,
            item_id=correction_id, sha256=blob.sha256, target=kind))
        repo.add(TimelineCorrectionRecord(id=correction_id, case_id=case_id, kind=kind,
                                          sha256=blob.sha256, leaf_index=leaf, created_at=now))
        audit.record(uow, Actor.REPORTER, AuditAction.FACTS_UPDATED, case_id=case_id,
                     detail={"what": "chronology", "kind": kind})
        uow.commit()
    return correction_id
