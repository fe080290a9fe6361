"""Integrity: the audit log's hash chain (one link per audit row, and the chain's tip).

Existing audit rows are chained in id order, so an upgraded instance verifies from its first row.

Revision ID: 0010_integrity
Revises: 0000_base
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_integrity"
down_revision = "0000_base"
branch_labels = None
depends_on = ("0001_foundation", "0002_ledger")


def upgrade() -> None:
    from rempart.store.integrity_tables import GENESIS, link_hash, row_bytes

    op.create_table(
        "audit_chain_head",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("seq", sa.BigInteger, nullable=False),
        sa.Column("hash", sa.LargeBinary(32), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_audit_chain_head"),
    )
    chain = op.create_table(
        "audit_chain",
        sa.Column("seq", sa.BigInteger, nullable=False, autoincrement=False),
        sa.Column("audit_id", sa.BigInteger, nullable=False),
        sa.Column("prev_hash", sa.LargeBinary(32), nullable=False),
        sa.Column("hash", sa.LargeBinary(32), nullable=False),
        sa.PrimaryKeyConstraint("seq", name="pk_audit_chain"),
        sa.UniqueConstraint("audit_id", name="uq_audit_chain_audit_id"),
    )
    from rempart.store.tables import AuditRecord

    rows = op.get_bind().execute(sa.select(
        AuditRecord.id, AuditRecord.at, AuditRecord.actor, AuditRecord.staff_id,
        AuditRecord.action, AuditRecord.case_id, AuditRecord.detail).order_by(AuditRecord.id))
    links, previous = [], GENESIS
    for seq, row in enumerate(rows, 1):
        digest = link_hash(previous, row_bytes(*row))
        links.append({"seq": seq, "audit_id": row[0], "prev_hash": previous, "hash": digest})
        previous = digest
    if links:
        op.bulk_insert(chain, links)
    head = sa.table("audit_chain_head", sa.column("id"), sa.column("seq"), sa.column("hash"))
    op.bulk_insert(head, [{"id": 1, "seq": len(links), "hash": previous}])


def downgrade() -> None:
    op.drop_table("audit_chain")
    op.drop_table("audit_chain_head")
