"""Signed checkpoints in the C2SP ``tlog-checkpoint`` / ``signed-note`` formats, Ed25519.

A checkpoint commits to the whole log: origin line, tree size, base64 root hash. The signed note
appends a blank line and one line per signature: ``— <name> <base64(key hash || signature)>``,
where the key hash is the first 4 bytes of SHA-256(name || 0x0A || 0x01 || public key). Verifier
keys are spelled ``<name>+<key hash, 8 hex digits>+<base64(0x01 || public key)>``, as Go's
``golang.org/x/mod/sumdb/note`` and every tlog witness expect, so outside tools can check them.

The instance key is a 32-byte Ed25519 seed, hex-encoded, read from ``REMPART_LOG_KEY_FILE`` or
generated once into ``<data>/secrets/log_key`` (mode 0600) by ``Settings.secret_bytes``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from rempart.config import Settings

ED25519_ALG = b"\x01"
SIGNATURE_PREFIX = "\u2014 "  # em dash and a space
MAX_NOTE_BYTES = 1 << 20
_NAME = re.compile(r"^[^\s+]+$")
_DECIMAL = re.compile(r"^(0|[1-9][0-9]{0,19})$")


class CheckpointError(ValueError):
    """A malformed note or checkpoint, or a signature that does not verify."""


def key_hash(name: str, public_key: bytes) -> bytes:
    return hashlib.sha256(name.encode() + b"\n" + ED25519_ALG + public_key).digest()[:4]


def key_fingerprint(verifier_key: str) -> str:
    """What a receipt shows of the log key: ``SHA256:`` and the hex SHA-256 of the verifier key
    text (name+hash+key, without surrounding whitespace)."""
    return "SHA256:" + hashlib.sha256(verifier_key.strip().encode()).hexdigest()


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    size: int
    root: bytes

    def body(self) -> str:
        return f"{self.origin}\n{self.size}\n{base64.b64encode(self.root).decode()}\n"

    @classmethod
    def parse(cls, body: str) -> Checkpoint:
        lines = body.split("\n")
        if len(lines) < 4 or lines[-1] != "" or any(not line for line in lines[:-1]):
            raise CheckpointError("a checkpoint has origin, size and root lines, each ended")
        origin, size, root_b64 = lines[0], lines[1], lines[2]
        if not _DECIMAL.match(size):
            raise CheckpointError("checkpoint size is not a decimal number")
        root = _b64decode(root_b64, "checkpoint root")
        if len(root) != 32:
            raise CheckpointError("checkpoint root is not 32 bytes")
        return cls(origin, int(size), root)


@dataclass(frozen=True)
class NoteSigner:
    name: str
    private_key: Ed25519PrivateKey

    @property
    def public_key(self) -> bytes:
        return self.private_key.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw)

    def verifier_key(self) -> str:
        return (f"{self.name}+{key_hash(self.name, self.public_key).hex()}+"
                f"{base64.b64encode(ED25519_ALG + self.public_key).decode()}")

    def sign(self, text: str) -> str:
        """The signed note: text (ending in a newline), a blank line, one signature line."""
        if not text.endswith("\n"):
            raise CheckpointError("note text must end with a newline")
        signature = self.private_key.sign(text.encode())
        blob = base64.b64encode(key_hash(self.name, self.public_key) + signature).decode()
        return f"{text}\n{SIGNATURE_PREFIX}{self.name} {blob}\n"

    def sign_checkpoint(self, size: int, root: bytes) -> str:
        return self.sign(Checkpoint(self.name, size, root).body())


@dataclass(frozen=True)
class NoteVerifier:
    name: str
    key_id: bytes
    public_key: Ed25519PublicKey

    @classmethod
    def parse(cls, verifier_key: str) -> NoteVerifier:
        parts = verifier_key.strip().split("+", 2)  # base64 may hold "+"
        if len(parts) != 3 or not _NAME.match(parts[0]):
            raise CheckpointError("verifier key is not name+hash+key")
        name, hash_hex, key_b64 = parts
        raw = _b64decode(key_b64, "verifier key")
        if len(raw) != 33 or raw[:1] != ED25519_ALG:
            raise CheckpointError("verifier key is not an Ed25519 key")
        if hash_hex != key_hash(name, raw[1:]).hex():
            raise CheckpointError("verifier key hash does not match its key")
        return cls(name, bytes.fromhex(hash_hex), Ed25519PublicKey.from_public_bytes(raw[1:]))

    def verify(self, note: str) -> str:
        """Return the note's text if one of its signatures is ours and valid; else raise."""
        text, signatures = split_note(note)
        for name, blob in signatures:
            if name == self.name and blob[:4] == self.key_id:
                try:
                    self.public_key.verify(blob[4:], text.encode())
                except InvalidSignature as exc:
                    raise CheckpointError(f"signature by {name} does not verify") from exc
                return text
        raise CheckpointError(f"note has no signature by {self.name}")

    def open_checkpoint(self, note: str) -> Checkpoint:
        checkpoint = Checkpoint.parse(self.verify(note))
        if checkpoint.origin != self.name:
            raise CheckpointError("checkpoint origin is not the key's name")
        return checkpoint


