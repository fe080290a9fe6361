"""Labels and scores of the text classifier per message of a case.

Revision ID: 0005_classifier
Revises: 0000_base
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_classifier"
down_revision = "0000_base"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "message_classifications",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column("case_id", sa.String(64), nullable=False),
        sa.Column("message_ref", sa.String(128), nullable=False),
        sa.Column("text_sha256", sa.String(64), nullable=False),
        sa.Column("labels", sa.String(256), nullable=False),
        sa.Column("traits", sa.String(256), nullable=False),
        sa.Column("scores_json", sa.Text, nullable=False),
        sa.Column("model_version", sa.String(64), nullable=False),
        sa.Column("classified_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_message_classifications"),
        sa.UniqueConstraint("case_id", "message_ref",
                            name="uq_message_classifications_case_message"),
    )
    op.create_index("ix_message_classifications_case_id", "message_classifications",
                    ["case_id"])


def downgrade() -> None:
    op.drop_index("ix_message_classifications_case_id", "message_classifications")
    op.drop_table("message_classifications")
