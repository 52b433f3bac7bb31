"""metrics: plan_figures, the day-independent sums of each plan's items, filled from them

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 14:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The sums of app.metrics.sums._stored over the items of every plan, as that revision of the
# code computes them (written out here so that the migration does not change with the code).
_FILL = """
INSERT INTO plan_figures (
    municipality_id, year, plan_id, unplanned, status, planned_start, planned_end,
    n, w, wprog, abs_actual, abs_planned, on_time, dated_done, delay_sum, delay_n,
    kpi_sum, kpi_n
)
SELECT p.municipality_id, p.year, i.plan_id, i.unplanned, o.status, i.planned_start,
    i.planned_end,
    count(*),
    sum(i.weight),
    sum(i.weight * coalesce(o.progress_pct, 0)),
    sum(coalesce(o.actual_absorption, 0)),
    sum(coalesce(i.planned_absorption, 0)),
    count(*) FILTER (WHERE o.actual_end <= i.planned_end),
    count(*) FILTER (WHERE o.actual_end IS NOT NULL AND i.planned_end IS NOT NULL),
    sum({delay}) FILTER (WHERE o.actual_end > i.planned_end),
    count(*) FILTER (WHERE o.actual_end > i.planned_end),
    sum((o.kpi_actual - i.kpi_baseline) * 100 / nullif(i.kpi_target - i.kpi_baseline, 0)),
    count(*) FILTER (
        WHERE o.kpi_actual IS NOT NULL AND i.kpi_baseline IS NOT NULL
        AND i.kpi_target != i.kpi_baseline
    )
FROM item i
JOIN plan p ON p.id = i.plan_id
LEFT OUTER JOIN outcome o ON o.item_id = i.id
GROUP BY p.municipality_id, p.year, i.plan_id, i.unplanned, o.status, i.planned_start,
    i.planned_end
"""
_DELAY = {
    'postgresql': 'CAST(CAST(o.actual_end AS DATE) - CAST(i.planned_end AS DATE) AS NUMERIC)',
    'sqlite': '(julianday(o.actual_end) - julianday(i.planned_end))',
}


def upgrade() -> None:
    op.create_table('plan_figures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('municipality_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('unplanned', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=True),
    sa.Column('planned_start', sa.Date(), nullable=True),
    sa.Column('planned_end', sa.Date(), nullable=True),
    sa.Column('n', sa.Integer(), nullable=False),
    sa.Column('w', sa.Numeric(), nullable=True),
    sa.Column('wprog', sa.Numeric(), nullable=True),
    sa.Column('abs_actual', sa.Numeric(), nullable=True),
    sa.Column('abs_planned', sa.Numeric(), nullable=True),
    sa.Column('on_time', sa.Integer(), nullable=False),
    sa.Column('dated_done', sa.Integer(), nullable=False),
    sa.Column('delay_sum', sa.Numeric(), nullable=True),
    sa.Column('delay_n', sa.Integer(), nullable=False),
    sa.Column('kpi_sum', sa.Numeric(), nullable=True),
    sa.Column('kpi_n', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['municipality_id'], ['municipality.id'], name=op.f('fk_plan_figures_municipality_id_municipality')),
    sa.ForeignKeyConstraint(['plan_id'], ['plan.id'], name=op.f('fk_plan_figures_plan_id_plan')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_figures'))
    )
    with op.batch_alter_table('plan_figures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plan_figures_plan_id'), ['plan_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_plan_figures_year_municipality_id'), ['year', 'municipality_id'], unique=False)

    dialect = op.get_bind().dialect.name
    op.execute(_FILL.format(delay=_DELAY.get(dialect, _DELAY['postgresql'])))


def downgrade() -> None:
    with op.batch_alter_table('plan_figures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plan_figures_year_municipality_id'))
        batch_op.drop_index(batch_op.f('ix_plan_figures_plan_id'))

    op.drop_table('plan_figures')
