"""Takedown requests and their history, referrals, reporter consents, reporter notifications.

Revision ID: 0011_takedowns_referrals
Revises: 0000_base
Depends on: 0001_foundation (the cases table)
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011_takedowns_referrals"
down_revision = "0000_base"
branch_labels = None
depends_on = "0001_foundation"

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TS = sa.DateTime(timezone=True)


def _case_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["case_id"], ["cases.id"], ondelete="CASCADE",
                                   name=f"fk_{table}_case_id_cases")


def upgrade() -> None:
    op.create_table(
        "takedowns",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("case_id", sa.String(36), nullable=False),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("platform", sa.String(100), nullable=False),
        sa.Column("status", sa.String(30), nullable=False),
        sa.Column("channel", sa.String(10)),
        sa.Column("reference", sa.String(200)),
        sa.Column("trusted_flagger", sa.Boolean, nullable=False),
        sa.Column("language", sa.String(5), nullable=False),
        sa.Column("notice", sa.JSON, nullable=False),
        sa.Column("statement", sa.JSON, nullable=False),
        sa.Column("service_level_hours", sa.Integer, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.Column("sent_at", TS),
        sa.Column("due_at", TS),
        sa.Column("acknowledged_at", TS),
        sa.Column("decided_at", TS),
        sa.Column("overdue_since", TS),
        sa.Column("created_by", sa.String(36)),
        sa.PrimaryKeyConstraint("id", name="pk_takedowns"),
        _case_fk("takedowns"),
    )
    op.create_index("ix_takedowns_case_id", "takedowns", ["case_id"])
    op.create_index("ix_takedowns_status", "takedowns", ["status"])
    op.create_index("ix_takedowns_due_at", "takedowns", ["due_at"])
    op.create_table(
        "takedown_events",
        sa.Column("id", ID, nullable=False, autoincrement=True),
        sa.Column("takedown_id", sa.String(36), nullable=False),
        sa.Column("case_id", sa.String(36), nullable=False),
        sa.Column("status", sa.String(30), nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.Column("actor", sa.String(20), nullable=False),
        sa.Column("staff_id", sa.String(36)),
        sa.Column("leaf_index", ID),
        sa.PrimaryKeyConstraint("id", name="pk_takedown_events"),
        sa.ForeignKeyConstraint(["takedown_id"], ["takedowns.id"], ondelete="CASCADE",
                                name="fk_takedown_events_takedown_id_takedowns"),
    )
    op.create_index("ix_takedown_events_takedown_id", "takedown_events", ["takedown_id"])
    op.create_index("ix_takedown_events_case_id", "takedown_events", ["case_id"])
    op.create_table(
        "referrals",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("case_id", sa.String(36), nullable=False),
        sa.Column("target", sa.String(30), nullable=False),
        sa.Column("sent_on", sa.Date, nullable=False),
        sa.Column("reference", sa.String(200)),
        sa.Column("service", sa.String(200)),
        sa.Column("note", sa.Text),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("created_by", sa.String(36)),
        sa.Column("leaf_index", ID),
        sa.PrimaryKeyConstraint("id", name="pk_referrals"),
        _case_fk("referrals"),
    )
    op.create_index("ix_referrals_case_id", "referrals", ["case_id"])
    op.create_table(
        "reporter_consents",
        sa.Column("case_id", sa.String(36), nullable=False),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("given_at", TS, nullable=False),
        sa.Column("withdrawn_at", TS),
        sa.PrimaryKeyConstraint("case_id", "kind", name="pk_reporter_consents"),
        _case_fk("reporter_consents"),
    )
    op.create_table(
        "reporter_notifications",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("case_id", sa.String(36), nullable=False),
        sa.Column("reason", sa.String(30), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("sent_at", TS),
        sa.Column("last_error", sa.String(200)),
        sa.PrimaryKeyConstraint("id", name="pk_reporter_notifications"),
        _case_fk("reporter_notifications"),
    )
    op.create_index("ix_reporter_notifications_case_id", "reporter_notifications", ["case_id"])
    op.create_index("ix_reporter_notifications_status", "reporter_notifications",
                    ["status", "created_at"])


def downgrade() -> None:
    op.drop_table("reporter_notifications")
    op.drop_table("reporter_consents")
    op.drop_table("referrals")
    op.drop_table("takedown_events")
    op.drop_table("takedowns")
