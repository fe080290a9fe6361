"""Every kind of evidence (issue 14.2): what is read from each item, kept like the evidence.

``process_case`` (in the background job of ``rempart.jobs.ocr``, after every upload) reads
each item once per kind, through the library module that owns that decoding:

| item | derived kinds |
|---|---|
| image | ``metadata`` (EXIF date, device, location) |
| audio, video | ``preview`` (ffmpeg: Opus/Ogg, VP8/WebM, no metadata), ``metadata`` (ffprobe) |
| ZIP | ``archive`` (members listed, hashed), ``chat`` (WhatsApp, Instagram, Facebook, Snapchat) |
| text | ``chat`` when it is a WhatsApp export |
| EML | ``email`` (from, to, subject, date, text) |
| HTML, MHTML | ``page`` (title, visible text) |

Each result is stored encrypted in the vault as a derived item (its row holds digests only) with
a custody event "item_derived" linking its digest to the item's, as the OCR does. Chats, e-mails
and pages feed the classifier (``classifier_messages``). Location is sensitive: staff only, never
in the reporter's view nor in any copy sent outside. PDF and opaque files are never decoded.
"""

from __future__ import annotations

import io
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import structlog

from rempart.domain import custody
from rempart.domain.audit import Actor, AuditAction
from rempart.domain.staff import Permission
from rempart.media import (
    archives,
    av,
    chat_export,
    data_download,
    image_metadata,
    message_text,
    sniff,
    video,
)
from rempart.media.safe_image import UnsafeImage
from rempart.services import audit
from rempart.services.errors import CaseNotFound
from rempart.services.staff import StaffMember, require_permission
from rempart.store.evidence_text_tables import DerivedItemRecord, derived

if TYPE_CHECKING:
    from rempart.services.app import App

PREVIEW, METADATA, ARCHIVE, CHAT, EMAIL, PAGE = (
    "preview", "metadata", "archive", "chat", "email", "page")
JSON_KINDS = (METADATA, ARCHIVE, CHAT, EMAIL, PAGE)
MAX_SUMMARY_MESSAGES = 20  # a summary shows the first messages; the JSON has them all
TEXT_KINDS = frozenset({CHAT, EMAIL, PAGE})  # what the classifier reads
IMAGE_TYPES = frozenset({sniff.PNG, sniff.JPEG, sniff.WEBP, sniff.GIF, sniff.HEIC})
_FAILURES = (archives.UnsafeArchive, av.UnreadableMedia, UnsafeImage,
             message_text.UnreadableMessage, data_download.NotADataDownload)
log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class Derived:
    document: bytes
    engine: str
    count: int = 0  # messages, members, words: what the row's ``words`` column counts


@dataclass(frozen=True)
class ProcessReport:
    made: list[tuple[str, str]] = field(default_factory=list)  # (item id, kind) made now
    failed: list[tuple[str, str]] = field(default_factory=list)

    @property
    def new_text(self) -> bool:
        return any(kind in TEXT_KINDS for _, kind in self.made)


def _json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, sort_keys=True).encode("utf-8")


def _location(pair: tuple[float, float] | None) -> dict[str, float] | None:
    return {"lat": pair[0], "lon": pair[1]} if pair else None


def _image_metadata(data: bytes, media_type: str) -> Derived:
    found = image_metadata.read_metadata(data)
    return Derived(_json({"taken_at": found.taken_at, "device": found.device,
                          "location": _location(found.location)}), "pillow exif")


def _av_metadata(data: bytes, media_type: str) -> Derived:
    with video.private_copy([data]) as path:
        found = av.probe(path)
    return Derived(_json({"taken_at": found.created_at, "device": found.device,
                          "location": _location(found.location),
                          "duration": found.duration}), "ffprobe")


def _preview(data: bytes, media_type: str) -> Derived:
    with video.private_copy([data]) as path:
        made = av.preview(path, video=media_type in sniff.VIDEO)
    return Derived(made.data, made.engine)


