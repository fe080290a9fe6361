"""Wiring: builds the engine, unit-of-work factory and evidence store from Settings.

Web and CLI call ``build(settings)`` once and pass the ``Wiring`` around (services type it as
``rempart.services.app.App``).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from rempart.config import Settings
from rempart.evidence.interface import EvidenceStore
from rempart.security.totp_crypto import TotpSecretBox, box_from_settings
from rempart.services.app import register_builder
from rempart.services.cases import AttemptPolicy
from rempart.services.uploads import UploadLimits
from rempart.store.db import make_engine, make_session_factory
from rempart.store.uow import UnitOfWork, UnitOfWorkFactory


@dataclass
class Wiring:
    settings: Settings
    engine: Engine
    session_factory: sessionmaker[Session]
    uow: UnitOfWorkFactory  # call it for a fresh unit of work: ``services.uow()``
    store: EvidenceStore
    limits: UploadLimits
    attempts: AttemptPolicy
    totp_box: TotpSecretBox  # seals and opens the staff TOTP secrets

    def dispose(self) -> None:
        self.engine.dispose()


def evidence_store(settings: Settings, session_factory: sessionmaker[Session]) -> EvidenceStore:
    from rempart.evidence.vault import vault_from_settings

    return vault_from_settings(settings, session_factory)


def build(settings: Settings) -> Wiring:
    engine = make_engine(settings.resolved_database_url)
    session_factory = make_session_factory(engine)
    uow_factory: UnitOfWorkFactory = partial(_sql_uow, session_factory)
    return Wiring(settings=settings, engine=engine, session_factory=session_factory,
                    uow=uow_factory, store=evidence_store(settings, session_factory),
                    limits=UploadLimits.from_settings(settings),
                    attempts=AttemptPolicy.from_settings(settings),
                    totp_box=box_from_settings(settings))


def _sql_uow(session_factory: sessionmaker[Session]) -> UnitOfWork:
    from rempart.evidence.vault import VaultUnitOfWork

    # The vault's data keys join this unit of work, committing with the evidence rows.
    return VaultUnitOfWork(session_factory)


# Background jobs build the application through the service layer's interface.
register_builder(build)
