"""payment choices without an index on the confirmation code: no query looks a choice up by it

The code is shown to the person and to officers (read out on the phone); nothing searches by
it, and the index on its random letters cost every insert (a bulk import most of all).

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-27 19:00:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0012'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEX = 'ix_payment_method_choices_confirmation_code'


def upgrade() -> None:
    op.drop_index(INDEX, table_name='payment_method_choices')


def downgrade() -> None:
    op.create_index(INDEX, 'payment_method_choices', ['confirmation_code'], unique=False)
