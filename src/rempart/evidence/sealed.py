"""A case's text sealed at rest with the case's own data key (issue 12.2), like its evidence.

Sealed: the description, contact, author handles, links, other platform and incident dates of a
case, and every message of its thread. Each case gets a random 256-bit data key, wrapped by the
instance's master key (the vault's ``KeyManager``: key files kept apart from the database, or a
KMS) in ``case_text_keys``. A value is stored as ``rmp1:`` + base64(nonce || AES-256-GCM
ciphertext), the additional data binding it to its table, column, row and case: a sealed value
moved to another row or case does not open.

It is transparent to the code that reads and writes the ORM rows: a ``before_flush`` hook seals
changed values (and keeps the case's blind index up to date, see
``rempart.security.blind_index``), an ``after_flush`` hook puts the plaintext back in the objects,
and ``load``/``refresh`` hooks open values read from the database. The hooks act for the
engines a keyring is registered on (``register_keyring``, done by ``vault_from_settings``, which
every wired application calls); a column-level ``select`` of a sealed column returns ciphertext,
and a SQL filter on one matches nothing: search through the blind index instead.

Withdrawal crypto-shreds: deleting a case deletes its text key (and blind index) in the same
flush; on SQLite that transaction runs with ``secure_delete`` (freed pages zeroed) and, once
committed, the WAL is checkpointed and truncated, so that nothing of the text or its key stays
in the WAL or in free pages. Rows written before this module existed stay readable as they are
(no prefix) until ``rempart keys seal-text`` seals them.
"""

from __future__ import annotations

import base64
import json
import os
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from weakref import WeakKeyDictionary

import structlog
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import Engine, delete, event, insert, inspect, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import get_history, set_committed_value

from rempart.evidence.keys import KeyManager
from rempart.security import blind_index
from rempart.store.tables import CaseRecord, MessageRecord
from rempart.store.vault_tables import BlindIndexRecord, CaseTextKeyRecord

log = structlog.get_logger(__name__)
PREFIX = "rmp1:"
SEALED: dict[type, tuple[str, ...]] = {
    CaseRecord: ("description", "contact", "author_handles", "urls", "other_platform",
                 "incident_dates"),
    MessageRecord: ("body",),
}
INDEXED = ("description", "author_handles", "urls")
# The words read from a case's evidence (OCR, chats, e-mails, pages) are indexed under the case
# id with this suffix, apart from the case's own text, which is re-indexed on every change.
EVIDENCE_SUFFIX = "/evidence"
_RESTORE = "rempart.sealed.restore"
_SHREDDED = "rempart.sealed.shredded"


class SealedTextError(Exception):
    """A sealed value that does not open (wrong key, moved, altered, key shredded)."""


@dataclass
class TextKeyring:
    keys: KeyManager
    index_key: bytes
    _cache: dict[str, bytes] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def data_key(self, connection: Connection, case_id: str, create: bool = False
                 ) -> bytes | None:
        with self._lock:
            cached = self._cache.get(case_id)
        if cached is not None:
            return cached
        row = connection.execute(select(CaseTextKeyRecord.master_key_id,
                                        CaseTextKeyRecord.wrapped_key)
                                 .where(CaseTextKeyRecord.case_id == case_id)).first()
        if row is not None:
            key = self.keys.unwrap(row[0], bytes(row[1]))
        elif create:
            key = AESGCM.generate_key(bit_length=256)
            master = self.keys.active_key_id()
            connection.execute(insert(CaseTextKeyRecord).values(
                case_id=case_id, master_key_id=master, wrapped_key=self.keys.wrap(master, key),
                created_at=datetime.now(UTC)))
        else:
            return None
        with self._lock:
            self._cache[case_id] = key
        return key

    def forget(self, case_id: str) -> None:
        with self._lock:
            self._cache.pop(case_id, None)


_KEYRINGS: WeakKeyDictionary[Engine, TextKeyring] = WeakKeyDictionary()


def register_keyring(engine: Engine, keyring: TextKeyring) -> None:
    _KEYRINGS[engine] = keyring


def keyring_for(session: Session) -> TextKeyring | None:
    try:
        bind = session.get_bind()
    except Exception:  # noqa: BLE001 - an unbound session has no keyring
        return None
    engine = bind.engine if isinstance(bind, Connection) else bind
    return _KEYRINGS.get(engine)  # type: ignore[arg-type]


def _aad(obj: Any, column: str, case_id: str) -> bytes:
    return f"rempart-text/1|{type(obj).__tablename__}|{column}|{obj.id}|{case_id}".encode()


def _case_id(obj: Any) -> str:
    return str(obj.id if isinstance(obj, CaseRecord) else obj.case_id)


def is_sealed(value: object) -> bool:
    return isinstance(value, str) and value.startswith(PREFIX)