def split_note(note: str) -> tuple[str, list[tuple[str, bytes]]]:
    """Text (with its final newline) and (name, key hash || signature) of each signature line."""
    if len(note.encode()) > MAX_NOTE_BYTES:
        raise CheckpointError("note is too large")
    if "\r" in note or not note.endswith("\n"):
        raise CheckpointError("note lines must end with a single newline")
    cut = note.rfind("\n\n")
    if cut < 0:
        raise CheckpointError("note has no blank line before its signatures")
    text, signature_lines = note[: cut + 1], note[cut + 2 :].split("\n")[:-1]
    if not signature_lines:
        raise CheckpointError("note has no signature")
    signatures = []
    for line in signature_lines:
        if not line.startswith(SIGNATURE_PREFIX):
            raise CheckpointError("malformed signature line")
        fields = line[len(SIGNATURE_PREFIX):].split(" ")
        if len(fields) != 2 or not _NAME.match(fields[0]):
            raise CheckpointError("malformed signature line")
        blob = _b64decode(fields[1], "signature")
        if len(blob) < 5:
            raise CheckpointError("signature is too short")
        signatures.append((fields[0], blob))
    return text, signatures


def _b64decode(value: str, what: str) -> bytes:
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise CheckpointError(f"{what} is not base64") from exc
    if base64.b64encode(raw).decode("ascii") != value:  # one spelling only (padding bits)
        raise CheckpointError(f"{what} is not canonical base64")
    return raw


def signer_from_seed(seed: bytes, origin: str | None = None) -> NoteSigner:
    key = Ed25519PrivateKey.from_private_bytes(seed)
    public = key.public_key().public_bytes(serialization.Encoding.Raw,
                                           serialization.PublicFormat.Raw)
    # The origin names this log; by default it is derived from the key so that two instances
    # never publish checkpoints under the same name.
    name = origin or f"rempart.custody/{hashlib.sha256(public).hexdigest()[:16]}"
    if not _NAME.match(name):
        raise CheckpointError("log origin must not contain spaces or '+'")
    return NoteSigner(name, key)


def load_log_signer(settings: Settings) -> NoteSigner:
    """The instance's log key (``REMPART_LOG_KEY_FILE`` or ``<data>/secrets/log_key``)."""
    raw = settings.secret_bytes("log_key", 32)
    try:
        seed = bytes.fromhex(raw.decode("ascii"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise CheckpointError("log key file must hold 64 hex digits (an Ed25519 seed)") from exc
    if len(seed) != 32:
        raise CheckpointError("log key file must hold 64 hex digits (an Ed25519 seed)")
    return signer_from_seed(seed)
