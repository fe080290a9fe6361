"""Hash banks, entries, change sequence, partners, API keys, feedback, self-submissions.

Revision ID: 0004_hashbanks
Revises: 0000_base
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_hashbanks"
down_revision = "0000_base"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "hash_banks",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("max_distance", sa.Integer, nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_hash_banks"),
        sa.UniqueConstraint("name", name="uq_hash_banks_name"),
    )
    op.create_table(
        "hash_bank_entries",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column("bank_id", ID, nullable=False),
        sa.Column("signal_type", sa.String(16), nullable=False),
        sa.Column("hash", sa.Text, nullable=False),
        sa.Column("quality", sa.Integer, nullable=True),
        sa.Column("case_reference", sa.String(64), nullable=False),
        sa.Column("content_id", sa.String(200), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("provenance", sa.String(200), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("withdrawn_at", TS, nullable=True),
        sa.Column("change_seq", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_hash_bank_entries"),
        sa.ForeignKeyConstraint(["bank_id"], ["hash_banks.id"], ondelete="CASCADE",
                                name="fk_hash_bank_entries_bank_id_hash_banks"),
    )
    op.create_index("ix_hash_bank_entries_case_reference", "hash_bank_entries",
                    ["case_reference"])
    op.create_index("ix_hash_bank_entries_change_seq", "hash_bank_entries", ["change_seq"])
    op.create_index("ix_hash_bank_entries_bank_signal", "hash_bank_entries",
                    ["bank_id", "signal_type", "hash"])
    op.create_table(
        "hash_bank_sequence",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("value", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_hash_bank_sequence"),
    )
    op.execute("INSERT INTO hash_bank_sequence (id, value) VALUES (1, 0)")
    op.create_table(
        "hash_partners",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("can_write", sa.Boolean, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_hash_partners"),
        sa.UniqueConstraint("name", name="uq_hash_partners_name"),
    )
    op.create_table(
        "hash_api_keys",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column("partner_id", ID, nullable=False),
        sa.Column("key_hash", sa.String(64), nullable=False),
        sa.Column("prefix", sa.String(16), nullable=False),
        sa.Column("rate_per_minute", sa.Integer, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("revoked_at", TS, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_hash_api_keys"),
        sa.UniqueConstraint("key_hash", name="uq_hash_api_keys_key_hash"),
        sa.ForeignKeyConstraint(["partner_id"], ["hash_partners.id"], ondelete="CASCADE",
                                name="fk_hash_api_keys_partner_id_hash_partners"),
    )
    op.create_table(
        "hash_match_feedback",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column("partner_id", ID, nullable=False),
        sa.Column("entry_id", ID, nullable=False),
        sa.Column("verdict", sa.String(16), nullable=False),
        sa.Column("content_id", sa.String(200), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_hash_match_feedback"),
        sa.ForeignKeyConstraint(["partner_id"], ["hash_partners.id"], ondelete="CASCADE",
                                name="fk_hash_match_feedback_partner_id_hash_partners"),
        sa.ForeignKeyConstraint(["entry_id"], ["hash_bank_entries.id"], ondelete="CASCADE",
                                name="fk_hash_match_feedback_entry_id_hash_bank_entries"),
    )
    op.create_table(
        "hash_self_submissions",
        sa.Column("case_reference", sa.String(64), nullable=False),
        sa.Column("bank_id", ID, nullable=False),
        sa.Column("pin_hash", sa.String(200), nullable=False),
        sa.Column("failed_attempts", sa.Integer, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("withdrawn_at", TS, nullable=True),
        sa.PrimaryKeyConstraint("case_reference", name="pk_hash_self_submissions"),
        sa.ForeignKeyConstraint(["bank_id"], ["hash_banks.id"], ondelete="CASCADE",
                                name="fk_hash_self_submissions_bank_id_hash_banks"),
    )


def downgrade() -> None:
    for table in ("hash_self_submissions", "hash_match_feedback", "hash_api_keys",
                  "hash_partners", "hash_bank_sequence", "hash_bank_entries", "hash_banks"):
        op.drop_table(table)
