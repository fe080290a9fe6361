"""Page captures asked from the portal and the back-office: one row per request and its state,
the address asked for kept in the vault (issue 14.3).

Revision ID: 0016_captures
Revises: 0013_evidence_understanding
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016_captures"
down_revision = "0013_evidence_understanding"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "captures",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("case_id", sa.String(36), nullable=False),
        sa.Column("requested_by", sa.String(20), nullable=False),
        sa.Column("staff_id", sa.String(36), nullable=True),
        sa.Column("state", sa.String(10), nullable=False),
        sa.Column("reason", sa.String(20), nullable=True),
        sa.Column("warc_item_id", sa.String(36), nullable=True),
        sa.Column("png_item_id", sa.String(36), nullable=True),
        sa.Column("derived_id", sa.String(36), nullable=True),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_captures"),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], ondelete="CASCADE",
                                name="fk_captures_case_id_cases"),
    )
    op.create_index("ix_captures_case_id", "captures", ["case_id"])
    op.create_index("ix_captures_requested_at", "captures", ["requested_at"])


def downgrade() -> None:
    op.drop_index("ix_captures_requested_at", "captures")
    op.drop_index("ix_captures_case_id", "captures")
    op.drop_table("captures")
