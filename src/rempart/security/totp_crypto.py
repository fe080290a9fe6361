"""Encryption at rest of the staff TOTP secrets (the only module that seals or opens them).

A TOTP secret is as sensitive as a password that never changes, and unlike a password it cannot
be hashed: the server needs it to check codes. So the column holds it sealed with AES-256-GCM
under the instance's TOTP key, and a database dump alone gives away no second factor.

Format (version 1)::

    "tv1:" + base64url(nonce (12 bytes) | AES-256-GCM ciphertext | 16-byte tag)

The nonce is random: one key seals a few hundred secrets at most, far below the 2^32 messages
a random 96-bit nonce is safe for. The associated data binds the staff account id, so a sealed
secret copied onto another account (to log in as it with one's own authenticator) does not
open. The key is ``Settings.secret_bytes("totp_key")``: 64 hex digits in
``<data>/secrets/totp_key`` (mode 0600, generated on first start) or in the file named by
``REMPART_TOTP_KEY_FILE``.
"""

from __future__ import annotations

import base64
import binascii
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from rempart.config import Settings

KEY_NAME = "totp_key"
KEY_SIZE = 32
PREFIX = "tv1:"
_NONCE_SIZE = 12
_TAG_SIZE = 16
_AAD_LABEL = b"rempart staff totp secret v1\x00"
# A base32 TOTP secret is 32 characters (160 bits); anything much longer is not one.
_MAX_SECRET_CHARS = 128


class TotpKeyError(Exception):
    """The instance's TOTP key is missing or malformed."""


class TotpSecretError(Exception):
    """A stored TOTP secret does not open: wrong key, altered, copied from another account, or
    never sealed. Login fails closed; the reason names the account, never the secret."""


def key_from_file_bytes(raw: bytes) -> bytes:
    """The 256-bit key from the secret file's text (64 hex digits)."""
    try:
        key = bytes.fromhex(raw.decode("ascii").strip())
    except (UnicodeDecodeError, ValueError):
        key = b""
    if len(key) != KEY_SIZE:
        raise TotpKeyError(f"{KEY_NAME} (REMPART_TOTP_KEY_FILE or <data>/secrets/{KEY_NAME}) "
                           f"must hold {KEY_SIZE * 2} hex digits")
    return key


def _aad(staff_id: str) -> bytes:
    return _AAD_LABEL + staff_id.encode("utf-8")


def is_sealed(stored: str) -> bool:
    return stored.startswith(PREFIX)


class TotpSecretBox:
    """Seals and opens TOTP secrets of staff accounts under one instance key."""

    def __init__(self, key: bytes) -> None:
        if len(key) != KEY_SIZE:
            raise TotpKeyError(f"a TOTP key is {KEY_SIZE} bytes")
        self._aead = AESGCM(key)

    def __repr__(self) -> str:  # never show the key, even in a traceback
        return "TotpSecretBox(<key hidden>)"

    def seal(self, staff_id: str, secret: str) -> str:
        if not secret or len(secret) > _MAX_SECRET_CHARS:
            raise ValueError("not a TOTP secret")
        nonce = os.urandom(_NONCE_SIZE)
        sealed = self._aead.encrypt(nonce, secret.encode("ascii"), _aad(staff_id))
        return PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode("ascii")

    def open(self, staff_id: str, stored: str) -> str:
        if not is_sealed(stored):
            raise TotpSecretError(f"the TOTP secret of staff account {staff_id} is not "
                                  "encrypted (run `rempart db upgrade`)")
        try:
            blob = base64.urlsafe_b64decode(stored[len(PREFIX):].encode("ascii"))
        except (binascii.Error, UnicodeEncodeError):
            blob = b""
        if len(blob) < _NONCE_SIZE + _TAG_SIZE:
            raise TotpSecretError(f"the TOTP secret of staff account {staff_id} is malformed")
        try:
            plain = self._aead.decrypt(blob[:_NONCE_SIZE], blob[_NONCE_SIZE:], _aad(staff_id))
        except InvalidTag:
            raise TotpSecretError(
                f"the TOTP secret of staff account {staff_id} does not decrypt: the instance's "
                f"{KEY_NAME} is not the one it was sealed with, or the value was altered or "
                "copied from another account") from None
        return plain.decode("ascii")


def box_from_settings(settings: Settings) -> TotpSecretBox:
    """The instance's box (``REMPART_TOTP_KEY_FILE`` or ``<data>/secrets/totp_key``)."""
    return TotpSecretBox(key_from_file_bytes(settings.secret_bytes(KEY_NAME, KEY_SIZE)))
