"""The facts of a report that the law needs (``rempart.domain.facts.ReportFacts``), stored with
the case as one JSON object (``ReportFacts.as_dict``: unknown facts left out). Existing cases get
``{}``: nothing was asked, everything is unknown.

Revision ID: 0008_report_facts
Revises: 0006_staff_totp_sealed
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_report_facts"
# It changes a foundation table (cases), so it continues the foundation's branch.
down_revision = "0006_staff_totp_sealed"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("facts", sa.JSON(), nullable=False,
                                   server_default=sa.text("'{}'")))


def downgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("facts")
