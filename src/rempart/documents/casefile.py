"""What a document needs to know about a case, gathered by the documents service.

Documents render only from these plain values, so they can be tested without a database and the
service decides what each reader may see (the complainant's identity is never stored by Rempart:
it is typed in when the letter is generated, or left blank to be filled in by hand).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Person:
    full_name: str = ""
    birth_date: str = ""
    address: str = ""
    phone: str = ""
    email: str = ""


@dataclass(frozen=True)
class Exhibit:
    number: int
    file_name: str
    media_type: str
    size: int
    sha256: str
    received_at: dt.datetime
    leaf_index: int | None = None  # position of its "received" event in the custody ledger
    thumbnail_png: bytes | None = None  # already decoded safely by the service; blurred on print
    leaf_hash: str = ""  # hex RFC 9162 leaf hash of the "received" event
    inclusion_proof: tuple[str, ...] = ()  # hex hashes, from the leaf up to the checkpoint root


@dataclass(frozen=True)
class OffenceLine:
    reference: str  # "Code pénal, art. 222-33-2-2"
    title: str
    max_penalty: str  # "3 ans d'emprisonnement et 45 000 € d'amende"
    derivation: str = ""  # how the maximum is reached (aggravating circumstances)
    prescription: str = ""
    account_suspension: bool = False  # article 131-35-1 of the Code pénal may be asked for


@dataclass(frozen=True)
class TimelineEntry:
    when: str  # as the reporter gave it, or an ISO date
    what: str


@dataclass(frozen=True)
class CaseFile:
    code: str
    created_at: dt.datetime
    kinds: tuple[str, ...]
    description: str
    platforms: tuple[str, ...] = ()
    urls: tuple[str, ...] = ()
    author_handles: tuple[str, ...] = ()
    incident_dates: str = ""
    victim_is_minor: bool = False
    reporter_role: str = "victim"
    exhibits: tuple[Exhibit, ...] = ()
    offences: tuple[OffenceLine, ...] = ()
    timeline: tuple[TimelineEntry, ...] = ()
    message_labels: tuple[str, ...] = ()  # classifier labels of the case's messages
    followup: tuple[str, ...] = ()  # takedown requests and referrals (issue 13), one line each
    checkpoint: str = ""  # latest signed ledger checkpoint (C2SP signed note)
    log_public_key: str = ""
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def authors_known(self) -> bool:
        return bool(self.author_handles)
