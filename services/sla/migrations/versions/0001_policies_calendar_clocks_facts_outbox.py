"""sla: policies, calendar overrides, clocks, the facts of the rates, outbox

Revision ID: 0001
Revises:
Create Date: 2026-11-23 19:23:06.953149

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision: str = '0001'
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('calendar_overrides',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('is_workday', sa.Boolean(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('day', name=op.f('pk_calendar_overrides')),
    schema='sla'
    )
    op.create_index(op.f('ix_calendar_overrides_year'), 'calendar_overrides', ['year'], unique=False, schema='sla')
    op.create_table('calendar_years',
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('loaded_by', sa.String(length=100), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('loaded_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('year', name=op.f('pk_calendar_years')),
    schema='sla'
    )
    op.create_table('clocks',
    sa.Column('id', sa.BigInteger(), autoincrement=True, nullable=False),
    sa.Column('ticket_id', sa.Uuid(), nullable=False),
    sa.Column('number', sa.String(length=32), nullable=False),
    sa.Column('unit_code', sa.String(length=40), nullable=False),
    sa.Column('unit_name', sa.String(length=100), nullable=True),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('cycle', sa.Integer(), nullable=False),
    sa.Column('sla_class', sa.String(length=20), nullable=False),
    sa.Column('statutory_days', sa.Integer(), nullable=True),
    sa.Column('basis', sa.String(length=20), nullable=False),
    sa.Column('allowed_seconds', sa.Float(), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('deadline', sa.DateTime(timezone=True), nullable=False),
    sa.Column('paused_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('paused_seconds', sa.Float(), server_default='0', nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('warn_ratio', sa.Float(), nullable=True),
    sa.Column('warn_before_seconds', sa.Float(), nullable=True),
    sa.Column('warned_ratio_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('warned_before_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('overdue_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('next_check_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('stopped_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('ended_by', sa.String(length=30), nullable=True),
    sa.Column('extended_count', sa.Integer(), server_default='0', nullable=False),
    sa.Column('region_code', sa.String(length=6), nullable=True),
    sa.Column('category', sa.String(length=64), nullable=True),
    sa.Column('correlation_id', sa.String(length=100), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_clocks')),
    sa.UniqueConstraint('ticket_id', 'unit_code', 'kind', 'cycle', name=op.f('uq_clocks_ticket_id_unit_code_kind_cycle')),
    schema='sla'
    )
    op.create_index('ix_clocks_due', 'clocks', ['next_check_at'], unique=False, schema='sla', postgresql_where='next_check_at IS NOT NULL')
    op.create_index(op.f('ix_clocks_number'), 'clocks', ['number'], unique=False, schema='sla')
    op.create_index('ix_clocks_region_started', 'clocks', ['region_code', 'started_at'], unique=False, schema='sla')
    op.create_index(op.f('ix_clocks_ticket_id'), 'clocks', ['ticket_id'], unique=False, schema='sla')
    op.create_index('ix_clocks_unit_started', 'clocks', ['unit_code', 'started_at'], unique=False, schema='sla')
    op.create_table('evaluations',
    sa.Column('event_id', sa.Uuid(), nullable=False),
    sa.Column('ticket_id', sa.Uuid(), nullable=False),
    sa.Column('number', sa.String(length=32), nullable=False),
    sa.Column('region_code', sa.String(length=6), nullable=True),
    sa.Column('units', postgresql.ARRAY(sa.String(length=40)), server_default='{}', nullable=False),
    sa.Column('resolved', sa.Boolean(), nullable=False),
    sa.Column('satisfaction', sa.String(length=30), nullable=False),
    sa.Column('auto', sa.Boolean(), server_default='false', nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('event_id', name=op.f('pk_evaluations')),
    schema='sla'
    )
    op.create_index(op.f('ix_evaluations_at'), 'evaluations', ['at'], unique=False, schema='sla')
    op.create_index(op.f('ix_evaluations_ticket_id'), 'evaluations', ['ticket_id'], unique=False, schema='sla')
    op.create_table('options',
    sa.Column('key', sa.String(length=60), nullable=False),
    sa.Column('value', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('updated_by', sa.String(length=100), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_options')),
    schema='sla'
    )
    op.create_table('outbox',
    sa.Column('id', sa.BigInteger(), autoincrement=True, nullable=False),
    sa.Column('event_id', sa.Uuid(), nullable=False),
    sa.Column('routing_key', sa.String(length=200), nullable=False),
    sa.Column('envelope', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox')),
    sa.UniqueConstraint('event_id', name=op.f('uq_outbox_event_id')),
    schema='sla'
    )
    op.create_index('ix_outbox_unpublished', 'outbox', ['id'], unique=False, schema='sla', postgresql_where='published_at IS NULL')
    op.create_table('policies',
    sa.Column('clock', sa.String(length=20), nullable=False),
    sa.Column('sla_class', sa.String(length=20), nullable=False),
    sa.Column('amount', sa.Float(), nullable=False),
    sa.Column('basis', sa.String(length=20), nullable=False),
    sa.Column('warn_ratio', sa.Float(), nullable=True),
    sa.Column('warn_before_hours', sa.Float(), nullable=True),
    sa.Column('updated_by', sa.String(length=100), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('clock', 'sla_class', name=op.f('pk_policies')),
    schema='sla'
    )
    op.create_table('processed_events',
    sa.Column('consumer', sa.String(length=100), nullable=False),
    sa.Column('event_id', sa.Uuid(), nullable=False),
    sa.Column('processed_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('consumer', 'event_id', name=op.f('pk_processed_events')),
    schema='sla'
    )
    op.create_table('tickets',
    sa.Column('ticket_id', sa.Uuid(), nullable=False),
    sa.Column('number', sa.String(length=32), nullable=False),
    sa.Column('category', sa.String(length=64), nullable=True),
    sa.Column('ticket_type', sa.String(length=20), nullable=True),
    sa.Column('urgency', sa.String(length=10), nullable=True),
    sa.Column('region_code', sa.String(length=6), nullable=True),
    sa.Column('town_code', sa.String(length=12), nullable=True),
    sa.Column('address', sa.String(length=200), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('ticket_id', name=op.f('pk_tickets')),
    schema='sla'
    )
    op.create_index(op.f('ix_tickets_created_at'), 'tickets', ['created_at'], unique=False, schema='sla')
    op.create_index(op.f('ix_tickets_number'), 'tickets', ['number'], unique=False, schema='sla')
    op.create_table('unit_events',
    sa.Column('event_id', sa.Uuid(), nullable=False),
    sa.Column('unit_code', sa.String(length=40), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('ticket_id', sa.Uuid(), nullable=False),
    sa.Column('number', sa.String(length=32), nullable=False),
    sa.Column('region_code', sa.String(length=6), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('event_id', 'unit_code', name=op.f('pk_unit_events')),
    schema='sla'
    )
    op.create_index('ix_unit_events_at', 'unit_events', ['at'], unique=False, schema='sla')
    op.create_index('ix_unit_events_ticket', 'unit_events', ['ticket_id', 'unit_code', 'kind'], unique=False, schema='sla')

    seed_policies()


POLICIES = [  # DESIGN.md "Time limits": response in clock hours, completion in working days
    ("response", "urgent", 1, "hours"), ("response", "normal", 24, "hours"),
    ("completion", "urgent", 3, "working_days"), ("completion", "normal", 5, "working_days"),
    ("completion", "complex", 15, "working_days"), ("completion", "consult", 2, "working_days"),
]


def seed_policies() -> None:
    """The default time limits and satisfaction weights."""
    policies = sa.table("policies", sa.column("clock"), sa.column("sla_class"), sa.column("amount"),
                        sa.column("basis"), sa.column("warn_ratio"), sa.column("warn_before_hours"),
                        sa.column("updated_by"), schema="sla")
    op.bulk_insert(policies, [
        {"clock": clock, "sla_class": sla_class, "amount": amount, "basis": basis,
         "warn_ratio": 0.75, "warn_before_hours": 2.0, "updated_by": "migration"}
        for clock, sla_class, amount, basis in POLICIES])
    options = sa.table("options", sa.column("key"), sa.column("value", postgresql.JSONB),
                       sa.column("updated_by"), schema="sla")
    op.bulk_insert(options, [{"key": "satisfaction_weights", "updated_by": "migration",
                              "value": {"satisfied": 1.0, "basically_satisfied": 1.0,
                                        "unsatisfied": 0.0}}])


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index('ix_unit_events_ticket', table_name='unit_events', schema='sla')
    op.drop_index('ix_unit_events_at', table_name='unit_events', schema='sla')
    op.drop_table('unit_events', schema='sla')
    op.drop_index(op.f('ix_tickets_number'), table_name='tickets', schema='sla')
    op.drop_index(op.f('ix_tickets_created_at'), table_name='tickets', schema='sla')
    op.drop_table('tickets', schema='sla')
    op.drop_table('processed_events', schema='sla')
    op.drop_table('policies', schema='sla')
    op.drop_index('ix_outbox_unpublished', table_name='outbox', schema='sla', postgresql_where='published_at IS NULL')
    op.drop_table('outbox', schema='sla')
    op.drop_table('options', schema='sla')
    op.drop_index(op.f('ix_evaluations_ticket_id'), table_name='evaluations', schema='sla')
    op.drop_index(op.f('ix_evaluations_at'), table_name='evaluations', schema='sla')
    op.drop_table('evaluations', schema='sla')
    op.drop_index('ix_clocks_unit_started', table_name='clocks', schema='sla')
    op.drop_index(op.f('ix_clocks_ticket_id'), table_name='clocks', schema='sla')
    op.drop_index('ix_clocks_region_started', table_name='clocks', schema='sla')
    op.drop_index(op.f('ix_clocks_number'), table_name='clocks', schema='sla')
    op.drop_index('ix_clocks_due', table_name='clocks', schema='sla', postgresql_where='next_check_at IS NOT NULL')
    op.drop_table('clocks', schema='sla')
    op.drop_table('calendar_years', schema='sla')
    op.drop_index(op.f('ix_calendar_overrides_year'), table_name='calendar_overrides', schema='sla')
    op.drop_table('calendar_overrides', schema='sla')
