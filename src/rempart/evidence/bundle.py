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
import struct
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
from rempart.evidence.checkpoint import Checkpoint, CheckpointError, NoteVerifier, key_fingerprint
from rempart.evidence.ledger import Ledger, LedgerError
from rempart.store.ledger_tables import LedgerCheckpoint, LedgerLeaf
from rempart.store.workbench_tables import followup_json

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
    files["follow-up.json"] = _json(followup_json(ledger.session, case_id))  # takedowns, referrals
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
class SignerPin:
    """What ties the bundle's log key to the instance, beyond the bundle itself."""

    by: str  # "key" (--key), "receipt" (--receipt), "timestamp" (--tsa-ca)
    detail: str


@dataclass(frozen=True)
class BundleReport:
    case: str
    items: int
    events: int
    tree_size: int
    log_key: str
    timestamps: int
    # None: the bundle is consistent under its own key, but nothing says that key is the
    # instance's (anyone can rebuild and re-sign a bundle with a key of their own).
    signer: SignerPin | None = None

    @property
    def fingerprint(self) -> str:
        return key_fingerprint(self.log_key)


class BadReceipt(MalformedBundle):
    """The --receipt file is neither a receipt proof, a log key nor a key fingerprint."""


@dataclass(frozen=True)
class Receipt:
    """What a reporter keeps from an upload: the log key's fingerprint, and in the downloaded
    proof (``rempart-leaf-proof/1``) the key itself, a leaf, its proof and the checkpoint."""

    fingerprint: str
    log_key: str | None = None
    proof: Mapping[str, object] | None = None


def parse_receipt(text: str) -> Receipt:
    value = text.strip()
    if value.startswith("{"):
        try:
            proof = json.loads(value)
        except ValueError as exc:
            raise BadReceipt("the receipt file is not valid JSON") from exc
        if not isinstance(proof, dict) or proof.get("format") != "rempart-leaf-proof/1":
            raise BadReceipt("the receipt file is not a rempart-leaf-proof/1 document")
        key = proof.get("log_key")
        if not isinstance(key, str):
            raise BadReceipt("the receipt proof has no log_key")
        try:
            NoteVerifier.parse(key)
        except CheckpointError as exc:
            raise BadReceipt(f"the receipt's log_key: {exc}") from exc
        printed = proof.get("log_key_fingerprint")
        if printed is not None and printed != key_fingerprint(key):
            raise BadReceipt("the receipt's fingerprint is not its log key's")
        return Receipt(key_fingerprint(key), key, proof)
    fingerprint = re.fullmatch(r"(?:SHA256:)?([0-9a-fA-F]{64})", value.replace(" ", ""))
    if fingerprint:
        return Receipt(f"SHA256:{fingerprint.group(1).lower()}")
    try:
        NoteVerifier.parse(value)
    except CheckpointError as exc:
        raise BadReceipt("the receipt file holds no proof, log key or key fingerprint") from exc
    return Receipt(key_fingerprint(value), value)


def verify_bundle(path: Path, trusted_key: str | None = None, receipt: Receipt | None = None,
                  tsa_anchors: bytes | None = None) -> BundleReport:
    """Check a bundle zip offline; raise BundleError naming the first part that fails.

    ``trusted_key``, ``receipt`` and ``tsa_anchors`` (PEM roots of a time-stamping authority you
    trust) are the ways to tie the signer to the instance: see ``BundleReport.signer``.
    """
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
        check_zip_layout(path, infos)
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

        return verify_members(names, read, stream, trusted_key, receipt, tsa_anchors)


# The zip itself: every byte of the file belongs to a member's local header or data, the central
# directory or its end records. zipfile tolerates bytes before the first member (it shifts every
# offset) and after the end record; a bundle must not.
_LOCAL = struct.Struct("<4s2B4HL2L2H")  # local file header (APPNOTE 4.3.7), 30 bytes
_END = struct.Struct("<4s4H2LH")  # end of central directory record, 22 bytes
_END64_LOCATOR = struct.Struct("<4sLQL")  # 20 bytes
_END64 = struct.Struct("<4sQ2H2L4Q")  # 56 bytes
ZIP64_EXTRA = 0x0001


