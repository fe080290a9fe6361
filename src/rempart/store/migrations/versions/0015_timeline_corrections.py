"""The reporter's corrections of the chronology: one row per correction, its contents in the vault.

Revision ID: 0015_timeline_corrections
Revises: 0013_evidence_understanding
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015_timeline_corrections"
down_revision = "0013_evidence_understanding"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "timeline_corrections",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("case_id", sa.String(36), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("leaf_index", sa.Integer, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_timeline_corrections"),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], ondelete="CASCADE",
                                name="fk_timeline_corrections_case_id_cases"),
    )
    op.create_index("ix_timeline_corrections_case_id", "timeline_corrections", ["case_id"])


def downgrade() -> None:
    op.drop_index("ix_timeline_corrections_case_id", "timeline_corrections")
    op.drop_table("timeline_corrections")