def _chat_document(source: str, messages: list[dict[str, Any]], **extra: Any) -> Derived:
    return Derived(_json({"source": source, "messages": messages, **extra}), source,
                   len(messages))


def _whatsapp(export: chat_export.ChatExport) -> Derived:
    return _chat_document("whatsapp", [
        {"at": m.at, "author": m.author or "", "text": m.text, "attachments": m.attachments}
        for m in export.messages], missing_attachments=export.missing_attachments)


def _archive(data: bytes, media_type: str) -> Derived:
    members = archives.list_members(io.BytesIO(data))
    return Derived(_json({"members": [
        {"name": m.name, "size": m.size, "sha256": m.sha256, "encrypted": m.encrypted}
        for m in members]}), "zipfile", len(members))


def _zip_chat(data: bytes, media_type: str) -> Derived | None:
    try:
        return _whatsapp(chat_export.parse_zip(data)[0])
    except chat_export.NotAChatExport:
        pass
    try:
        chat = data_download.read_download(data)
    except data_download.NotADataDownload:
        return None
    return _chat_document(chat.source, chat.messages)


def _text_chat(data: bytes, media_type: str) -> Derived | None:
    try:
        return _whatsapp(chat_export.parse_text(data.decode("utf-8-sig", "replace")))
    except chat_export.NotAChatExport:
        return None


def _email(data: bytes, media_type: str) -> Derived:
    return Derived(_json(message_text.mail_text(data).as_dict()), "python email")


def _page(data: bytes, media_type: str) -> Derived:
    page = (message_text.mhtml_text(data) if media_type == sniff.MHTML
            else message_text.page_text(data))
    return Derived(_json(page.as_dict()), "html.parser", len(page.text.split()))


Reader = Callable[[bytes, str], "Derived | None"]


def readers(media_type: str) -> list[tuple[str, Reader]]:
    """The derived kinds made from an item of this type, in order."""
    if media_type in IMAGE_TYPES:
        return [(METADATA, _image_metadata)]
    if media_type in sniff.AUDIO | sniff.VIDEO:
        return [(PREVIEW, _preview), (METADATA, _av_metadata)]
    by_type: dict[str, list[tuple[str, Reader]]] = {
        sniff.ZIP: [(ARCHIVE, _archive), (CHAT, _zip_chat)], sniff.TXT: [(CHAT, _text_chat)],
        sniff.EML: [(EMAIL, _email)], sniff.HTML: [(PAGE, _page)], sniff.MHTML: [(PAGE, _page)]}
    return by_type.get(media_type, [])


def _store(app: App, case_id: str, item_id: str, item_sha256: str, kind: str,
           made: Derived) -> bool:
    derived_id, now = str(uuid.uuid4()), datetime.now(UTC)
    with app.uow() as uow:
        repo = derived(uow)
        if repo.of_item(item_id, kind) is not None:  # another worker made it meanwhile
            return False
        blob = app.store.put(case_id, derived_id, io.BytesIO(made.document))
        leaf = uow.ledger.append(custody.CustodyEvent(
            custody.CustodyAction.DERIVED, case_id, custody.ActorRole.SYSTEM, now,
            item_id=derived_id, sha256=blob.sha256, target=f"{kind}:{item_sha256}"))
        repo.add(DerivedItemRecord(
            id=derived_id, case_id=case_id, evidence_id=item_id, kind=kind,
            source_sha256=item_sha256, sha256=blob.sha256, size=blob.size,
            engine=made.engine[:60], language="und", words=made.count, leaf_index=leaf,
            created_at=now))
        uow.commit()
    return True