def check_zip_layout(path: Path, infos: Sequence[zipfile.ZipInfo]) -> None:
    """Raise BundleError if any byte of the file is outside the zip's members and directory."""
    size = path.stat().st_size
    with path.open("rb") as fh:
        position = 0
        for info in sorted(infos, key=lambda i: i.header_offset):
            if info.header_offset != position:
                where = "before the first file" if position == 0 else f"before {info.filename}"
                raise BundleError(f"the zip has bytes {where} that belong to no file")
            position = _member_end(fh, info)
        if size < _END.size:
            raise BundleError("the zip has no end record")
        fh.seek(size - _END.size)
        end = _END.unpack(fh.read(_END.size))
        if end[0] != b"PK\x05\x06" or end[-1] != 0:
            raise BundleError("the zip has bytes after its end record, or a comment")
        directory_size, directory_offset, directory_end = end[5], end[6], size - _END.size
        if directory_offset == 0xFFFFFFFF or directory_size == 0xFFFFFFFF:
            fh.seek(size - _END.size - _END64_LOCATOR.size)
            locator = _END64_LOCATOR.unpack(fh.read(_END64_LOCATOR.size))
            fh.seek(locator[2])
            record = _END64.unpack(fh.read(_END64.size))
            if (locator[0] != b"PK\x06\x07" or record[0] != b"PK\x06\x06"
                    or locator[2] + 12 + record[1] != size - _END.size - _END64_LOCATOR.size):
                raise BundleError("the zip's zip64 end records are not where they belong")
            directory_size, directory_offset, directory_end = record[8], record[9], locator[2]
        if directory_offset != position:
            raise BundleError("the zip has bytes between its last file and its directory")
        if directory_offset + directory_size != directory_end:
            raise BundleError("the zip has bytes between its directory and its end record")


def _member_end(fh: BinaryIO, info: zipfile.ZipInfo) -> int:
    fh.seek(info.header_offset)
    header = fh.read(_LOCAL.size)
    if len(header) != _LOCAL.size or header[:4] != b"PK\x03\x04":
        raise BundleError(f"file {info.filename}: no local header where the directory says")
    flags, name_length, extra_length = header[6] | header[7] << 8, *_LOCAL.unpack(header)[-2:]
    fh.seek(name_length, io.SEEK_CUR)
    extra = fh.read(extra_length)
    zip64 = False
    while extra:  # only the zip64 field may carry bytes in a header: no room to hide any
        if len(extra) < 4:
            raise BundleError(f"file {info.filename}: malformed extra field")
        field_id, length = struct.unpack("<2H", extra[:4])
        if field_id != ZIP64_EXTRA or length > 16 or len(extra) < 4 + length:
            raise BundleError(f"file {info.filename}: extra bytes in its zip header")
        zip64, extra = True, extra[4 + length:]
    end = info.header_offset + _LOCAL.size + name_length + extra_length + info.compress_size
    if flags & 0x08:  # a data descriptor follows the data (zip written to a stream)
        fh.seek(end)
        descriptor = fh.read(28)
        start = 4 if descriptor[:4] == b"PK\x07\x08" else 0
        sizes = struct.Struct("<LQQ" if zip64 else "<LLL")
        crc, compressed, plain = sizes.unpack(descriptor[start:start + sizes.size])
        if (crc, compressed, plain) != (info.CRC, info.compress_size, info.file_size):
            raise BundleError(f"file {info.filename}: data descriptor does not match")
        end += start + sizes.size
    return end


