"""Counsellors' workbench: assignments, last seen per staff member, canned replies, PDQ hashes
of image evidence.

Revision ID: 0012_workbench_staff
Revises: 0000_base
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012_workbench_staff"
down_revision = "0000_base"
branch_labels = None
depends_on = "0001_foundation"

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "case_assignments",
        sa.Column("case_id", sa.String(36), nullable=False),
        sa.Column("staff_id", sa.String(36), nullable=False),
        sa.Column("assigned_by", sa.String(36), nullable=True),
        sa.Column("assigned_at", TS, nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], ondelete="CASCADE",
                                name="fk_case_assignments_case_id_cases"),
        sa.ForeignKeyConstraint(["staff_id"], ["staff_accounts.id"], ondelete="CASCADE",
                                name="fk_case_assignments_staff_id_staff_accounts"),
        sa.PrimaryKeyConstraint("case_id", name="pk_case_assignments"),
    )
    op.create_index("ix_case_assignments_staff_id", "case_assignments", ["staff_id"])
    op.create_table(
        "case_seen",
        sa.Column("staff_id", sa.String(36), nullable=False),
        sa.Column("case_id", sa.String(36), nullable=False),
        sa.Column("seen_at", TS, nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], ondelete="CASCADE",
                                name="fk_case_seen_case_id_cases"),
        sa.ForeignKeyConstraint(["staff_id"], ["staff_accounts.id"], ondelete="CASCADE",
                                name="fk_case_seen_staff_id_staff_accounts"),
        sa.PrimaryKeyConstraint("staff_id", "case_id", name="pk_case_seen"),
    )
    op.create_index("ix_case_seen_case_id", "case_seen", ["case_id"])
    op.create_table(
        "canned_replies",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("language", sa.String(5), nullable=False),
        sa.Column("title", sa.String(120), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("updated_by", sa.String(36), nullable=True),
        sa.Column("updated_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_canned_replies"),
    )
    op.create_index("ix_canned_replies_language", "canned_replies", ["language"])
    op.create_table(
        "evidence_pdq",
        sa.Column("item_id", sa.String(36), nullable=False),
        sa.Column("case_id", sa.String(36), nullable=False),
        sa.Column("pdq", sa.String(64), nullable=True),
        sa.Column("quality", sa.Integer, nullable=True),
        sa.Column("computed_at", TS, nullable=False),
        sa.ForeignKeyConstraint(["item_id"], ["evidence_items.id"], ondelete="CASCADE",
                                name="fk_evidence_pdq_item_id_evidence_items"),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], ondelete="CASCADE",
                                name="fk_evidence_pdq_case_id_cases"),
        sa.PrimaryKeyConstraint("item_id", name="pk_evidence_pdq"),
    )
    op.create_index("ix_evidence_pdq_case_id", "evidence_pdq", ["case_id"])


def downgrade() -> None:
    op.drop_index("ix_evidence_pdq_case_id", table_name="evidence_pdq")
    op.drop_table("evidence_pdq")
    op.drop_index("ix_canned_replies_language", table_name="canned_replies")
    op.drop_table("canned_replies")
    op.drop_index("ix_case_seen_case_id", table_name="case_seen")
    op.drop_table("case_seen")
    op.drop_index("ix_case_assignments_staff_id", table_name="case_assignments")
    op.drop_table("case_assignments")
