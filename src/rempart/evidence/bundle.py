"""Verifiable evidence bundles: export a case as a zip that a court expert checks offline.

Layout (documented for users in docs/evidence-bundle.md and, inside each bundle, VERIFY.md):

    items/<n>-<file name>     the original files, byte for byte
    manifest.json             per item: id, file name, media type, size, SHA-256, received time,
                              source, submitter role, receipt (leaf index, checkpoint at upload)
    custody.json              the case's custody events (canonical JSON leaves) with inclusion
                              proofs to checkpoint.txt
    checkpoint.txt            the log's signed checkpoint (C2SP signed note) covering them all
    receipts.json             each checkpoint the reporter received at upload, signed, with the
                              consistency proof from it to checkpoint.txt
    timestamps/*.tsr, *.pem   RFC 3161 responses for those checkpoints and the authority's chain
    log-key.txt, log-key.pem  the log's Ed25519 public key (note format, and PEM for openssl)
    VERIFY.md                 how to check all of this by hand (French and English)
    SHA256SUMS                sha256sum lines for every file above
    SHA256SUMS.note           SHA256SUMS signed by the log key: nothing can be changed, added
                              or removed without breaking this signature or a hash

``export_case`` writes one; ``verify_bundle`` checks one and names the first failure.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from cryptography.hazmat.primitives import serialization

from rempart.domain import custody
from rempart.evidence import merkle
from rempart.evidence.bundle_text import verify_text
from rempart.evidence.checkpoint import Checkpoint, CheckpointError, NoteVerifier
from rempart.evidence.ledger import Ledger, LedgerError
from rempart.store.ledger_tables import LedgerCheckpoint, LedgerLeaf

FORMAT = "rempart-evidence-bundle/1"
SUMS, SUMS_NOTE = "SHA256SUMS", "SHA256SUMS.note"
MAX_MEMBERS = 10_000
MAX_META_BYTES = 64 * 1024 * 1024  # JSON, notes and keys are small; originals are streamed
CHUNK = 1024 * 1024


@dataclass(frozen=True)
class BundleItem:
    """What the export needs to know about one evidence item (from the case service)."""

    item_id: str
    file_name: str
    media_type: str
    size: int
    sha256: str
    received_at: datetime
    source: str  # e.g. "upload", "url-capture"
    submitter_role: str  # e.g. "reporter", "parent", "staff"


OpenItem = Callable[[str], Iterator[bytes]]


class BundleError(Exception):
    """The bundle does not verify; the message names the first failing part."""


class MalformedBundle(BundleError):
    """Not a bundle at all (not a zip, no manifest): exit code 2 rather than 1."""


# Export ---------------------------------------------------------------------------------------


def export_case(ledger: Ledger, case_id: str, items: Sequence[BundleItem], open_item: OpenItem,
                out: BinaryIO, actor_role: custody.ActorRole = custody.ActorRole.OPERATOR,
                now: datetime | None = None) -> LedgerCheckpoint:
    """Log an "exported" event per item, sign a checkpoint, and write the bundle zip to ``out``.

    Runs inside the caller's transaction (``ledger.session``); the caller commits.
    """
    if ledger.signer is None:
        raise LedgerError("exporting needs the log's signing key")
    now = now or datetime.now(UTC)
    ledger.append_many(custody.exported(case_id, item.item_id, item.sha256, actor_role, now)
                       for item in items)
    head = ledger.sign_checkpoint(now)
    leaves = ledger.case_leaves(case_id)
    files: dict[str, bytes] = {}
    names = _item_paths(items)
    files["manifest.json"] = _json({"format": FORMAT, "case": case_id,
                                    "exported_at": custody.format_time(now),
                                    "log": ledger.signer.name,
                                    "items": [_manifest_item(ledger, item, names[item.item_id],
                                                             leaves) for item in items]})
    files["custody.json"] = _json({"tree_size": head.size, "events": [
        {"index": leaf.idx, "leaf": bytes(leaf.leaf).decode(),
         "leaf_hash": bytes(leaf.leaf_hash).hex(),
         "inclusion_proof": [h.hex() for h in ledger.inclusion_proof(leaf.idx, head.size)]}
        for leaf in leaves]})
    files["checkpoint.txt"] = head.note.encode()
    files["receipts.json"] = _json({"receipts": _receipts(ledger, leaves, head)})
    stamped = [head, *_receipt_rows(ledger, leaves, head)]
    for row in stamped:
        if row.tsa_token is not None:
            files[f"timestamps/checkpoint-{row.size}.tsr"] = bytes(row.tsa_token)
            files[f"timestamps/checkpoint-{row.size}-chain.pem"] = (row.tsa_chain or "").encode()
    files["log-key.txt"] = (ledger.signer.verifier_key() + "\n").encode()
    files["log-key.pem"] = ledger.signer.private_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    files["VERIFY.md"] = verify_text(ledger.signer.verifier_key()).encode()
    _write_zip(out, items, names, open_item, files, ledger)
    return head


def _item_paths(items: Sequence[BundleItem]) -> dict[str, str]:
    safe = re.compile(r"[^A-Za-z0-9._-]+")
    return {item.item_id: f"items/{n:03d}-{safe.sub('_', item.file_name)[-80:] or 'file'}"
            for n, item in enumerate(items, start=1)}


def _manifest_item(ledger: Ledger, item: BundleItem, path: str,
                   leaves: Sequence[LedgerLeaf]) -> dict[str, object]:
    receipt = _received_leaf(leaves, item.item_id)
    upload_checkpoint = ledger.first_checkpoint_covering(receipt) if receipt is not None else None
    return {"id": item.item_id, "file": path, "file_name": item.file_name,
            "media_type": item.media_type, "size": item.size, "sha256": item.sha256,
            "received_at": custody.format_time(item.received_at), "source": item.source,
            "submitter_role": item.submitter_role,
            "receipt": {"leaf_index": receipt,
                        "checkpoint_size": upload_checkpoint.size if upload_checkpoint else None}}


def _received_leaf(leaves: Sequence[LedgerLeaf], item_id: str) -> int | None:
    for leaf in leaves:
        event = custody.CustodyEvent.from_leaf(bytes(leaf.leaf))
        if event.action is custody.CustodyAction.RECEIVED and event.item_id == item_id:
            return int(leaf.idx)
    return None


def _receipt_rows(ledger: Ledger, leaves: Sequence[LedgerLeaf],
                  head: LedgerCheckpoint) -> list[LedgerCheckpoint]:
    rows: dict[int, LedgerCheckpoint] = {}
    for leaf in leaves:
        event = custody.CustodyEvent.from_leaf(bytes(leaf.leaf))
        if event.action is custody.CustodyAction.RECEIVED:
            row = ledger.first_checkpoint_covering(int(leaf.idx))
            if row is not None and row.size < head.size:
                rows[row.size] = row
    return [rows[size] for size in sorted(rows)]


def _receipts(ledger: Ledger, leaves: Sequence[LedgerLeaf],
              head: LedgerCheckpoint) -> list[dict[str, object]]:
    return [{"checkpoint": row.note, "size": row.size,
             "consistency_proof": [h.hex() for h in ledger.consistency_proof(row.size,
                                                                             head.size)]}
            for row in _receipt_rows(ledger, leaves, head)]


def _json(value: object) -> bytes:
    return (json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True) + "\n").encode()


def _write_zip(out: BinaryIO, items: Sequence[BundleItem], names: Mapping[str, str],
               open_item: OpenItem, files: dict[str, bytes], ledger: Ledger) -> None:
    sums: list[str] = []
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for item in items:
            digest = hashlib.sha256()
            with archive.open(_zip_info(names[item.item_id]), "w", force_zip64=True) as member:
                for chunk in open_item(item.item_id):
                    digest.update(chunk)
                    member.write(chunk)
            if digest.hexdigest() != item.sha256:
                raise BundleError(f"item {item.item_id}: stored bytes do not match its SHA-256")
            sums.append(f"{digest.hexdigest()}  {names[item.item_id]}\n")
        for name in sorted(files):
            archive.writestr(_zip_info(name), files[name])
            sums.append(f"{hashlib.sha256(files[name]).hexdigest()}  {name}\n")
        sums_text = "".join(sums)
        archive.writestr(_zip_info(SUMS), sums_text.encode())
        assert ledger.signer is not None
        signed_sums = ledger.signer.sign(f"{FORMAT}\n{sums_text}")
        archive.writestr(_zip_info(SUMS_NOTE), signed_sums.encode())


def _zip_info(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=(2000, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    return info


# Verification ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class BundleReport:
    case: str
    items: int
    events: int
    tree_size: int
    log_key: str
    timestamps: int


def verify_bundle(path: Path, trusted_key: str | None = None) -> BundleReport:
    """Check a bundle zip offline; raise BundleError naming the first part that fails."""
    try:
        archive = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as exc:
        raise MalformedBundle("not a zip file") from exc
    with archive:
        infos = archive.infolist()
        if len(infos) > MAX_MEMBERS:
            raise MalformedBundle("too many files in the zip")
        if archive.comment:
            raise BundleError("the zip has a comment that is not part of the bundle")
        names = [info.filename for info in infos]

        def read(name: str) -> bytes:
            try:
                with archive.open(name) as member:
                    data = member.read(MAX_META_BYTES + 1)
            except (zipfile.BadZipFile, OSError, ValueError) as exc:
                raise BundleError(f"file {name}: {exc}") from exc
            if len(data) > MAX_META_BYTES:
                raise BundleError(f"file {name} is too large")
            return data

        def stream(name: str) -> Iterator[bytes]:
            try:
                with archive.open(name) as member:
                    while chunk := member.read(CHUNK):
                        yield chunk
            except (zipfile.BadZipFile, OSError, ValueError) as exc:
                raise BundleError(f"file {name}: {exc}") from exc

        return verify_members(names, read, stream, trusted_key)


def verify_members(names: Sequence[str], read: Callable[[str], bytes],
                   stream: Callable[[str], Iterable[bytes]],
                   trusted_key: str | None = None) -> BundleReport:
    """The checks, over any container: names present, small-file reader, streaming reader."""
    if len(set(names)) != len(names):
        raise BundleError("the zip holds two files with the same name")
    for required in (SUMS, SUMS_NOTE):
        if required not in names:
            raise BundleError(f"file {required}: missing from the bundle")
    key_text = _text(read("log-key.txt") if "log-key.txt" in names else b"", "log-key.txt")
    try:
        verifier = NoteVerifier.parse(key_text)
    except CheckpointError as exc:
        raise BundleError(f"log-key.txt: {exc}") from exc
    if trusted_key is not None and key_text.strip() != trusted_key.strip():
        raise BundleError("log-key.txt: not the key you trust for this log")
    listed = _check_sums(names, read, verifier)
    for name, expected in listed.items():
        digest = hashlib.sha256()
        for chunk in stream(name):
            digest.update(chunk)
        if digest.hexdigest() != expected:
            raise BundleError(f"file {name}: SHA-256 does not match SHA256SUMS")
    try:
        return _check_contents(read, verifier, key_text, listed)
    except (AttributeError, KeyError, TypeError, ValueError) as exc:
        # Only a bundle re-signed with another key gets here: its JSON has the wrong shape.
        raise BundleError(f"malformed bundle contents: {exc.__class__.__name__}") from exc


def _check_sums(names: Sequence[str], read: Callable[[str], bytes],
                verifier: NoteVerifier) -> dict[str, str]:
    sums_text = _text(read(SUMS), SUMS)
    try:
        signed = verifier.verify(_text(read(SUMS_NOTE), SUMS_NOTE))
    except CheckpointError as exc:
        raise BundleError(f"{SUMS_NOTE}: signature: {exc}") from exc
    if signed != f"{FORMAT}\n{sums_text}":
        raise BundleError(f"{SUMS_NOTE}: does not sign this {SUMS}")
    listed: dict[str, str] = {}
    for line in sums_text.splitlines():
        match = re.fullmatch(r"([0-9a-f]{64})  (\S+)", line)
        if not match or match.group(2) in listed:
            raise BundleError(f"{SUMS}: malformed line")
        listed[match.group(2)] = match.group(1)
    expected = set(listed) | {SUMS, SUMS_NOTE}
    for name in names:
        if name not in expected:
            raise BundleError(f"file {name}: not listed in {SUMS} (added to the bundle)")
    for name in sorted(expected - set(names)):
        raise BundleError(f"file {name}: missing from the bundle")
    return listed


def _check_contents(read: Callable[[str], bytes], verifier: NoteVerifier, key_text: str,
                    listed: Mapping[str, str]) -> BundleReport:
    manifest = _load_json(read, "manifest.json")
    events = _load_json(read, "custody.json")
    try:
        head = verifier.open_checkpoint(_text(read("checkpoint.txt"), "checkpoint.txt"))
    except CheckpointError as exc:
        raise BundleError(f"checkpoint.txt: {exc}") from exc
    received = _check_events(events, head)
    for item in manifest.get("items", []):
        _check_item(item, listed, received)
    notes = {head.size: _text(read("checkpoint.txt"), "checkpoint.txt")}
    for receipt in _load_json(read, "receipts.json").get("receipts", []):
        notes[_check_receipt(receipt, verifier, head)] = str(receipt["checkpoint"])
    stamps = _check_timestamps(read, listed, notes)
    return BundleReport(str(manifest.get("case")), len(manifest.get("items", [])),
                        len(events.get("events", [])), head.size, key_text.strip(), stamps)


def _check_events(events: dict, head: Checkpoint) -> dict[str, tuple[int, str]]:  # type: ignore[type-arg]
    if events.get("tree_size") != head.size:
        raise BundleError("custody.json: tree size is not the checkpoint's")
    received: dict[str, tuple[int, str]] = {}
    for event in events.get("events", []):
        label = f"custody event {event.get('index')}"
        try:
            leaf = str(event["leaf"]).encode()
            parsed = custody.CustodyEvent.from_leaf(leaf)
            digest = merkle.leaf_hash(leaf)
            if digest.hex() != event["leaf_hash"]:
                raise BundleError(f"{label}: leaf hash does not match the leaf")
            proof = [bytes.fromhex(h) for h in event["inclusion_proof"]]
            merkle.verify_inclusion(digest, int(event["index"]), head.size, proof, head.root)
        except (KeyError, ValueError, TypeError, custody.InvalidCustodyEvent) as exc:
            raise BundleError(f"{label}: inclusion proof: {exc}") from exc
        if parsed.action is custody.CustodyAction.RECEIVED and parsed.item_id and parsed.sha256:
            received[parsed.item_id] = (int(event["index"]), parsed.sha256)
    return received


def _check_item(item: dict, listed: Mapping[str, str],  # type: ignore[type-arg]
                received: Mapping[str, tuple[int, str]]) -> None:
    label = f"item {item.get('id')} ({item.get('file_name')})"
    if listed.get(str(item.get("file"))) != item.get("sha256"):
        raise BundleError(f"{label}: file SHA-256 is not the manifest's")
    logged = received.get(str(item.get("id")))
    if logged is None or logged[1] != item.get("sha256"):
        raise BundleError(f"{label}: no matching 'received' event in the custody log")
    if item.get("receipt", {}).get("leaf_index") != logged[0]:
        raise BundleError(f"{label}: receipt leaf index is not the logged one")


def _check_receipt(receipt: dict, verifier: NoteVerifier, head: Checkpoint) -> int:  # type: ignore[type-arg]
    label = f"receipt checkpoint {receipt.get('size')}"
    try:
        old = verifier.open_checkpoint(str(receipt["checkpoint"]))
        if old.size != receipt["size"]:
            raise BundleError(f"{label}: size is not the signed one")
        proof = [bytes.fromhex(h) for h in receipt["consistency_proof"]]
        merkle.verify_consistency(old.size, head.size, old.root, head.root, proof)
    except (KeyError, ValueError, TypeError, CheckpointError) as exc:
        raise BundleError(f"{label}: consistency proof: {exc}") from exc
    return old.size


def _check_timestamps(read: Callable[[str], bytes], listed: Mapping[str, str],
                      notes: Mapping[int, str]) -> int:
    """Each RFC 3161 response must timestamp one of the bundle's signed checkpoint notes."""
    from rempart.evidence.timestamp import TimestampError, verify_response

    count = 0
    for name in listed:
        match = re.fullmatch(r"timestamps/checkpoint-(\d+)\.tsr", name)
        if not match:
            continue
        size, chain_name = int(match.group(1)), f"timestamps/checkpoint-{match.group(1)}-chain.pem"
        if size not in notes or chain_name not in listed:
            raise BundleError(f"file {name}: no checkpoint or chain of the bundle goes with it")
        try:
            verify_response(read(name), notes[size].encode(), read(chain_name))
        except TimestampError as exc:
            raise BundleError(f"file {name}: {exc}") from exc
        count += 1
    return count


def _text(data: bytes, name: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BundleError(f"file {name}: not UTF-8 text") from exc


def _load_json(read: Callable[[str], bytes], name: str) -> dict:  # type: ignore[type-arg]
    try:
        value = json.loads(read(name))
    except ValueError as exc:
        raise BundleError(f"file {name}: not JSON") from exc
    if not isinstance(value, dict):
        raise BundleError(f"file {name}: not a JSON object")
    return value


def members_of(data: bytes) -> dict[str, bytes]:
    """Every file of a bundle held in memory (tests and small bundles)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}
