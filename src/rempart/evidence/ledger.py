"""The custody ledger: an append-only RFC 9162 Merkle log stored in the database.

``Ledger(session).append(event)`` runs inside the caller's transaction, so "store the evidence and
log its receipt" commits or rolls back as one unit of work. Appends lock the one-row
``ledger_head`` (PostgreSQL: ``SELECT ... FOR UPDATE``; SQLite: the database write lock taken by
updating that row first), which makes indexes sequential and gapless across processes.

Every complete aligned subtree hash is stored (leaf hashes in ``ledger_leaves``, higher levels in
``ledger_nodes``), so a root or proof at any size needs one indexed query of about 2·log2(n)
rows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Protocol, cast

import structlog
from sqlalchemy import Table, TextClause, func, insert, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from rempart.domain.custody import CustodyEvent, InvalidCustodyEvent
from rempart.evidence import merkle
from rempart.evidence.checkpoint import CheckpointError, NoteSigner, NoteVerifier
from rempart.store.ledger_tables import LedgerCheckpoint, LedgerHead, LedgerLeaf, LedgerNode

if TYPE_CHECKING:
    from rempart.evidence.witness import CheckpointWitness

log = structlog.get_logger(__name__)
_LEAVES = cast(Table, LedgerLeaf.__table__)
_NODES = cast(Table, LedgerNode.__table__)
Key = tuple[int, int]  # (level, index) of a complete aligned subtree


@dataclass(frozen=True)
class LeafReceipt:
    index: int
    leaf_hash: bytes


@dataclass(frozen=True)
class TimestampToken:
    token: bytes  # DER RFC 3161 TimeStampToken
    chain_pem: str  # the authority's certificate chain, leaf first


class TimestampFailed(Exception):
    """The time-stamping authority could not give a verified token (down, refused, bad)."""


class Timestamper(Protocol):
    def timestamp(self, data: bytes) -> TimestampToken: ...


class LedgerError(Exception):
    """A request outside the log (index or size beyond the tree)."""


def aligned_subtrees(start: int, end: int) -> list[Key]:
    """Complete aligned subtrees covering [start, end), largest first (start is aligned)."""
    keys: list[Key] = []
    while start < end:
        level = (end - start).bit_length() - 1
        while start & ((1 << level) - 1):  # start must be a multiple of the subtree size
            level -= 1
        keys.append((level, start >> level))
        start += 1 << level
    return keys


def fold_right(hashes: Sequence[bytes]) -> bytes:
    """Root of a range from its aligned subtrees, largest first: H(a, H(b, H(c, ...)))."""
    root = hashes[-1]
    for left in reversed(hashes[:-1]):
        root = merkle.node_hash(left, root)
    return root


class Ledger:
    def __init__(self, session: Session, signer: NoteSigner | None = None,
                 timestamper: Timestamper | None = None,
                 witness: CheckpointWitness | None = None) -> None:
        self.session = session
        self.signer = signer
        self.timestamper = timestamper
        self.witness = witness  # gets each checkpoint signed here once it is committed

    # Appending --------------------------------------------------------------------------------

    def append(self, event: CustodyEvent) -> LeafReceipt:
        return self.append_many([event])[0]

    def append_many(self, events: Iterable[CustodyEvent]) -> list[LeafReceipt]:
        events = list(events)
        if not events:
            return []
        size = self._lock_head(len(events))
        stack = list(zip(aligned_subtrees(0, size), self._fetch(aligned_subtrees(0, size)),
                         strict=True))
        now = datetime.now(UTC)
        leaves: list[dict[str, object]] = []
        nodes: list[dict[str, object]] = []
        receipts: list[LeafReceipt] = []
        for offset, event in enumerate(events):
            index, leaf = size + offset, event.leaf_bytes()
            digest = merkle.leaf_hash(leaf)
            leaves.append({"idx": index, "leaf": leaf, "leaf_hash": digest,
                           "case_id": event.case_id, "item_id": event.item_id,
                           "created_at": now})
            receipts.append(LeafReceipt(index, digest))
            nodes.extend(_merge_into(stack, index, digest))
        # Core inserts (executemany) rather than the ORM's bulk path: half the Python overhead.
        self.session.execute(insert(_LEAVES), leaves)
        if nodes:  # an empty list would insert one row of defaults
            self.session.execute(insert(_NODES), nodes)
        return receipts

    def _lock_head(self, count: int) -> int:
        """Reserve ``count`` indexes; return the first. Holds the head lock until commit."""
        if self.session.get_bind().dialect.name == "sqlite":
            # Writing first takes SQLite's write lock (waiting on the busy timeout), so the
            # size read next cannot be stale.
            self.session.execute(update(LedgerHead).where(LedgerHead.id == 1)
                                 .values(size=LedgerHead.size + count))
            return int(self.session.scalar(select(LedgerHead.size)
                                            .where(LedgerHead.id == 1)) or 0) - count
        size = self.session.scalar(select(LedgerHead.size).where(LedgerHead.id == 1)
                                   .with_for_update())
        if size is None:
            raise LedgerError("ledger_head row is missing: run the 0002_ledger migration")
        self.session.execute(update(LedgerHead).where(LedgerHead.id == 1)
                             .values(size=size + count))
        return int(size)

    # Reading ----------------------------------------------------------------------------------

    def size(self) -> int:
        return int(self.session.scalar(select(LedgerHead.size).where(LedgerHead.id == 1)) or 0)

    def leaf(self, index: int) -> LedgerLeaf:
        row = self.session.get(LedgerLeaf, index)
        if row is None:
            raise LedgerError(f"no leaf {index}")
        return row

    def case_leaves(self, case_id: str) -> list[LedgerLeaf]:
        return list(self.session.scalars(select(LedgerLeaf).where(LedgerLeaf.case_id == case_id)
                                         .order_by(LedgerLeaf.idx)))

    def root(self, size: int) -> bytes:
        if size < 0:
            raise LedgerError("negative tree size")
        if size == 0:
            return merkle.EMPTY_ROOT
        return fold_right(self._fetch(aligned_subtrees(0, size)))

    def inclusion_proof(self, index: int, size: int) -> list[bytes]:
        if not 0 <= index < size:
            raise LedgerError(f"leaf {index} is not in a tree of size {size}")
        return self._prove(lambda subtree: merkle.inclusion_proof(index, size, subtree))

    def consistency_proof(self, old_size: int, new_size: int) -> list[bytes]:
        if not 0 < old_size <= new_size:
            raise LedgerError(f"no consistency proof from size {old_size} to {new_size}")
        return self._prove(lambda subtree: merkle.consistency_proof(old_size, new_size, subtree))

    def _prove(self, generate: Callable[[merkle.SubtreeHash], list[bytes]]) -> list[bytes]:
        # First pass records which ranges the proof needs, then one query fetches their
        # aligned subtrees and the second pass builds the proof from them.
        ranges: list[tuple[int, int]] = []

        def record(start: int, end: int) -> bytes:
            ranges.append((start, end))
            return b""

        generate(record)
        keys = {key for start, end in ranges for key in aligned_subtrees(start, end)}
        known = dict(zip(keys, self._fetch(list(keys)), strict=True))
        return generate(lambda start, end: fold_right(
            [known[key] for key in aligned_subtrees(start, end)]))

    def _fetch(self, keys: Sequence[Key]) -> list[bytes]:
        if not keys:
            return []
        leaves = sorted({idx for level, idx in keys if level == 0})
        inner = sorted({key for key in keys if key[0] > 0})
        params = {f"x{n}": idx for n, idx in enumerate(leaves)}
        params.update({f"l{n}": level for n, (level, _) in enumerate(inner)})
        params.update({f"i{n}": idx for n, (_, idx) in enumerate(inner)})
        rows = self.session.execute(_node_query(len(leaves), len(inner)), params)
        found = {(level, idx): bytes(digest) for level, idx, digest in rows}
        missing = [key for key in keys if key not in found]
        if missing:
            # Nodes past the committed size do not exist yet: asking for them is asking for a
            # tree larger than the ledger (or a node was deleted, which `audit` reports).
            raise LedgerError(f"the ledger has no node {missing[0]}: size beyond the ledger?")
        return [found[key] for key in keys]

    # Checkpoints ------------------------------------------------------------------------------

    def latest_checkpoint(self) -> LedgerCheckpoint | None:
        return self.session.scalar(select(LedgerCheckpoint)
                                   .order_by(LedgerCheckpoint.size.desc()).limit(1))

    def checkpoint_at(self, size: int) -> LedgerCheckpoint | None:
        return self.session.scalar(select(LedgerCheckpoint).where(LedgerCheckpoint.size == size))

    def first_checkpoint_covering(self, index: int) -> LedgerCheckpoint | None:
        """The first checkpoint that includes leaf ``index``: the one shown on its receipt."""
        return self.session.scalar(select(LedgerCheckpoint).where(LedgerCheckpoint.size > index)
                                   .order_by(LedgerCheckpoint.size).limit(1))

    def checkpoints(self) -> list[LedgerCheckpoint]:
        return list(self.session.scalars(select(LedgerCheckpoint)
                                         .order_by(LedgerCheckpoint.size)))

    def sign_checkpoint(self, now: datetime | None = None) -> LedgerCheckpoint:
        """Sign the current tree (or return the checkpoint already signed at this size)."""
        if self.signer is None:
            raise LedgerError("this ledger has no signing key")
        size = self.size()
        existing = self.checkpoint_at(size)
        if existing is not None:
            return existing
        root = self.root(size)
        note = self.signer.sign_checkpoint(size, root)
        row = LedgerCheckpoint(size=size, root=root, note=note,
                               verifier_key=self.signer.verifier_key(),
                               created_at=now or datetime.now(UTC))
        if self.timestamper is not None:
            # An unreachable authority must not stop the log: the checkpoint is kept without a
            # token (the signature still holds) and the next checkpoint tries again.
            try:
                stamp = self.timestamper.timestamp(note.encode())
                row.tsa_token, row.tsa_chain = stamp.token, stamp.chain_pem
            except TimestampFailed as exc:
                log.warning("checkpoint_not_timestamped", size=size, reason=str(exc))
        try:
            with self.session.begin_nested():  # savepoint: a lost race must not end the caller
                self.session.add(row)
        except IntegrityError:
            # Another process signed this size first (unique size): use its checkpoint.
            existing = self.checkpoint_at(size)
            if existing is None:
                raise
            return existing
        if self.witness is not None:
            self.witness.record_after_commit(self.session, row)
        return row

    def sign_checkpoint_if_due(self, now: datetime) -> LedgerCheckpoint | None:
        """Sign when leaves were appended since the last checkpoint; call it after each batch of
        appends and from the periodic job (every ``checkpoint_every_seconds``)."""
        latest = self.latest_checkpoint()
        if self.size() == (latest.size if latest is not None else 0):
            return None
        return self.sign_checkpoint(now)

    def count_leaves(self) -> int:
        return int(self.session.scalar(select(func.count()).select_from(LedgerLeaf)) or 0)


@lru_cache(maxsize=1024)
def _node_query(leaf_count: int, node_count: int) -> TextClause:
    """One round trip for a set of subtree hashes, built once per shape. Level 0 comes from the
    leaves' own hashes; higher levels are OR-ed primary-key lookups (one index probe each on both
    engines; SQLite scans for a row-value IN). A prepared text statement skips SQLAlchemy's
    expression building, which dominated the proof time."""
    parts = []
    if leaf_count:
        marks = ", ".join(f":x{n}" for n in range(leaf_count))
        parts.append(f"SELECT 0, idx, leaf_hash FROM ledger_leaves WHERE idx IN ({marks})")  # noqa: S608
    if node_count:
        terms = " OR ".join(f"(level = :l{n} AND idx = :i{n})" for n in range(node_count))
        parts.append(f"SELECT level, idx, hash FROM ledger_nodes WHERE {terms}")  # noqa: S608
    return text(" UNION ALL ".join(parts))  # only bound parameters, no values in the SQL


def _merge_into(
    stack: list[tuple[Key, bytes]], index: int, digest: bytes
) -> list[dict[str, object]]:
    """Push leaf ``index`` on the compact range; return every subtree it completes."""
    new_nodes: list[dict[str, object]] = []  # level 0 is the leaf's own row
    level, current = 0, digest
    while stack and stack[-1][0][0] == level:
        (_, _), left = stack.pop()
        level, current = level + 1, merkle.node_hash(left, current)
        new_nodes.append({"level": level, "idx": index >> level, "hash": current})
    stack.append(((level, index >> level), current))
    return new_nodes


@dataclass
class AuditReport:
    size: int = 0
    checkpoints: int = 0
    problems: list[str] = field(default_factory=list)

    def problem(self, text: str) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(text)


MAX_PROBLEMS = 50


def audit(session: Session, trusted_keys: set[str] | None = None) -> AuditReport:
    """Recompute the whole tree from the stored leaves; check every node and checkpoint.

    ``trusted_keys``: verifier keys allowed to have signed checkpoints (default: any key stored
    with them, whose signature must still verify).
    """
    report = AuditReport(size=Ledger(session).size())
    levels = [_audit_leaves(session, report)]
    while len(levels[-1]) > 1:
        below = levels[-1]
        levels.append([merkle.node_hash(below[i], below[i + 1])
                       for i in range(0, len(below) - 1, 2)])
    _audit_nodes(session, levels, report)
    for row in Ledger(session).checkpoints():
        report.checkpoints += 1
        _audit_checkpoint(row, levels, report, trusted_keys)
    return report


def _audit_leaves(session: Session, report: AuditReport) -> list[bytes]:
    hashes: list[bytes] = []
    rows = session.execute(select(LedgerLeaf.idx, LedgerLeaf.leaf, LedgerLeaf.leaf_hash)
                           .order_by(LedgerLeaf.idx)).yield_per(10_000)
    for index, leaf, stored in rows:
        if index != len(hashes):
            report.problem(f"leaf {len(hashes)} is missing")
            break
        digest = merkle.leaf_hash(bytes(leaf))
        if digest != bytes(stored):
            report.problem(f"leaf {index}: stored hash does not match its contents")
        try:
            CustodyEvent.from_leaf(bytes(leaf))
        except InvalidCustodyEvent as exc:
            report.problem(f"leaf {index}: {exc}")
        hashes.append(digest)
    if len(hashes) != report.size:
        report.problem(f"the head says {report.size} leaves, {len(hashes)} are stored")
    return hashes


def _audit_nodes(session: Session, levels: list[list[bytes]], report: AuditReport) -> None:
    counts = [0] * len(levels)
    rows = session.execute(select(LedgerNode.level, LedgerNode.idx, LedgerNode.hash)
                           .order_by(LedgerNode.level, LedgerNode.idx)).yield_per(10_000)
    for level, index, digest in rows:
        if level >= len(levels) or index >= len(levels[level]):
            report.problem(f"node ({level}, {index}) is outside the tree")
            continue
        if level == 0:
            report.problem(f"node (0, {index}) stored: leaf hashes live in ledger_leaves")
            continue
        counts[level] += 1
        if bytes(digest) != levels[level][index]:
            report.problem(f"node ({level}, {index}) does not match the leaves")
    for level, count in enumerate(counts):
        if level and count != len(levels[level]):
            report.problem(f"level {level}: {len(levels[level]) - count} nodes are missing")


def _audit_checkpoint(row: LedgerCheckpoint, levels: list[list[bytes]], report: AuditReport,
                      trusted_keys: set[str] | None) -> None:
    label = f"checkpoint at size {row.size}"
    if row.size > len(levels[0]):
        report.problem(f"{label} is beyond the stored leaves")
        return
    root = (fold_right([levels[lv][i] for lv, i in aligned_subtrees(0, row.size)])
            if row.size else merkle.EMPTY_ROOT)
    if bytes(row.root) != root:
        report.problem(f"{label}: root does not match the leaves")
    if trusted_keys is not None and row.verifier_key not in trusted_keys:
        report.problem(f"{label}: signed by an untrusted key")
    try:
        opened = NoteVerifier.parse(row.verifier_key).open_checkpoint(row.note)
    except CheckpointError as exc:
        report.problem(f"{label}: {exc}")
        return
    if (opened.size, opened.root) != (row.size, root):
        report.problem(f"{label}: signed note does not say the stored size and root")
    if row.tsa_token is not None:
        from rempart.evidence.timestamp import TimestampError, verify_response

        try:
            verify_response(bytes(row.tsa_token), row.note.encode(), (row.tsa_chain or "").encode())
        except TimestampError as exc:
            report.problem(f"{label}: {exc}")
