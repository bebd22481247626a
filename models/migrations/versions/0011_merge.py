"""Join the parallel branches (conversations, officers, payments and campaigns, outbox indexes).

Revision ID: 0011
Revises: 0004, 0005, 0006, 0010
Create Date: 2026-11-27 13:40:00
"""

from collections.abc import Sequence

revision: str = "0011"
down_revision: str | Sequence[str] | None = ("0004", "0005", "0006", "0010")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Nothing to change: the branches touch different tables."""


def downgrade() -> None:
    """Nothing to change."""
