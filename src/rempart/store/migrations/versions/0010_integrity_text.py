"""Text at rest (issue 12.2): the per-case data keys that seal a case's text, and the keyed
blind index that search and related-case matching use instead of the sealed columns.

Revision ID: 0010_integrity_text
Revises: 0010_integrity
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_integrity_text"
down_revision = "0010_integrity"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "case_text_keys",
        sa.Column("case_id", sa.String(100), nullable=False),
        sa.Column("master_key_id", sa.String(64), nullable=False),
        sa.Column("wrapped_key", sa.LargeBinary, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("case_id", name="pk_case_text_keys"),
    )
    op.create_index("ix_case_text_keys_master_key_id", "case_text_keys", ["master_key_id"])
    op.create_table(
        "blind_index",
        sa.Column("case_id", sa.String(100), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("hmac", sa.LargeBinary(16), nullable=False),
        sa.PrimaryKeyConstraint("case_id", "kind", "hmac", name="pk_blind_index"),
    )
    op.create_index("ix_blind_index_lookup", "blind_index", ["kind", "hmac"])


def downgrade() -> None:
    op.drop_table("blind_index")
    op.drop_table("case_text_keys")
