"""reporting: outcomes, corrective actions

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 01:33:01.275520
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('corrective_action',
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('municipality_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('description', sa.String(length=5000), nullable=False),
    sa.Column('owner_employee_id', sa.Integer(), nullable=True),
    sa.Column('due_date', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('result', sa.String(length=5000), nullable=True),
    sa.CheckConstraint("status IN ('open', 'done', 'dropped')", name=op.f('ck_corrective_action_status')),
    sa.ForeignKeyConstraint(['item_id'], ['item.id'], name=op.f('fk_corrective_action_item_id_item')),
    sa.ForeignKeyConstraint(['municipality_id'], ['municipality.id'], name=op.f('fk_corrective_action_municipality_id_municipality')),
    sa.ForeignKeyConstraint(['owner_employee_id'], ['employee.id'], name=op.f('fk_corrective_action_owner_employee_id_employee')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_corrective_action'))
    )
    with op.batch_alter_table('corrective_action', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_corrective_action_municipality_id_item_id'), ['municipality_id', 'item_id'], unique=False)

    op.create_table('outcome',
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('municipality_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('progress_pct', sa.Numeric(precision=5, scale=2), nullable=True),
    sa.Column('actual_start', sa.Date(), nullable=True),
    sa.Column('actual_end', sa.Date(), nullable=True),
    sa.Column('actual_absorption', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('kpi_actual', sa.Numeric(precision=18, scale=4), nullable=True),
    sa.Column('deviation_category', sa.String(length=20), nullable=True),
    sa.Column('deviation_reason', sa.String(length=5000), nullable=True),
    sa.CheckConstraint("deviation_category IS NULL OR deviation_category IN ('funding', 'staffing', 'procedural', 'contractor', 'technical', 'external', 'other')", name=op.f('ck_outcome_deviation_category')),
    sa.CheckConstraint("status IN ('not_started', 'in_progress', 'completed', 'postponed', 'cancelled')", name=op.f('ck_outcome_status')),
    sa.CheckConstraint('actual_absorption IS NULL OR actual_absorption >= 0', name=op.f('ck_outcome_absorption_nonnegative')),
    sa.CheckConstraint('actual_end IS NULL OR actual_start IS NULL OR actual_end >= actual_start', name=op.f('ck_outcome_actual_dates')),
    sa.CheckConstraint('progress_pct IS NULL OR (progress_pct >= 0 AND progress_pct <= 100)', name=op.f('ck_outcome_progress_range')),
    sa.ForeignKeyConstraint(['item_id'], ['item.id'], name=op.f('fk_outcome_item_id_item')),
    sa.ForeignKeyConstraint(['municipality_id'], ['municipality.id'], name=op.f('fk_outcome_municipality_id_municipality')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outcome')),
    sa.UniqueConstraint('item_id', name=op.f('uq_outcome_item_id'))
    )
    with op.batch_alter_table('outcome', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outcome_municipality_id_item_id_status'), ['municipality_id', 'item_id', 'status'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('outcome', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outcome_municipality_id_item_id_status'))

    op.drop_table('outcome')
    with op.batch_alter_table('corrective_action', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_corrective_action_municipality_id_item_id'))

    op.drop_table('corrective_action')
