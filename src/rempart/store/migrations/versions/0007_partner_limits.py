"""Partner rate buckets shared by every server process, and the entries a partner may rate.

Revision ID: 0007_partner_limits
Revises: 0000_base
Depends on: 0004_hashbanks (references its partners, keys and entries)
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_partner_limits"
down_revision = "0000_base"
branch_labels = None
depends_on = "0004_hashbanks"

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "partner_rate_buckets",
        sa.Column("key_id", ID, nullable=False),
        sa.Column("tokens", sa.Double, nullable=False),
        sa.Column("updated_at", sa.Double, nullable=False),
        sa.PrimaryKeyConstraint("key_id", name="pk_partner_rate_buckets"),
        sa.ForeignKeyConstraint(["key_id"], ["hash_api_keys.id"], ondelete="CASCADE",
                                name="fk_partner_rate_buckets_key_id_hash_api_keys"),
    )
    op.create_table(
        "partner_entry_access",
        sa.Column("partner_id", ID, nullable=False),
        sa.Column("entry_id", ID, nullable=False),
        sa.Column("granted_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("partner_id", "entry_id", name="pk_partner_entry_access"),
        sa.ForeignKeyConstraint(["partner_id"], ["hash_partners.id"], ondelete="CASCADE",
                                name="fk_partner_entry_access_partner_id_hash_partners"),
        sa.ForeignKeyConstraint(["entry_id"], ["hash_bank_entries.id"], ondelete="CASCADE",
                                name="fk_partner_entry_access_entry_id_hash_bank_entries"),
    )


def downgrade() -> None:
    op.drop_table("partner_entry_access")
    op.drop_table("partner_rate_buckets")
