"""conversations, verification codes, review items, registration requests, questions, data requests

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27 14:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC = models.base.UTCDateTime(timezone=True)


def _id() -> sa.Column:
    return sa.Column('id', sa.Integer(), nullable=False)


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f'{target}.id'], name=op.f(f'fk_{table}_{column}_{target}'))


def _indexes(table: str, plain: Sequence[str], named: dict[str, list[str]]) -> None:
    """One-column indexes named by the convention, and named multi-column ones."""
    with op.batch_alter_table(table, schema=None) as batch_op:
        for column in plain:
            batch_op.create_index(batch_op.f(f'ix_{table}_{column}'), [column], unique=False)
        for name, columns in named.items():
            batch_op.create_index(name, columns, unique=False)


def upgrade() -> None:
    op.create_table('conversations',
    _id(),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('address', sa.String(length=100), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('acting_for_beneficiary_id', sa.Integer(), nullable=True),
    sa.Column('locale', sa.String(length=8), nullable=False),
    sa.Column('flow', sa.String(length=32), nullable=True),
    sa.Column('step', sa.String(length=32), nullable=True),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('created_at', UTC, nullable=False),
    sa.Column('updated_at', UTC, nullable=False),
    sa.Column('sensitive_until', UTC, nullable=True),
    sa.Column('expires_at', UTC, nullable=True),
    _fk('conversations', 'acting_for_beneficiary_id', 'beneficiaries'),
    _fk('conversations', 'person_id', 'people'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_conversations')),
    sa.UniqueConstraint('channel', 'address', name=op.f('uq_conversations_channel_address'))
    )
    _indexes(
        'conversations',
        ['acting_for_beneficiary_id', 'person_id', 'sensitive_until'],
        {'ix_conversations_flow_step': ['flow', 'step']},
    )

    op.create_table('verification_codes',
    _id(),
    sa.Column('address', sa.String(length=100), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('expires_at', UTC, nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('used_at', UTC, nullable=True),
    sa.Column('created_at', UTC, nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_verification_codes'))
    )
    _indexes(
        'verification_codes',
        [],
        {
            'ix_verification_codes_address_created': ['address', 'created_at'],
            'ix_verification_codes_phone_created': ['phone', 'created_at'],
        },
    )

    op.create_table('registration_requests',
    _id(),
    sa.Column('full_name', sa.String(length=200), nullable=False),
    sa.Column('search_name', sa.String(length=200), nullable=False),
    sa.Column('birth_date', sa.Date(), nullable=True),
    sa.Column('birth_year', sa.Integer(), nullable=True),
    sa.Column('cccd_enc', sa.LargeBinary(), nullable=True),
    sa.Column('cccd_hash', sa.String(length=64), nullable=True),
    sa.Column('cccd_masked', sa.String(length=16), nullable=True),
    sa.Column('phone', sa.String(length=20), nullable=True),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('address', sa.String(length=100), nullable=False),
    sa.Column('commune_id', sa.Integer(), nullable=True),
    sa.Column('village', sa.String(length=200), nullable=True),
    sa.Column('category_guess', sa.String(length=8), nullable=True),
    sa.Column('proxy_person_id', sa.Integer(), nullable=True),
    sa.Column('proxy_kind', sa.String(length=16), nullable=True),
    sa.Column('proxy_relationship', sa.String(length=100), nullable=True),
    sa.Column('consent_version', sa.String(length=32), nullable=True),
    sa.Column('consent_at', UTC, nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('created_at', UTC, nullable=False),
    _fk('registration_requests', 'commune_id', 'areas'),
    _fk('registration_requests', 'person_id', 'people'),
    _fk('registration_requests', 'proxy_person_id', 'people'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_registration_requests'))
    )
    _indexes('registration_requests', ['address', 'cccd_hash', 'commune_id', 'search_name'], {})

    op.create_table('review_items',
    _id(),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('beneficiary_id', sa.Integer(), nullable=True),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('commune_id', sa.Integer(), nullable=True),
    sa.Column('registration_request_id', sa.Integer(), nullable=True),
    sa.Column('choice_id', sa.Integer(), nullable=True),
    sa.Column('representation_id', sa.Integer(), nullable=True),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('decided_by', sa.String(length=100), nullable=True),
    sa.Column('decided_at', UTC, nullable=True),
    sa.Column('created_at', UTC, nullable=False),
    _fk('review_items', 'beneficiary_id', 'beneficiaries'),
    _fk('review_items', 'choice_id', 'payment_method_choices'),
    _fk('review_items', 'commune_id', 'areas'),
    _fk('review_items', 'person_id', 'people'),
    _fk('review_items', 'registration_request_id', 'registration_requests'),
    _fk('review_items', 'representation_id', 'representations'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_items'))
    )
    _indexes(
        'review_items',
        ['beneficiary_id', 'commune_id'],
        {'ix_review_items_status_kind': ['status', 'kind', 'id']},
    )

    op.create_table('questions',
    _id(),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('beneficiary_id', sa.Integer(), nullable=True),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('address', sa.String(length=100), nullable=False),
    sa.Column('commune_id', sa.Integer(), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('answer', sa.Text(), nullable=True),
    sa.Column('answered_by', sa.String(length=100), nullable=True),
    sa.Column('answered_at', UTC, nullable=True),
    sa.Column('answer_due_by', sa.Date(), nullable=True),
    sa.Column('created_at', UTC, nullable=False),
    _fk('questions', 'beneficiary_id', 'beneficiaries'),
    _fk('questions', 'commune_id', 'areas'),
    _fk('questions', 'person_id', 'people'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_questions'))
    )
    _indexes('questions', ['person_id'], {'ix_questions_status_commune': ['status', 'commune_id']})

    op.create_table('data_requests',
    _id(),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('address', sa.String(length=100), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('details', sa.Text(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('received_at', UTC, nullable=False),
    sa.Column('acknowledge_by', sa.Date(), nullable=False),
    sa.Column('due_by', sa.Date(), nullable=False),
    sa.Column('acknowledged_at', UTC, nullable=True),
    sa.Column('completed_at', UTC, nullable=True),
    sa.Column('handled_by', sa.String(length=100), nullable=True),
    sa.Column('outcome', sa.Text(), nullable=True),
    _fk('data_requests', 'person_id', 'people'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_data_requests'))
    )
    _indexes('data_requests', ['person_id'], {'ix_data_requests_status_due': ['status', 'due_by']})


def downgrade() -> None:
    for table in (
        'data_requests',
        'questions',
        'review_items',
        'registration_requests',
        'verification_codes',
        'conversations',
    ):
        op.drop_table(table)
