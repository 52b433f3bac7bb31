"""planning: cycles, plans, items, assignees, baselines

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 01:31:25.963052
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('cycle',
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('municipality_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('plan_deadline', sa.Date(), nullable=False),
    sa.Column('report_deadline', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.CheckConstraint("status IN ('open', 'closed')", name=op.f('ck_cycle_status')),
    sa.ForeignKeyConstraint(['municipality_id'], ['municipality.id'], name=op.f('fk_cycle_municipality_id_municipality')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cycle')),
    sa.UniqueConstraint('municipality_id', 'year', name=op.f('uq_cycle_municipality_id_year'))
    )
    op.create_table('plan',
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('municipality_id', sa.Integer(), nullable=False),
    sa.Column('org_unit_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('report_status', sa.String(length=10), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('approved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('report_submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('report_approved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('plan_late', sa.Boolean(), nullable=False),
    sa.Column('report_late', sa.Boolean(), nullable=False),
    sa.Column('return_comment', sa.String(length=2000), nullable=True),
    sa.Column('baseline_no', sa.Integer(), nullable=False),
    sa.CheckConstraint("report_status IN ('draft', 'submitted', 'returned', 'approved')", name=op.f('ck_plan_report_status')),
    sa.CheckConstraint("status IN ('draft', 'submitted', 'returned', 'approved')", name=op.f('ck_plan_status')),
    sa.ForeignKeyConstraint(['municipality_id'], ['municipality.id'], name=op.f('fk_plan_municipality_id_municipality')),
    sa.ForeignKeyConstraint(['org_unit_id'], ['org_unit.id'], name=op.f('fk_plan_org_unit_id_org_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan')),
    sa.UniqueConstraint('org_unit_id', 'year', name=op.f('uq_plan_org_unit_id_year'))
    )
    with op.batch_alter_table('plan', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plan_municipality_id_year_org_unit_id'), ['municipality_id', 'year', 'org_unit_id'], unique=False)

    op.create_table('item',
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('municipality_id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=30), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('description', sa.String(length=5000), nullable=True),
    sa.Column('planned_start', sa.Date(), nullable=True),
    sa.Column('planned_end', sa.Date(), nullable=True),
    sa.Column('budget', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('funding_source', sa.String(length=10), nullable=True),
    sa.Column('budget_code', sa.String(length=50), nullable=True),
    sa.Column('planned_absorption', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('weight', sa.Numeric(precision=8, scale=2), nullable=False),
    sa.Column('kpi_name', sa.String(length=200), nullable=True),
    sa.Column('kpi_unit', sa.String(length=50), nullable=True),
    sa.Column('kpi_baseline', sa.Numeric(precision=18, scale=4), nullable=True),
    sa.Column('kpi_target', sa.Numeric(precision=18, scale=4), nullable=True),
    sa.Column('kpi_direction', sa.String(length=10), nullable=True),
    sa.Column('notes', sa.String(length=5000), nullable=True),
    sa.Column('unplanned', sa.Boolean(), nullable=False),
    sa.Column('carried_over_from_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("funding_source IS NULL OR funding_source IN ('own', 'nsrf', 'pde', 'rrf', 'state', 'other')", name=op.f('ck_item_funding_source')),
    sa.CheckConstraint("kind IN ('action', 'project', 'procurement', 'service')", name=op.f('ck_item_kind')),
    sa.CheckConstraint('budget IS NULL OR budget >= 0', name=op.f('ck_item_budget_nonnegative')),
    sa.CheckConstraint('planned_absorption IS NULL OR planned_absorption >= 0', name=op.f('ck_item_absorption_nonnegative')),
    sa.CheckConstraint('planned_end IS NULL OR planned_start IS NULL OR planned_end >= planned_start', name=op.f('ck_item_planned_dates')),
    sa.CheckConstraint('weight > 0', name=op.f('ck_item_weight_positive')),
    sa.ForeignKeyConstraint(['carried_over_from_id'], ['item.id'], name=op.f('fk_item_carried_over_from_id_item')),
    sa.ForeignKeyConstraint(['municipality_id'], ['municipality.id'], name=op.f('fk_item_municipality_id_municipality')),
    sa.ForeignKeyConstraint(['plan_id'], ['plan.id'], name=op.f('fk_item_plan_id_plan')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_item')),
    sa.UniqueConstraint('plan_id', 'code', name=op.f('uq_item_plan_id_code'))
    )
    with op.batch_alter_table('item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_item_municipality_id_plan_id'), ['municipality_id', 'plan_id'], unique=False)

    op.create_table('plan_baseline',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('municipality_id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('baseline_no', sa.Integer(), nullable=False),
    sa.Column('plan_version', sa.Integer(), nullable=False),
    sa.Column('approved_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('approved_by', sa.Integer(), nullable=True),
    sa.Column('items', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['approved_by'], ['user_account.id'], name=op.f('fk_plan_baseline_approved_by_user_account')),
    sa.ForeignKeyConstraint(['municipality_id'], ['municipality.id'], name=op.f('fk_plan_baseline_municipality_id_municipality')),
    sa.ForeignKeyConstraint(['plan_id'], ['plan.id'], name=op.f('fk_plan_baseline_plan_id_plan')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_baseline')),
    sa.UniqueConstraint('plan_id', 'baseline_no', name=op.f('uq_plan_baseline_plan_id_baseline_no'))
    )
    with op.batch_alter_table('plan_baseline', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plan_baseline_municipality_id_plan_id'), ['municipality_id', 'plan_id'], unique=False)

    op.create_table('item_assignee',
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('employee_id', sa.Integer(), nullable=False),
    sa.Column('municipality_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['employee_id'], ['employee.id'], name=op.f('fk_item_assignee_employee_id_employee')),
    sa.ForeignKeyConstraint(['item_id'], ['item.id'], name=op.f('fk_item_assignee_item_id_item'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['municipality_id'], ['municipality.id'], name=op.f('fk_item_assignee_municipality_id_municipality')),
    sa.PrimaryKeyConstraint('item_id', 'employee_id', name=op.f('pk_item_assignee'))
    )
    with op.batch_alter_table('item_assignee', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_item_assignee_municipality_id_employee_id'), ['municipality_id', 'employee_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('item_assignee', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_item_assignee_municipality_id_employee_id'))

    op.drop_table('item_assignee')
    with op.batch_alter_table('plan_baseline', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plan_baseline_municipality_id_plan_id'))

    op.drop_table('plan_baseline')
    with op.batch_alter_table('item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_item_municipality_id_plan_id'))

    op.drop_table('item')
    with op.batch_alter_table('plan', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plan_municipality_id_year_org_unit_id'))

    op.drop_table('plan')
    op.drop_table('cycle')
