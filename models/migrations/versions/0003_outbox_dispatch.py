"""outbox indexes for claiming in order, per-address ordering and expiry

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 13:00:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_due')
        batch_op.create_index('ix_outbox_claim', ['status', 'priority', 'next_attempt_at', 'id'], unique=False)
        batch_op.create_index('ix_outbox_address_status', ['address', 'status', 'id'], unique=False)
        batch_op.create_index('ix_outbox_expiry', ['status', 'expires_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_expiry')
        batch_op.drop_index('ix_outbox_address_status')
        batch_op.drop_index('ix_outbox_claim')
        batch_op.create_index('ix_outbox_due', ['status', 'next_attempt_at', 'priority'], unique=False)
