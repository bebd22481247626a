"""payment lists, campaigns, account-opening sessions, reports and officer reminders

Revision ID: 0006
Revises: 0003
Create Date: 2026-11-28 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base

revision: str = '0006'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('campaigns',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('text_vi', sa.Text(), nullable=False),
    sa.Column('text_en', sa.Text(), nullable=True),
    sa.Column('sms_text_vi', sa.Text(), nullable=True),
    sa.Column('sms_text_en', sa.Text(), nullable=True),
    sa.Column('commune_ids', sa.JSON(), nullable=False),
    sa.Column('category', sa.String(length=8), nullable=True),
    sa.Column('method', sa.String(length=32), nullable=True),
    sa.Column('language', sa.String(length=8), nullable=True),
    sa.Column('channel', sa.String(length=16), nullable=True),
    sa.Column('status', sa.String(length=24), nullable=False),
    sa.Column('requires_approval', sa.Boolean(), nullable=False),
    sa.Column('created_by', sa.String(length=100), nullable=False),
    sa.Column('approved_by', sa.String(length=100), nullable=True),
    sa.Column('approved_at', models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('starts_at', models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('expires_at', models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('launched_by', sa.String(length=100), nullable=True),
    sa.Column('launched_at', models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('audience_count', sa.Integer(), nullable=True),
    sa.Column('resend_rounds', sa.Integer(), nullable=False),
    sa.Column('queued_count', sa.Integer(), nullable=True),
    sa.Column('created_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_campaigns'))
    )
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_campaigns_status'), ['status'], unique=False)

    op.create_table('account_opening_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('commune_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('bank_code', sa.String(length=32), nullable=True),
    sa.Column('bank_name', sa.String(length=200), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('start_time', sa.Time(), nullable=False),
    sa.Column('end_time', sa.Time(), nullable=False),
    sa.Column('place', sa.String(length=300), nullable=False),
    sa.Column('documents', sa.String(length=500), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_by', sa.String(length=100), nullable=False),
    sa.Column('created_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['commune_id'], ['areas.id'], name=op.f('fk_account_opening_sessions_commune_id_areas')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_account_opening_sessions_organisation_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_account_opening_sessions'))
    )
    with op.batch_alter_table('account_opening_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_account_opening_sessions_commune_id'), ['commune_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_account_opening_sessions_held_on'), ['held_on'], unique=False)

    op.create_table('session_attendees',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('beneficiary_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('choice_id', sa.Integer(), nullable=True),
    sa.Column('review_item_id', sa.Integer(), nullable=True),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('invited_at', models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('reminded_at', models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('attended', sa.Boolean(), nullable=True),
    sa.Column('account_opened', sa.Boolean(), nullable=False),
    sa.Column('opened_choice_id', sa.Integer(), nullable=True),
    sa.Column('recorded_by', sa.String(length=100), nullable=True),
    sa.Column('recorded_at', models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['beneficiary_id'], ['beneficiaries.id'], name=op.f('fk_session_attendees_beneficiary_id_beneficiaries')),
    sa.ForeignKeyConstraint(['choice_id'], ['payment_method_choices.id'], name=op.f('fk_session_attendees_choice_id_payment_method_choices')),
    sa.ForeignKeyConstraint(['opened_choice_id'], ['payment_method_choices.id'], name=op.f('fk_session_attendees_opened_choice_id_payment_method_choices')),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_session_attendees_person_id_people')),
    sa.ForeignKeyConstraint(['session_id'], ['account_opening_sessions.id'], name=op.f('fk_session_attendees_session_id_account_opening_sessions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_session_attendees')),
    sa.UniqueConstraint('session_id', 'beneficiary_id', name=op.f('uq_session_attendees_session_id_beneficiary_id'))
    )
    with op.batch_alter_table('session_attendees', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_session_attendees_beneficiary_id'), ['beneficiary_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_session_attendees_session_id'), ['session_id'], unique=False)

    op.create_table('payment_result_imports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('file_sha256', sa.String(length=64), nullable=False),
    sa.Column('imported_by', sa.String(length=100), nullable=False),
    sa.Column('rows', sa.Integer(), nullable=False),
    sa.Column('applied', sa.Integer(), nullable=False),
    sa.Column('unchanged', sa.Integer(), nullable=False),
    sa.Column('rejected', sa.Integer(), nullable=False),
    sa.Column('problems', sa.JSON(), nullable=False),
    sa.Column('imported_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payment_result_imports'))
    )
    with op.batch_alter_table('payment_result_imports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payment_result_imports_file_sha256'), ['file_sha256'], unique=False)

    op.create_table('payment_lists',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('commune_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('without_amount', sa.Integer(), nullable=False),
    sa.Column('created_by', sa.String(length=100), nullable=False),
    sa.Column('generated_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('submitted_by', sa.String(length=100), nullable=True),
    sa.Column('submitted_at', models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('returned_reason', sa.String(length=500), nullable=True),
    sa.Column('approved_by', sa.String(length=100), nullable=True),
    sa.Column('approved_at', models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('exported_by', sa.String(length=100), nullable=True),
    sa.Column('exported_at', models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('results_at', models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('reconciled_by', sa.String(length=100), nullable=True),
    sa.Column('reconciled_at', models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('closed_by', sa.String(length=100), nullable=True),
    sa.Column('closed_at', models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('cash_date', sa.Date(), nullable=True),
    sa.Column('cash_place', sa.String(length=300), nullable=True),
    sa.Column('created_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['commune_id'], ['areas.id'], name=op.f('fk_payment_lists_commune_id_areas')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payment_lists')),
    sa.UniqueConstraint('period', 'commune_id', name=op.f('uq_payment_lists_period_commune_id'))
    )
    with op.batch_alter_table('payment_lists', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payment_lists_commune_id'), ['commune_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_payment_lists_period'), ['period'], unique=False)

    op.create_table('payment_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('list_id', sa.Integer(), nullable=False),
    sa.Column('beneficiary_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=8), nullable=False),
    sa.Column('amount', sa.Integer(), nullable=False),
    sa.Column('method', sa.String(length=32), nullable=False),
    sa.Column('provider_code', sa.String(length=32), nullable=True),
    sa.Column('account_enc', sa.LargeBinary(), nullable=True),
    sa.Column('account_hash', sa.String(length=64), nullable=True),
    sa.Column('account_masked', sa.String(length=32), nullable=True),
    sa.Column('holder_name', sa.String(length=200), nullable=True),
    sa.Column('choice_id', sa.Integer(), nullable=True),
    sa.Column('change', sa.String(length=16), nullable=False),
    sa.Column('changed_fields', sa.String(length=64), nullable=True),
    sa.Column('previous_amount', sa.Integer(), nullable=True),
    sa.Column('previous_method', sa.String(length=32), nullable=True),
    sa.Column('result', sa.String(length=16), nullable=False),
    sa.Column('failure_reason', sa.String(length=32), nullable=True),
    sa.Column('paid_on', sa.Date(), nullable=True),
    sa.Column('result_import_id', sa.Integer(), nullable=True),
    sa.Column('result_at', models.base.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payment_lines')),
    sa.UniqueConstraint('list_id', 'beneficiary_id', name=op.f('uq_payment_lines_list_id_beneficiary_id'))
    )
    op.create_table('payment_removals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('list_id', sa.Integer(), nullable=False),
    sa.Column('beneficiary_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=16), nullable=False),
    sa.Column('previous_amount', sa.Integer(), nullable=False),
    sa.Column('previous_method', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['beneficiary_id'], ['beneficiaries.id'], name=op.f('fk_payment_removals_beneficiary_id_beneficiaries')),
    sa.ForeignKeyConstraint(['list_id'], ['payment_lists.id'], name=op.f('fk_payment_removals_list_id_payment_lists')),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_payment_removals_person_id_people')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payment_removals')),
    sa.UniqueConstraint('list_id', 'beneficiary_id', name=op.f('uq_payment_removals_list_id_beneficiary_id'))
    )
    with op.batch_alter_table('payment_removals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payment_removals_list_id'), ['list_id'], unique=False)

    op.create_table('report_submissions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('commune_id', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('figures', sa.JSON(), nullable=False),
    sa.Column('submitted_by', sa.String(length=100), nullable=False),
    sa.Column('submitted_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['commune_id'], ['areas.id'], name=op.f('fk_report_submissions_commune_id_areas')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_submissions')),
    sa.UniqueConstraint('commune_id', 'period', name=op.f('uq_report_submissions_commune_id_period'))
    )
    with op.batch_alter_table('report_submissions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_submissions_period'), ['period'], unique=False)

    op.create_table('officer_contacts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('officer', sa.String(length=100), nullable=False),
    sa.Column('commune_id', sa.Integer(), nullable=True),
    sa.Column('address', sa.String(length=100), nullable=False),
    sa.Column('locale', sa.String(length=8), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['commune_id'], ['areas.id'], name=op.f('fk_officer_contacts_commune_id_areas')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_officer_contacts')),
    sa.UniqueConstraint('officer', 'address', name=op.f('uq_officer_contacts_officer_address'))
    )
    with op.batch_alter_table('officer_contacts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_officer_contacts_commune_id'), ['commune_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_officer_contacts_officer'), ['officer'], unique=False)

    op.create_table('officer_reminders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('commune_id', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('due', sa.Date(), nullable=False),
    sa.Column('queued', sa.Integer(), nullable=False),
    sa.Column('created_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['commune_id'], ['areas.id'], name=op.f('fk_officer_reminders_commune_id_areas')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_officer_reminders')),
    sa.UniqueConstraint('commune_id', 'period', 'kind', name=op.f('uq_officer_reminders_commune_id_period_kind'))
    )
    with op.batch_alter_table('officer_reminders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_officer_reminders_period'), ['period'], unique=False)


def downgrade() -> None:
    op.drop_table('officer_reminders')
    op.drop_table('officer_contacts')
    op.drop_table('report_submissions')
    op.drop_table('payment_removals')
    op.drop_table('payment_lines')
    op.drop_table('payment_lists')
    op.drop_table('payment_result_imports')
    op.drop_table('session_attendees')
    op.drop_table('account_opening_sessions')
    op.drop_table('campaigns')
