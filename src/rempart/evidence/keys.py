"""Master keys: they wrap the per-item data keys and never touch evidence bytes themselves.

A ``KeyManager`` wraps and unwraps data keys under a master key named by its key id, the way a
KMS does (the data key leaves it only wrapped). ``FileKeyManager`` is the real implementation used
by default: one file per master key under ``<data>/secrets/master-keys/`` (mode 0600, generated
on first start) and an ``active`` file naming the key that wraps new data keys. Older keys stay
until ``rempart keys rotate`` has re-wrapped every data key, then they are destroyed.
``REMPART_MASTER_KEY_FILE`` points at one externally managed key (Docker/Kubernetes secret): it
is read-only here, so rotation is done by the secret manager. ``REMPART_KEY_MANAGER=aws-kms``
keeps them in AWS KMS instead (``rempart.evidence.kms``); ``key_manager_from_settings`` chooses.

Wrapping uses AES key wrap (RFC 3394), which authenticates the wrapped key: a wrong master key or
an altered wrapped key fails instead of yielding garbage.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from pathlib import Path
from typing import Protocol

from cryptography.hazmat.primitives.keywrap import InvalidUnwrap, aes_key_unwrap, aes_key_wrap

from rempart.config import Settings
from rempart.evidence.interface import EvidenceIntegrityError
from rempart.private_files import create_once, fsync_dir, write_private

MASTER_KEY_SIZE = 32


class KeyManagerError(Exception):
    """The key manager cannot do what was asked (unknown key id, read-only keys)."""


class KeyManager(Protocol):
    def active_key_id(self) -> str: ...

    def key_ids(self) -> list[str]: ...

    def wrap(self, key_id: str, data_key: bytes) -> bytes: ...

    def unwrap(self, key_id: str, wrapped: bytes) -> bytes: ...

    def create_key(self) -> str:
        """Create a new master key, make it the active one and return its id."""
        ...

    def destroy_key(self, key_id: str) -> None: ...


def key_id_of(master_key: bytes) -> str:
    """A public fingerprint naming the key (never the key itself)."""
    return "mk-" + hashlib.sha256(b"rempart master key id\x00" + master_key).hexdigest()[:16]


def _wrap(master_key: bytes, data_key: bytes) -> bytes:
    return aes_key_wrap(master_key, data_key)


def _unwrap(master_key: bytes, wrapped: bytes, key_id: str) -> bytes:
    try:
        return aes_key_unwrap(master_key, wrapped)
    except (InvalidUnwrap, ValueError):
        raise EvidenceIntegrityError(f"data key does not unwrap under {key_id}") from None


def _decode_key(text: bytes, origin: str) -> bytes:
    try:
        key = bytes.fromhex(text.decode("ascii").strip())
    except (UnicodeDecodeError, ValueError):
        raise KeyManagerError(f"{origin}: not a hex-encoded key") from None
    if len(key) != MASTER_KEY_SIZE:
        raise KeyManagerError(f"{origin}: a master key is {MASTER_KEY_SIZE} bytes")
    return key


class FileKeyManager:
    def __init__(self, folder: Path) -> None:
        folder.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        folder.mkdir(exist_ok=True, mode=0o700)
        os.chmod(folder, 0o700)
        self.folder = folder
        if not (folder / "active").exists():
            self._create_first_key()

    def _load(self, key_id: str) -> bytes:
        if not key_id.startswith("mk-") or not key_id[3:].isalnum():
            raise KeyManagerError(f"malformed key id {key_id!r}")
        try:
            return _decode_key((self.folder / key_id).read_bytes(), key_id)
        except FileNotFoundError:
            raise KeyManagerError(f"unknown master key {key_id}") from None

    def active_key_id(self) -> str:
        return (self.folder / "active").read_text("ascii").strip()

    def key_ids(self) -> list[str]:
        return sorted(p.name for p in self.folder.glob("mk-*"))

    def wrap(self, key_id: str, data_key: bytes) -> bytes:
        return _wrap(self._load(key_id), data_key)

    def unwrap(self, key_id: str, wrapped: bytes) -> bytes:
        return _unwrap(self._load(key_id), wrapped, key_id)

    def create_key(self) -> str:
        key = secrets.token_bytes(MASTER_KEY_SIZE)
        key_id = key_id_of(key)
        self._write_private(key_id, key.hex().encode())
        self._write_private("active", key_id.encode())
        return key_id

    def _create_first_key(self) -> None:
        # Processes starting together on a fresh data folder each make a key; the first to
        # publish "active" wins and the others drop theirs, so every process wraps with one key.
        key = secrets.token_bytes(MASTER_KEY_SIZE)
        key_id = key_id_of(key)
        write_private(self.folder / key_id, key.hex().encode())
        if create_once(self.folder / "active", key_id.encode).decode("ascii").strip() != key_id:
            (self.folder / key_id).unlink()

    def destroy_key(self, key_id: str) -> None:
        if key_id == self.active_key_id():
            raise KeyManagerError("the active master key cannot be destroyed")
        self._load(key_id)
        (self.folder / key_id).unlink()
        fsync_dir(self.folder)

    def _write_private(self, name: str, data: bytes) -> None:
        write_private(self.folder / name, data)


class ExternalFileKeyManager:
    """One master key from a file managed outside Rempart (``REMPART_MASTER_KEY_FILE``)."""

    def __init__(self, path: Path) -> None:
        try:
            text = path.read_bytes()
        except OSError as exc:
            raise KeyManagerError(f"REMPART_MASTER_KEY_FILE: {exc.strerror}") from None
        self._key = _decode_key(text, "REMPART_MASTER_KEY_FILE")
        self._key_id = key_id_of(self._key)

    def active_key_id(self) -> str:
        return self._key_id

    def key_ids(self) -> list[str]:
        return [self._key_id]

    def _check(self, key_id: str) -> None:
        if key_id != self._key_id:
            raise KeyManagerError(f"unknown master key {key_id}")

    def wrap(self, key_id: str, data_key: bytes) -> bytes:
        self._check(key_id)
        return _wrap(self._key, data_key)

    def unwrap(self, key_id: str, wrapped: bytes) -> bytes:
        self._check(key_id)
        return _unwrap(self._key, wrapped, key_id)

    def create_key(self) -> str:
        raise KeyManagerError("REMPART_MASTER_KEY_FILE is managed outside Rempart; rotate it there")

    def destroy_key(self, key_id: str) -> None:
        raise KeyManagerError("REMPART_MASTER_KEY_FILE is managed outside Rempart")


def key_manager_for(data_dir: Path) -> KeyManager:
    env_file = os.environ.get("REMPART_MASTER_KEY_FILE")
    if env_file:
        return ExternalFileKeyManager(Path(env_file))
    return FileKeyManager(data_dir / "secrets" / "master-keys")


def key_manager_from_settings(settings: Settings) -> KeyManager:
    """``REMPART_KEY_MANAGER=file`` (default: the data folder or ``REMPART_MASTER_KEY_FILE``)
    or ``aws-kms`` (``REMPART_KMS_*``, see ``rempart.evidence.kms``)."""
    if settings.key_manager == "file":
        settings.ensure_data_dir()
        env_file = os.environ.get("REMPART_MASTER_KEY_FILE")
        if env_file:
            return ExternalFileKeyManager(Path(env_file))
        return FileKeyManager(settings.resolved_secrets_dir / "master-keys")
    if settings.key_manager != "aws-kms":
        raise KeyManagerError("REMPART_KEY_MANAGER must be file or aws-kms")
    if os.environ.get("REMPART_MASTER_KEY_FILE"):
        raise KeyManagerError("REMPART_MASTER_KEY_FILE cannot be used with "
                              "REMPART_KEY_MANAGER=aws-kms")
    from rempart.evidence.kms import AwsKmsKeyManager  # boto3 is imported only when used

    return AwsKmsKeyManager.connect(settings.kms_endpoint_url, settings.kms_region,
                                    settings.kms_alias)