def seal(key: bytes, aad: bytes, value: object) -> str:
    nonce = os.urandom(12)
    plain = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()
    return PREFIX + base64.b64encode(nonce + AESGCM(key).encrypt(nonce, plain, aad)).decode()


def open_sealed(key: bytes, aad: bytes, value: str) -> Any:
    try:
        raw = base64.b64decode(value[len(PREFIX):], validate=True)
        return json.loads(AESGCM(key).decrypt(raw[:12], raw[12:], aad))
    except (ValueError, InvalidTag) as exc:
        raise SealedTextError("sealed text does not open") from exc


# Hooks ----------------------------------------------------------------------------------------


@event.listens_for(Session, "before_flush")
def _seal_before_flush(session: Session, _context: object, _instances: object) -> None:
    keyring = keyring_for(session)
    if keyring is None:
        return
    connection = session.connection()
    for obj in list(session.deleted):
        if isinstance(obj, CaseRecord):
            _shred(session, connection, keyring, str(obj.id))
    restore = session.info.setdefault(_RESTORE, [])
    for obj in [*session.new, *session.dirty]:
        columns = SEALED.get(type(obj))
        if columns is None or obj in session.deleted:
            continue
        new = obj in session.new
        changed = [c for c in columns if new or get_history(obj, c).has_changes()]
        if not changed:
            continue
        case_id = _case_id(obj)
        key = keyring.data_key(connection, case_id, create=True)
        assert key is not None
        plain: dict[str, Any] = {}
        for column in changed:
            value = getattr(obj, column)
            if value is None or is_sealed(value):
                continue
            plain[column] = value
            setattr(obj, column, seal(key, _aad(obj, column, case_id), value))
        restore.append((obj, plain))
        if isinstance(obj, CaseRecord) and (new or set(changed) & set(INDEXED)):
            _reindex(connection, keyring, obj, plain, new)


def _plain(obj: Any, plain: dict[str, Any], column: str) -> Any:
    value = plain[column] if column in plain else getattr(obj, column)
    return None if is_sealed(value) else value


def _reindex(connection: Connection, keyring: TextKeyring, case: CaseRecord,
             plain: dict[str, Any], new: bool) -> None:
    terms = blind_index.case_terms(keyring.index_key, _plain(case, plain, "description") or "",
                                   _plain(case, plain, "author_handles") or [],
                                   _plain(case, plain, "urls") or [])
    if not new:
        connection.execute(delete(BlindIndexRecord).where(BlindIndexRecord.case_id == case.id))
    if terms:
        connection.execute(insert(BlindIndexRecord), [
            {"case_id": case.id, "kind": kind, "hmac": digest} for kind, digest in terms])


def _shred(session: Session, connection: Connection, keyring: TextKeyring,
           case_id: str) -> None:
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("PRAGMA secure_delete = ON")  # zero what is deleted
    connection.execute(delete(CaseTextKeyRecord).where(CaseTextKeyRecord.case_id == case_id))
    connection.execute(delete(BlindIndexRecord).where(BlindIndexRecord.case_id.in_(
        (case_id, case_id + EVIDENCE_SUFFIX))))
    keyring.forget(case_id)
    session.info[_SHREDDED] = True


@event.listens_for(Session, "after_flush_postexec")
def _restore_after_flush(session: Session, _context: object) -> None:
    for obj, plain in session.info.pop(_RESTORE, []):
        for column, value in plain.items():
            set_committed_value(obj, column, value)


@event.listens_for(Session, "after_commit")
def _truncate_wal_after_shredding(session: Session) -> None:
    if not session.info.pop(_SHREDDED, False):
        return
    try:
        bind = session.get_bind()
        engine = bind.engine if isinstance(bind, Connection) else bind
        if engine.dialect.name == "sqlite":
            with engine.connect() as connection:
                connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    except Exception as exc:  # noqa: BLE001 - the withdrawal is committed already
        log.warning("sealed.wal_checkpoint_failed", error=exc.__class__.__name__)


@event.listens_for(Session, "after_rollback")
def _forget_after_rollback(session: Session) -> None:
    session.info.pop(_RESTORE, None)
    session.info.pop(_SHREDDED, None)


def _open_loaded(obj: Any, session: Session | None) -> None:
    if session is None:
        return
    keyring = keyring_for(session)
    if keyring is None:
        return
    state = inspect(obj)
    case_id = None
    for column in SEALED[type(obj)]:
        if column not in state.dict or not is_sealed(state.dict[column]):
            continue
        case_id = case_id or _case_id(obj)
        key = keyring.data_key(session.connection(), case_id)
        if key is None:
            raise SealedTextError(f"the text key of case {case_id} is gone (shredded)")
        set_committed_value(obj, column, open_sealed(key, _aad(obj, column, case_id),
                                                     state.dict[column]))


for _model in SEALED:
    event.listen(_model, "load", lambda obj, context: _open_loaded(obj, context.session))
    event.listen(_model, "refresh",
                 lambda obj, context, _attrs: _open_loaded(obj, context.session))


