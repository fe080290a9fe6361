"""Vault: wrapped per-item data keys.

Revision ID: 0003_vault
Revises: 0000_base
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_vault"
down_revision = "0000_base"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "vault_data_keys",
        sa.Column("item_id", sa.String(100), nullable=False),
        sa.Column("case_id", sa.String(100), nullable=False),
        sa.Column("master_key_id", sa.String(64), nullable=False),
        sa.Column("wrapped_key", sa.LargeBinary, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("item_id", name="pk_vault_data_keys"),
    )
    op.create_index("ix_vault_data_keys_case_id", "vault_data_keys", ["case_id"])
    op.create_index("ix_vault_data_keys_master_key_id", "vault_data_keys", ["master_key_id"])


def downgrade() -> None:
    op.drop_table("vault_data_keys")
