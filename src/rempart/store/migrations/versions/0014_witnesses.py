"""Witness invitations and contributions (issue 14.5): hashes and sealed texts, no plaintext.

Revision ID: 0014_witnesses
Revises: 0013_evidence_understanding
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014_witnesses"
down_revision = "0013_evidence_understanding"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "witness_invitations",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("case_id", sa.String(36), nullable=False),
        sa.Column("code_index", sa.String(64), nullable=False),
        sa.Column("secret_hash", sa.String(255), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_witness_invitations"),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], ondelete="CASCADE",
                                name="fk_witness_invitations_case_id_cases"),
        sa.UniqueConstraint("code_index", name="uq_witness_invitations_code_index"),
    )
    op.create_index("ix_witness_invitations_case_id", "witness_invitations", ["case_id"])
    op.create_table(
        "witness_contributions",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("invitation_id", sa.String(36), nullable=False),
        sa.Column("case_id", sa.String(36), nullable=False),
        sa.Column("state", sa.String(10), nullable=False),
        sa.Column("sealed_statement", sa.LargeBinary, nullable=False),
        sa.Column("sealed_name", sa.LargeBinary, nullable=True),
        sa.Column("follow_index", sa.String(64), nullable=False),
        sa.Column("follow_hash", sa.String(255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_witness_contributions"),
        sa.ForeignKeyConstraint(["invitation_id"], ["witness_invitations.id"], ondelete="CASCADE",
                                name="fk_witness_contributions_invitation_id_witness_invitations"),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], ondelete="CASCADE",
                                name="fk_witness_contributions_case_id_cases"),
        sa.UniqueConstraint("follow_index", name="uq_witness_contributions_follow_index"),
    )
    op.create_index("ix_witness_contributions_invitation_id", "witness_contributions",
                    ["invitation_id"])
    op.create_index("ix_witness_contributions_case_id", "witness_contributions", ["case_id"])
    op.create_index("ix_witness_contributions_state", "witness_contributions", ["state"])


def downgrade() -> None:
    op.drop_index("ix_witness_contributions_state", "witness_contributions")
    op.drop_index("ix_witness_contributions_case_id", "witness_contributions")
    op.drop_index("ix_witness_contributions_invitation_id", "witness_contributions")
    op.drop_table("witness_contributions")
    op.drop_index("ix_witness_invitations_case_id", "witness_invitations")
    op.drop_table("witness_invitations")