# Values sealed outside the ORM hooks --------------------------------------------------------
#
# A witness contribution (issue 14.5) keeps its statement and name sealed under a data key of its
# own (a ``case_text_keys`` row keyed by the contribution's id, which has no foreign key on
# purpose): declining it deletes that key, and the text is crypto-shredded while the rows of the
# victim's case stay as they are.


def _owned_aad(owner_id: str, label: str) -> bytes:
    return f"rempart-owned/1|{label}|{owner_id}".encode()


def _keyring_of(session: Session) -> TextKeyring:
    keyring = keyring_for(session)
    if keyring is None:
        raise SealedTextError("no keyring on this database: use the wired services")
    return keyring


def seal_owned(session: Session, owner_id: str, label: str, value: object) -> bytes:
    """``value`` (JSON-able) sealed with the data key of ``owner_id`` (created if needed), bound
    to ``label``: a sealed value moved to another owner or label does not open."""
    key = _keyring_of(session).data_key(session.connection(), owner_id, create=True)
    assert key is not None
    return seal(key, _owned_aad(owner_id, label), value).encode("ascii")


def open_owned(session: Session, owner_id: str, label: str, sealed: bytes) -> Any:
    """The value sealed by ``seal_owned``; SealedTextError if its key is gone or it was
    altered or moved."""
    key = _keyring_of(session).data_key(session.connection(), owner_id)
    if key is None:
        raise SealedTextError(f"the text key of {owner_id} is gone (shredded)")
    return open_sealed(key, _owned_aad(owner_id, label), bytes(sealed).decode("ascii"))


def shred_owned(session: Session, owner_id: str) -> None:
    """Delete the data key of ``owner_id``: what was sealed with it never opens again (on SQLite,
    freed pages are zeroed and the WAL truncated after the commit, as for a withdrawal)."""
    _shred(session, session.connection(), _keyring_of(session), owner_id)


# Search ---------------------------------------------------------------------------------------


def matching_case_ids(session: Session, words: list[str]) -> set[str] | None:
    """Cases whose handles, links or description words match every word (blind index), or
    None when no keyring is registered for this session's engine."""
    keyring = keyring_for(session)
    if keyring is None:
        return None
    found: set[str] | None = None
    for word in words:
        terms = blind_index.query_terms(keyring.index_key, word)
        if not terms:
            return set()
        ids: set[str] = set()
        for kind in {k for k, _ in terms}:
            hashes = [h for k, h in terms if k == kind]
            ids.update(found_id.removesuffix(EVIDENCE_SUFFIX) for found_id in session.scalars(
                select(BlindIndexRecord.case_id).where(
                    BlindIndexRecord.kind == kind, BlindIndexRecord.hmac.in_(hashes))))
        found = ids if found is None else found & ids
        if not found:
            return set()
    return found or set()


def index_evidence_text(session: Session, case_id: str, text: str, handles: list[str],
                        urls: list[str]) -> int | None:
    """Make the words, handles and links read from the case's evidence searchable (keyed
    hashes only, replacing the previous ones); how many terms, or None without a keyring."""
    keyring = keyring_for(session)
    if keyring is None:
        return None
    owner = case_id + EVIDENCE_SUFFIX
    connection = session.connection()
    connection.execute(delete(BlindIndexRecord).where(BlindIndexRecord.case_id == owner))
    terms = blind_index.case_terms(keyring.index_key, text, handles, urls)
    if terms:
        connection.execute(insert(BlindIndexRecord), [
            {"case_id": owner, "kind": kind, "hmac": digest} for kind, digest in terms])
    return len(terms)


def seal_existing(sessions: Any, batch: int = 200) -> int:
    """Seal the text of rows written before sealing existed, and index their cases (``rempart
    keys seal-text``); the number of rows sealed. Needs the keyring registered (the wired
    application's session factory)."""
    from sqlalchemy.orm.attributes import flag_modified

    sealed = 0
    for model in SEALED:
        offset = 0
        while True:
            with sessions() as session:
                if keyring_for(session) is None:
                    raise SealedTextError("no keyring on this database: use the wired services")
                rows = session.scalars(select(model).order_by(model.id)  # type: ignore[attr-defined]
                                       .offset(offset).limit(batch)).all()
                if not rows:
                    break
                for row in rows:
                    raw = session.connection().execute(
                        select(*[model.__table__.c[c] for c in SEALED[model]])  # type: ignore[attr-defined]
                        .where(model.__table__.c.id == row.id)).one()  # type: ignore[attr-defined]
                    clear = [c for c, v in zip(SEALED[model], raw, strict=True)
                             if v is not None and not is_sealed(v)]
                    for column in clear:
                        flag_modified(row, column)
                    sealed += bool(clear)
                session.commit()
            offset += batch
    return sealed
