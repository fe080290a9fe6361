"""Related cases, near-duplicate images and raid alerts (rules in rempart.domain.related).

Images are hashed with PDQ the first time a case is opened in the back-office (or listed by
``rempart cases related``): the hash is kept in ``evidence_pdq``, so near copies across cases
are found without decrypting every file again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import structlog

from rempart.domain import related as rules
from rempart.domain.audit import Actor, AuditAction
from rempart.domain.staff import Permission
from rempart.evidence.interface import EvidenceStore
from rempart.media.pdq import hash_image
from rempart.media.safe_image import UnsafeImage
from rempart.security import passphrase
from rempart.services import audit
from rempart.services.errors import CaseNotFound
from rempart.services.staff import StaffMember, require_permission
from rempart.store.staff_desk import SqlDeskRepository, desk
from rempart.store.staff_tables import EvidencePdqRecord
from rempart.store.uow import UnitOfWork

log = structlog.get_logger(__name__)
HASHED_TYPES = {"image/png", "image/jpeg", "image/webp", "image/gif", "image/heic",
                "image/heif", "image/bmp", "image/tiff"}
MAX_HASHED_BYTES = 60 * 1024 * 1024


@dataclass(frozen=True)
class RelatedCase:
    case_id: str
    code: str
    # How it is linked: ("author", "@luc"), ("url", "x.com/p/1"), ("file", sha256),
    # ("image", "<distance>"): ids and keys only.
    links: list[tuple[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class CaseLinks:
    related: list[RelatedCase]
    near_duplicates: list[list[str]]  # groups of item ids of this case (near copies)


def _now() -> datetime:
    return datetime.now(UTC)


def _index_images(uow: UnitOfWork, store: EvidenceStore, case_id: str) -> dict[str, str]:
    """PDQ of every image of the case (computed once, then stored); item id -> hash."""
    repo = desk(uow)
    known = repo.pdq_of_case(case_id)
    for item in uow.cases.evidence(case_id):
        if item.id in known or item.media_type not in HASHED_TYPES:
            continue
        value, quality = None, None
        if item.size <= MAX_HASHED_BYTES:
            try:
                result = hash_image(b"".join(store.open(case_id, item.id)))
                value, quality = result.hash, result.quality
            except (UnsafeImage, OSError, ValueError) as problem:
                log.info("evidence.pdq_skipped", case_id=case_id, item_id=item.id,
                         reason=type(problem).__name__)
        record = EvidencePdqRecord(item_id=item.id, case_id=case_id, pdq=value,
                                   quality=quality, computed_at=_now())
        repo.add_pdq(record)
        known[item.id] = record
    return {item_id: r.pdq for item_id, r in known.items() if r.pdq}


def _related(repo: SqlDeskRepository, case_id: str, hashes: dict[str, str]
             ) -> list[RelatedCase]:
    links: dict[str, list[tuple[str, str]]] = {}
    everyone = repo.case_keys()
    mine = next((c for c in everyone if c[0] == case_id), None)
    if mine is None:
        raise CaseNotFound()
    handles = {rules.handle_key(h) for h in mine[2]} - {""}
    urls = {rules.url_key(u) for u in mine[3]} - {""}
    for other_id, _, other_handles, other_urls, _ in everyone:
        if other_id == case_id:
            continue
        for handle in sorted(handles & {rules.handle_key(h) for h in other_handles}):
            links.setdefault(other_id, []).append(("author", handle))
        for url in sorted(urls & {rules.url_key(u) for u in other_urls}):
            links.setdefault(other_id, []).append(("url", url))
    for other_id, sha256 in repo.cases_sharing_files(case_id):
        links.setdefault(other_id, []).append(("file", sha256))
    if hashes:
        for other_id, _, other_hash in repo.all_pdq(case_id):
            best = min(rules.hamming(h, other_hash) for h in hashes.values())
            if best <= rules.NEAR_PDQ_DISTANCE and ("image", str(best)) not in links.get(
                    other_id, []):
                links.setdefault(other_id, []).append(("image", str(best)))
    codes = repo.codes(links)
    return sorted((RelatedCase(i, codes[i], found) for i, found in links.items() if i in codes),
                  key=lambda r: (-len(r.links), r.code))


def _links(uow: UnitOfWork, store: EvidenceStore, case_id: str) -> CaseLinks:
    if uow.cases.get(case_id) is None:
        raise CaseNotFound()
    hashes = _index_images(uow, store, case_id)
    found = _related(desk(uow), case_id, hashes)
    return CaseLinks(found, rules.near_groups(hashes.items()))


def case_links(uow: UnitOfWork, store: EvidenceStore, staff: StaffMember, case_id: str
               ) -> CaseLinks:
    """Related cases and near-duplicate images of one case, for the case page (its view is
    already audited by ``staff_case_detail``: this adds no second entry)."""
    with uow:
        require_permission(uow, staff, Permission.VIEW_CASE)
        links = _links(uow, store, case_id)
        uow.commit()  # the image hashes computed now
        return links


def related_by_code(uow: UnitOfWork, store: EvidenceStore, code: str) -> tuple[str, CaseLinks]:
    """The command line's version (the operator acts): the case id and its links."""
    with uow:
        normalized = passphrase.normalize_case_code(code)
        record = uow.cases.get_by_code(normalized) if normalized else None
        if record is None:
            raise CaseNotFound()
        links = _links(uow, store, record.id)
        audit.record(uow, Actor.OPERATOR, AuditAction.CASE_VIEWED, case_id=record.id,
                     detail={"view": "related"})
        uow.commit()
        return record.id, links