def process_item(app: App, case_id: str, item_id: str, report: ProcessReport) -> None:
    with app.uow() as uow:
        item = uow.cases.evidence_item(case_id, item_id)
        if item is None:
            raise CaseNotFound("evidence")
        todo = [(kind, read) for kind, read in readers(item.media_type)
                if derived(uow).of_item(item_id, kind) is None]
        media_type, item_sha256 = item.media_type, item.sha256
    if not todo:
        return
    data = b"".join(app.store.open(case_id, item_id))  # verified before a byte is read
    for kind, read in todo:
        try:
            made = read(data, media_type)
        except _FAILURES as problem:  # reasons name no content
            log.warning("evidence_kind.failed", case_id=case_id, item_id=item_id, kind=kind,
                        reason=str(problem)[:120])
            report.failed.append((item_id, kind))
            continue
        if made is not None and _store(app, case_id, item_id, item_sha256, kind, made):
            report.made.append((item_id, kind))


def process_case(app: App, case_id: str) -> ProcessReport:
    """Make every derived kind not made yet for each item of the case (the background job)."""
    with app.uow() as uow:
        if uow.cases.get(case_id) is None:
            raise CaseNotFound()
        items = [e.id for e in uow.cases.evidence(case_id) if readers(e.media_type)]
    report = ProcessReport()
    for item_id in items:
        process_item(app, case_id, item_id, report)
    log.info("evidence_kinds.case_processed", case_id=case_id, made=len(report.made),
             failed=len(report.failed))
    return report


# Reading what was made ---------------------------------------------------------------------

@dataclass(frozen=True)
class ItemKinds:
    """What was read from one item: a document per JSON kind, and whether a preview exists."""

    item_id: str
    file_name: str
    media_type: str
    documents: dict[str, dict[str, Any]]
    preview_type: str | None  # the preview's media type, None without one

    def as_dict(self) -> dict[str, Any]:
        return {"item_id": self.item_id, "file_name": self.file_name,
                "media_type": self.media_type, "preview_type": self.preview_type,
                **self.documents}


def summary_lines(entry: ItemKinds) -> list[str]:
    """One plain line per thing read (English, for the operator's terminal)."""
    lines: list[str] = []
    meta = entry.documents.get(METADATA)
    if meta:
        for key in ("taken_at", "device", "duration"):
            if meta.get(key) not in (None, ""):
                lines.append(f"{key}: {meta[key]}")
        if meta.get("location"):
            where = meta["location"]
            lines.append(f"location (sensitive, staff only): {where['lat']}, {where['lon']}")
    for member in (entry.documents.get(ARCHIVE) or {}).get("members", []):
        lines.append(f"member {member['name']} {member['size']} B sha256 {member['sha256']}"
                     + (" (encrypted)" if member.get("encrypted") else ""))
    chat = entry.documents.get(CHAT)
    if chat:
        messages = chat.get("messages", [])
        lines.append(f"chat ({chat.get('source')}): {len(messages)} messages")
        for message in messages[:MAX_SUMMARY_MESSAGES]:
            lines.append(f"[{message.get('at') or '?'}] {message.get('author') or '?'}: "
                         f"{message.get('text', '')}")
    mail = entry.documents.get(EMAIL)
    if mail:
        lines.append(f"e-mail from {mail.get('from')} to {mail.get('to')} on {mail.get('date')}: "
                     f"{mail.get('subject')}")
    page = entry.documents.get(PAGE)
    if page:
        lines.append(f"page: {page.get('title')} ({len(str(page.get('text', '')).split())} words)")
    return lines


def preview_type(media_type: str) -> str:
    return av.WEBM if media_type in sniff.VIDEO else av.OGG_OPUS


