"""outbox without per-row foreign-key checks, and indexes holding only the rows they serve

Revision ID: 0010
Revises: 0003
Create Date: 2026-11-28 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0010'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN = sa.text("status IN ('pending', 'sending')")
SENDING = sa.text("status = 'sending'")
CLAIMED_OR_SENT = sa.text("claimed_at IS NOT NULL OR sent_at IS NOT NULL")


def _not_null(column: str) -> sa.TextClause:
    return sa.text(f"{column} IS NOT NULL")


def upgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_constraint('fk_outbox_person_id_people', type_='foreignkey')
        batch_op.drop_constraint('fk_outbox_fallback_of_id_outbox', type_='foreignkey')
        batch_op.drop_index('ix_outbox_address_id')
        batch_op.drop_index('ix_outbox_claim')
        batch_op.drop_index('ix_outbox_address_status')
        batch_op.drop_index('ix_outbox_expiry')
        batch_op.drop_index('ix_outbox_person_class_sent')
        batch_op.drop_index('ix_outbox_provider_message_id')
    op.create_index(
        'ix_outbox_claim', 'outbox', ['status', 'priority', 'next_attempt_at', 'id'],
        postgresql_where=OPEN,
    )
    op.create_index(
        'ix_outbox_address_status', 'outbox', ['address', 'status', 'id'], postgresql_where=OPEN
    )
    op.create_index(
        'ix_outbox_sending', 'outbox', ['claimed_at'],
        postgresql_where=SENDING, sqlite_where=SENDING,
    )
    op.create_index(
        'ix_outbox_expiry', 'outbox', ['status', 'expires_at'],
        postgresql_where=_not_null('expires_at'), sqlite_where=_not_null('expires_at'),
    )
    op.create_index(
        'ix_outbox_person_class_sent', 'outbox', ['person_id', 'message_class', 'sent_at'],
        postgresql_where=CLAIMED_OR_SENT,
    )
    op.create_index(
        'ix_outbox_provider_message_id', 'outbox', ['provider_message_id'],
        postgresql_where=_not_null('provider_message_id'),
        sqlite_where=_not_null('provider_message_id'),
    )


def downgrade() -> None:
    for name in (
        'ix_outbox_provider_message_id', 'ix_outbox_person_class_sent', 'ix_outbox_expiry',
        'ix_outbox_sending', 'ix_outbox_address_status', 'ix_outbox_claim',
    ):
        op.drop_index(name, table_name='outbox')
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_claim', ['status', 'priority', 'next_attempt_at', 'id'])
        batch_op.create_index('ix_outbox_address_status', ['address', 'status', 'id'])
        batch_op.create_index('ix_outbox_expiry', ['status', 'expires_at'])
        batch_op.create_index(
            'ix_outbox_person_class_sent', ['person_id', 'message_class', 'sent_at']
        )
        batch_op.create_index('ix_outbox_provider_message_id', ['provider_message_id'])
        batch_op.create_index('ix_outbox_address_id', ['address', 'id'])
        batch_op.create_foreign_key(
            'fk_outbox_person_id_people', 'people', ['person_id'], ['id']
        )
        batch_op.create_foreign_key(
            'fk_outbox_fallback_of_id_outbox', 'outbox', ['fallback_of_id'], ['id']
        )
