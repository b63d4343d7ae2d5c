"""the calendar sla's admins load, learned from calendar.year_loaded (the 退件 window);
rate limits per phone, IP and username

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 00:40:00

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0007'
down_revision: str | Sequence[str] | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'calendar_overrides',
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('is_workday', sa.Boolean(), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('day', name=op.f('pk_calendar_overrides')),
        schema='intake')
    op.create_index(op.f('ix_calendar_overrides_year'), 'calendar_overrides', ['year'],
                    unique=False, schema='intake')
    op.create_table(
        'calendar_years',
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('loaded_at', sa.DateTime(timezone=True), server_default=sa.text('now()'),
                  nullable=False),
        sa.PrimaryKeyConstraint('year', name=op.f('pk_calendar_years')),
        schema='intake')
    op.create_table(
        'rate_limits',
        sa.Column('key', sa.String(length=80), nullable=False),
        sa.Column('window_start', sa.DateTime(timezone=True), nullable=False),
        sa.Column('hits', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('key', 'window_start', name=op.f('pk_rate_limits')),
        schema='intake')


def downgrade() -> None:
    op.drop_table('rate_limits', schema='intake')
    op.drop_table('calendar_years', schema='intake')
    op.drop_index(op.f('ix_calendar_overrides_year'), table_name='calendar_overrides',
                  schema='intake')
    op.drop_table('calendar_overrides', schema='intake')