def verify_members(names: Sequence[str], read: Callable[[str], bytes],
                   stream: Callable[[str], Iterable[bytes]], trusted_key: str | None = None,
                   receipt: Receipt | None = None,
                   tsa_anchors: bytes | None = None) -> BundleReport:
    """The checks, over any container: names present, small-file reader, streaming reader."""
    if tsa_anchors is not None:
        from rempart.evidence.timestamp import TimestampError, load_certificates

        try:
            load_certificates(tsa_anchors)
        except TimestampError as exc:
            raise BadReceipt("the authority's root file is not PEM certificates") from exc
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
    if receipt is not None and receipt.fingerprint != key_fingerprint(key_text):
        raise BundleError("log-key.txt: not the log key on your receipt "
                          f"({receipt.fingerprint})")
    try:
        return _check_contents(read, verifier, key_text, listed, trusted_key is not None,
                               receipt, tsa_anchors)
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
                    listed: Mapping[str, str], key_trusted: bool, receipt: Receipt | None,
                    tsa_anchors: bytes | None) -> BundleReport:
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
    for receipt_json in _load_json(read, "receipts.json").get("receipts", []):
        notes[_check_receipt(receipt_json, verifier, head)] = str(receipt_json["checkpoint"])
    stamps, pinned_at = _check_timestamps(read, listed, notes, tsa_anchors)
    signer = None
    if key_trusted:
        signer = SignerPin("key", "the log key is the one you trust (--key)")
    elif receipt is not None:
        signer = SignerPin("receipt", _check_against_receipt(receipt, verifier, events, notes))
    elif pinned_at is not None:
        signer = SignerPin("timestamp", pinned_at)
    return BundleReport(str(manifest.get("case")), len(manifest.get("items", [])),
                        len(events.get("events", [])), head.size, key_text.strip(), stamps,
                        signer)


def _check_against_receipt(receipt: Receipt, verifier: NoteVerifier, events: dict,  # type: ignore[type-arg]
                           notes: Mapping[int, str]) -> str:
    """The key matched the receipt's fingerprint; a downloaded proof must also match the log."""
    if receipt.proof is None:
        return f"the log key has the fingerprint on your receipt ({receipt.fingerprint})"
    proof = receipt.proof
    try:
        index, leaf = int(str(proof["leaf_index"])), str(proof["leaf"]).encode()
        shown = verifier.open_checkpoint(str(proof["checkpoint"]))
        path = [bytes.fromhex(str(h)) for h in proof["inclusion_proof"]]  # type: ignore[attr-defined]
        merkle.verify_inclusion(merkle.leaf_hash(leaf), index, shown.size, path, shown.root)
    except (KeyError, ValueError, TypeError, CheckpointError) as exc:
        raise BundleError(f"your receipt does not verify under the bundle's key: {exc}") from exc
    logged = {int(e["index"]): str(e["leaf"]).encode() for e in events.get("events", [])}
    if logged.get(index) != leaf:
        raise BundleError(f"your receipt's ledger entry {index} is not in this bundle")
    if shown.size not in notes or verifier.open_checkpoint(notes[shown.size]) != shown:
        raise BundleError(f"your receipt's checkpoint (size {shown.size}) is not one this "
                          "bundle proves consistent")
    return (f"the log key is your receipt's, and your receipt's entry {index} and checkpoint "
            f"{shown.size} are in this bundle")


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
                      notes: Mapping[int, str], anchors: bytes | None) -> tuple[int, str | None]:
    """Each RFC 3161 response must timestamp one of the bundle's signed checkpoint notes.

    With ``anchors`` (roots of an authority the reader trusts, not those the bundle brings),
    the earliest response that verifies against them pins the signer: the log key had signed
    that checkpoint by then. Returns the count and that statement (or None).
    """
    from rempart.evidence.timestamp import TimestampError, pinned_chain, verify_response

    count, earliest = 0, None
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
        if anchors is not None:
            try:
                when = verify_response(read(name), notes[size].encode(),
                                       pinned_chain(read(chain_name), anchors)).gen_time
            except TimestampError:
                continue  # valid under its own chain, but not from the authority you trust
            if earliest is None or when < earliest[0]:
                earliest = (when, size)
    if earliest is None:
        return count, None
    return count, (f"the log key signed checkpoint {earliest[1]} before "
                   f"{earliest[0].isoformat()} (timestamp from the authority you trust)")


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
