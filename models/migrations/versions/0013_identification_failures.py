"""identification failures: look-ups that found a CCCD but not its details, counted per person

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 01:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base

revision: str = '0013'
down_revision: str | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = 'identification_failures'


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('person_id', sa.Integer(), nullable=False),
        sa.Column('address', sa.String(length=100), nullable=False),
        sa.Column('at', models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ['person_id'], ['people.id'], name=op.f('fk_identification_failures_person_id_people')
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_identification_failures')),
    )
    op.create_index('ix_identification_failures_person_at', TABLE, ['person_id', 'at'])


def downgrade() -> None:
    op.drop_index('ix_identification_failures_person_at', table_name=TABLE)
    op.drop_table(TABLE)