def _without_location(documents: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    if METADATA in documents:
        documents[METADATA] = {k: v for k, v in documents[METADATA].items() if k != "location"}
    return documents


def _kinds(app: App, case_id: str, item_id: str | None) -> list[ItemKinds]:
    with app.uow() as uow:
        if uow.cases.get(case_id) is None:
            raise CaseNotFound()
        items = {e.id: e for e in uow.cases.evidence(case_id)}
        if item_id is not None and item_id not in items:
            raise CaseNotFound("evidence")
        rows = [(r.id, r.evidence_id, r.kind) for r in derived(uow).for_case(case_id)
                if r.kind in (*JSON_KINDS, PREVIEW)
                and (item_id is None or r.evidence_id == item_id)]
        names = {i: (e.file_name, e.media_type) for i, e in items.items()}
    found: dict[str, ItemKinds] = {}
    for derived_id, evidence_id, kind in rows:
        name, media_type = names[evidence_id]
        entry = found.setdefault(evidence_id, ItemKinds(evidence_id, name, media_type, {}, None))
        if kind == PREVIEW:
            found[evidence_id] = ItemKinds(evidence_id, name, media_type, entry.documents,
                                           preview_type(media_type))
        else:
            entry.documents[kind] = json.loads(b"".join(app.store.open(case_id, derived_id)))
    order = list(names)
    return sorted(found.values(), key=lambda k: order.index(k.item_id))


def kinds_for_staff(app: App, member: StaffMember, case_id: str, item_id: str | None = None
                    ) -> list[ItemKinds]:
    """Everything read, location included; staff with the evidence permission, audited."""
    with app.uow() as uow:
        require_permission(uow, member, Permission.VIEW_EVIDENCE)
        found = _kinds(app, case_id, item_id)
        audit.record(uow, Actor.STAFF, AuditAction.EVIDENCE_VIEWED, case_id=case_id,
                     staff_id=member.id, detail={"what": "evidence_kinds", "items": len(found)})
        uow.commit()
    return found


def kinds_for_reporter(app: App, case_id: str, item_id: str | None = None) -> list[ItemKinds]:
    """The reporter's own case: everything but the location (staff only)."""
    return [ItemKinds(k.item_id, k.file_name, k.media_type, _without_location(k.documents),
                      k.preview_type) for k in _kinds(app, case_id, item_id)]


def kinds_for_operator(app: App, case_id: str, item_id: str | None = None) -> list[ItemKinds]:
    """``rempart evidence kinds``: the operator, on the server, sees what staff see."""
    return _kinds(app, case_id, item_id)


def _stored_preview(app: App, case_id: str, item_id: str) -> tuple[str, bytes]:
    with app.uow() as uow:
        item = uow.cases.evidence_item(case_id, item_id)
        row = derived(uow).of_item(item_id, PREVIEW) if item is not None else None
        if item is None or row is None:
            raise CaseNotFound("evidence")
        derived_id, media_type = row.id, item.media_type
    return preview_type(media_type), b"".join(app.store.open(case_id, derived_id))


def preview_for_staff(app: App, member: StaffMember, case_id: str, item_id: str
                      ) -> tuple[str, bytes]:
    """The safe audio/video preview to play; audited like a view of the evidence."""
    with app.uow() as uow:
        require_permission(uow, member, Permission.VIEW_EVIDENCE)
        found = _stored_preview(app, case_id, item_id)
        audit.record(uow, Actor.STAFF, AuditAction.EVIDENCE_VIEWED, case_id=case_id,
                     staff_id=member.id, detail={"what": "preview", "item": item_id})
        uow.commit()
    return found


def preview_for_reporter(app: App, case_id: str, item_id: str) -> tuple[str, bytes]:
    return _stored_preview(app, case_id, item_id)


def classifier_messages(app: App, case_id: str) -> list[tuple[str, str]]:
    """(reference, text) for the classifier: each chat message ("chat:<item>:<n>", one
    conversation per export), the text of e-mails ("email:<item>") and pages ("page:<item>")."""
    try:
        found = _kinds(app, case_id, None)
    except (CaseNotFound, RuntimeError):  # no case, or an in-memory unit of work
        return []
    pairs: list[tuple[str, str]] = []
    for item in found:
        chat = item.documents.get(CHAT, {})
        pairs += [(f"chat:{item.item_id}:{n}", str(m.get("text", "")))
                  for n, m in enumerate(chat.get("messages", [])) if m.get("author")
                  and str(m.get("text", "")).strip()]
        for kind in (EMAIL, PAGE):
            text = str(item.documents.get(kind, {}).get("text", "")).strip()
            if text:
                pairs.append((f"{kind}:{item.item_id}", text))
    return pairs
