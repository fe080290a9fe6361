"""Custody ledger: head counter, leaves, complete-subtree nodes, signed checkpoints.

Revision ID: 0002_ledger
Revises: 0000_base
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_ledger"
down_revision = "0000_base"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "ledger_head",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_ledger_head"),
    )
    op.execute("INSERT INTO ledger_head (id, size) VALUES (1, 0)")
    op.create_table(
        "ledger_leaves",
        sa.Column("idx", sa.BigInteger, nullable=False, autoincrement=False),
        sa.Column("leaf", sa.LargeBinary, nullable=False),
        sa.Column("leaf_hash", sa.LargeBinary(32), nullable=False),
        sa.Column("case_id", sa.String(100), nullable=True),
        sa.Column("item_id", sa.String(100), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("idx", name="pk_ledger_leaves"),
    )
    op.create_index("ix_ledger_leaves_case_id", "ledger_leaves", ["case_id"])
    op.create_table(
        "ledger_nodes",
        sa.Column("level", sa.SmallInteger, nullable=False, autoincrement=False),
        sa.Column("idx", sa.BigInteger, nullable=False, autoincrement=False),
        sa.Column("hash", sa.LargeBinary(32), nullable=False),
        sa.PrimaryKeyConstraint("level", "idx", name="pk_ledger_nodes"),
    )
    op.create_table(
        "ledger_checkpoints",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("root", sa.LargeBinary(32), nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("verifier_key", sa.Text, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("tsa_token", sa.LargeBinary, nullable=True),
        sa.Column("tsa_chain", sa.Text, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_ledger_checkpoints"),
        sa.UniqueConstraint("size", name="uq_ledger_checkpoints_size"),
    )


def downgrade() -> None:
    for table in ("ledger_checkpoints", "ledger_nodes", "ledger_leaves", "ledger_head"):
        op.drop_table(table)
