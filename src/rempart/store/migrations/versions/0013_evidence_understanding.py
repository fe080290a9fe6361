"""What was read from the evidence (OCR text...): one row per derived item, its data in the vault.

Revision ID: 0013_evidence_understanding
Revises: 0000_base
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013_evidence_understanding"
down_revision = "0000_base"
branch_labels = None
depends_on = "0001_foundation"


def upgrade() -> None:
    op.create_table(
        "evidence_derived",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("case_id", sa.String(36), nullable=False),
        sa.Column("evidence_id", sa.String(36), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("source_sha256", sa.String(64), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("engine", sa.String(60), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("words", sa.Integer, nullable=False),
        sa.Column("leaf_index", sa.Integer, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_evidence_derived"),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], ondelete="CASCADE",
                                name="fk_evidence_derived_case_id_cases"),
        sa.ForeignKeyConstraint(["evidence_id"], ["evidence_items.id"], ondelete="CASCADE",
                                name="fk_evidence_derived_evidence_id_evidence_items"),
        sa.UniqueConstraint("evidence_id", "kind", name="uq_evidence_derived_kind"),
    )
    op.create_index("ix_evidence_derived_case_id", "evidence_derived", ["case_id"])
    op.create_index("ix_evidence_derived_evidence_id", "evidence_derived", ["evidence_id"])


def downgrade() -> None:
    op.drop_index("ix_evidence_derived_evidence_id", "evidence_derived")
    op.drop_index("ix_evidence_derived_case_id", "evidence_derived")
    op.drop_table("evidence_derived")
