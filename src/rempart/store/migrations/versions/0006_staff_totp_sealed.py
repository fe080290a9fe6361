"""Staff TOTP secrets encrypted at rest (AES-256-GCM under the instance's TOTP key).

Upgrade widens the column and seals every clear secret, bound to its account id; downgrade opens
them again and narrows the column back. Both need the instance key: from the Settings passed to
``rempart.store.migrate`` (tests), or ``get_settings()`` (the CLI, ``rempart serve``). The key is
only loaded (or generated) when there are accounts to convert. A secret that does not open on
downgrade stops the migration: nothing is half-converted.

Revision ID: 0006_staff_totp_sealed
Revises: 0001_foundation
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context, op

from rempart.config import get_settings
from rempart.security.totp_crypto import TotpSecretBox, box_from_settings, is_sealed

revision = "0006_staff_totp_sealed"
# It changes a foundation table, so it continues the foundation's branch.
down_revision = "0001_foundation"
branch_labels = None
depends_on = None

CLEAR_WIDTH = 64
SEALED_WIDTH = 255
_accounts = sa.table("staff_accounts", sa.column("id", sa.String),
                     sa.column("totp_secret", sa.String))


def _box() -> TotpSecretBox:
    settings = context.config.attributes.get("settings") or get_settings()
    return box_from_settings(settings)


def _secrets() -> list[tuple[str, str]]:
    rows = op.get_bind().execute(sa.select(_accounts.c.id, _accounts.c.totp_secret))
    return [(row.id, row.totp_secret) for row in rows]


def _store(values: dict[str, str]) -> None:
    bind = op.get_bind()
    for staff_id, value in values.items():
        bind.execute(_accounts.update().where(_accounts.c.id == staff_id)
                     .values(totp_secret=value))


def _resize(old: int, new: int) -> None:
    with op.batch_alter_table("staff_accounts") as batch:
        batch.alter_column("totp_secret", existing_type=sa.String(old), type_=sa.String(new),
                           existing_nullable=False)


def upgrade() -> None:
    _resize(CLEAR_WIDTH, SEALED_WIDTH)
    clear = [(staff_id, value) for staff_id, value in _secrets() if not is_sealed(value)]
    if clear:
        box = _box()
        _store({staff_id: box.seal(staff_id, value) for staff_id, value in clear})


def downgrade() -> None:
    sealed = [(staff_id, value) for staff_id, value in _secrets() if is_sealed(value)]
    if sealed:
        box = _box()
        _store({staff_id: box.open(staff_id, value) for staff_id, value in sealed})
    _resize(SEALED_WIDTH, CLEAR_WIDTH)
