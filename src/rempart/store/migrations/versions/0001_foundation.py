"""Foundation: cases, evidence items, messages, staff accounts and sessions, audit, attempts.

Revision ID: 0001_foundation
Revises: 0000_base
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_foundation"
down_revision = "0000_base"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)
ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
UUID = sa.String(36)


def upgrade() -> None:
    op.create_table(
        "cases",
        sa.Column("id", UUID, nullable=False),
        sa.Column("code", sa.String(20), nullable=False),
        sa.Column("passphrase_hash", sa.String(255), nullable=False),
        sa.Column("status", sa.String(30), nullable=False),
        sa.Column("kinds", sa.JSON, nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("platforms", sa.JSON, nullable=False),
        sa.Column("other_platform", sa.Text, nullable=True),
        sa.Column("urls", sa.JSON, nullable=False),
        sa.Column("incident_dates", sa.Text, nullable=True),
        sa.Column("author_handles", sa.JSON, nullable=False),
        sa.Column("victim_is_minor", sa.Boolean, nullable=False),
        sa.Column("reporter_role", sa.String(20), nullable=False),
        sa.Column("contact", sa.Text, nullable=True),
        sa.Column("labels", sa.JSON, nullable=False),
        sa.Column("priority", sa.Integer, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_cases"),
        sa.UniqueConstraint("code", name="uq_cases_code"),
    )
    op.create_index("ix_cases_status", "cases", ["status"])
    op.create_index("ix_cases_queue", "cases", ["priority", "created_at"])
    op.create_table(
        "evidence_items",
        sa.Column("id", UUID, nullable=False),
        sa.Column("case_id", UUID, nullable=False),
        sa.Column("file_name", sa.String(255), nullable=False),
        sa.Column("media_type", sa.String(100), nullable=False),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("received_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_evidence_items"),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], ondelete="CASCADE",
                                name="fk_evidence_items_case_id_cases"),
    )
    op.create_index("ix_evidence_items_case_id", "evidence_items", ["case_id"])
    op.create_table(
        "staff_accounts",
        sa.Column("id", UUID, nullable=False),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("totp_secret", sa.String(64), nullable=False),
        sa.Column("last_totp_step", sa.BigInteger, nullable=True),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("last_login_at", TS, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_staff_accounts"),
        sa.UniqueConstraint("email", name="uq_staff_accounts_email"),
    )
    op.create_table(
        "messages",
        sa.Column("id", UUID, nullable=False),
        sa.Column("case_id", UUID, nullable=False),
        sa.Column("author", sa.String(20), nullable=False),
        sa.Column("staff_id", UUID, nullable=True),
        sa.Column("internal", sa.Boolean, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_messages"),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], ondelete="CASCADE",
                                name="fk_messages_case_id_cases"),
        sa.ForeignKeyConstraint(["staff_id"], ["staff_accounts.id"], ondelete="SET NULL",
                                name="fk_messages_staff_id_staff_accounts"),
    )
    op.create_index("ix_messages_case_id", "messages", ["case_id"])
    op.create_table(
        "staff_sessions",
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("staff_id", UUID, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("expires_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("token_hash", name="pk_staff_sessions"),
        sa.ForeignKeyConstraint(["staff_id"], ["staff_accounts.id"], ondelete="CASCADE",
                                name="fk_staff_sessions_staff_id_staff_accounts"),
    )
    op.create_index("ix_staff_sessions_staff_id", "staff_sessions", ["staff_id"])
    op.create_table(
        "case_tokens",
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("case_id", UUID, nullable=False),
        sa.Column("expires_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("token_hash", name="pk_case_tokens"),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], ondelete="CASCADE",
                                name="fk_case_tokens_case_id_cases"),
    )
    op.create_index("ix_case_tokens_case_id", "case_tokens", ["case_id"])
    op.create_table(
        "audit_events",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.Column("actor", sa.String(20), nullable=False),
        sa.Column("staff_id", UUID, nullable=True),
        sa.Column("action", sa.String(50), nullable=False),
        sa.Column("case_id", UUID, nullable=True),
        sa.Column("detail", sa.JSON, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_audit_events"),
    )
    op.create_index("ix_audit_events_at", "audit_events", ["at"])
    op.create_index("ix_audit_events_case_id", "audit_events", ["case_id"])
    op.create_table(
        "passphrase_attempts",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("attempted_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_passphrase_attempts"),
    )
    op.create_index("ix_passphrase_attempts_key", "passphrase_attempts", ["key"])


def downgrade() -> None:
    for table in ("passphrase_attempts", "audit_events", "case_tokens", "staff_sessions",
                  "messages", "staff_accounts", "evidence_items", "cases"):
        op.drop_table(table)
