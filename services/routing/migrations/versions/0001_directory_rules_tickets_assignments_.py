"""directory rules tickets assignments duplicates outbox

Revision ID: 0001
Revises:
Create Date: 2026-11-23 19:18:31.625286

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
    op.create_table('categories',
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.Column('parent', sa.String(length=64), nullable=True),
    sa.Column('urgency', sa.String(length=10), nullable=False),
    sa.Column('sla_class', sa.String(length=10), nullable=False),
    sa.Column('statutory_days', sa.Integer(), nullable=True),
    sa.Column('active', sa.Boolean(), server_default='true', nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_categories')),
    schema='routing'
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
    schema='routing'
    )
    op.create_index('ix_outbox_unpublished', 'outbox', ['id'], unique=False, schema='routing', postgresql_where='published_at IS NULL')
    op.create_table('processed_events',
    sa.Column('consumer', sa.String(length=100), nullable=False),
    sa.Column('event_id', sa.Uuid(), nullable=False),
    sa.Column('processed_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('consumer', 'event_id', name=op.f('pk_processed_events')),
    schema='routing'
    )
    op.create_table('tickets',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('number', sa.String(length=32), nullable=False),
    sa.Column('region_code', sa.String(length=6), nullable=False),
    sa.Column('town_code', sa.String(length=12), nullable=True),
    sa.Column('category', sa.String(length=64), nullable=True),
    sa.Column('urgency', sa.String(length=10), nullable=False),
    sa.Column('ticket_type', sa.String(length=20), nullable=False),
    sa.Column('contact_phone', sa.String(length=20), nullable=True),
    sa.Column('lat', sa.Float(), nullable=True),
    sa.Column('lng', sa.Float(), nullable=True),
    sa.Column('title', sa.String(length=100), server_default='', nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=10), server_default='open', nullable=False),
    sa.Column('master_number', sa.String(length=32), nullable=True),
    sa.Column('repeat_count', sa.Integer(), server_default='1', nullable=False),
    sa.Column('group_complaint', sa.Boolean(), server_default='false', nullable=False),
    sa.Column('consult', sa.Boolean(), server_default='false', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tickets')),
    sa.UniqueConstraint('number', name=op.f('uq_tickets_number')),
    schema='routing'
    )
    op.create_index('ix_tickets_phone_created', 'tickets', ['contact_phone', 'created_at'], unique=False, schema='routing')
    op.create_index('ix_tickets_place', 'tickets', ['lat', 'lng'], unique=False, schema='routing', postgresql_where="status = 'open'")
    op.create_table('units',
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('parent', sa.String(length=40), nullable=True),
    sa.Column('region_code', sa.String(length=6), nullable=False),
    sa.Column('handler_phones', postgresql.ARRAY(sa.String(length=64)), server_default='{}', nullable=False),
    sa.Column('handler_openids', postgresql.ARRAY(sa.String(length=64)), server_default='{}', nullable=False),
    sa.Column('leader_phones', postgresql.ARRAY(sa.String(length=64)), server_default='{}', nullable=False),
    sa.Column('active', sa.Boolean(), server_default='true', nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_units')),
    schema='routing'
    )
    op.create_index(op.f('ix_units_region_code'), 'units', ['region_code'], unique=False, schema='routing')
    op.create_table('assignments',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('ticket_id', sa.Uuid(), nullable=False),
    sa.Column('unit_code', sa.String(length=40), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('state', sa.String(length=20), server_default='active', nullable=False),
    sa.Column('reason', sa.String(length=20), nullable=False),
    sa.Column('suggestions', postgresql.JSONB(astext_type=sa.Text()), server_default='[]', nullable=False),
    sa.Column('excluded', postgresql.ARRAY(sa.String(length=64)), server_default='{}', nullable=False),
    sa.Column('assigned_by', sa.String(length=100), nullable=True),
    sa.Column('assigned_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('end_reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['ticket_id'], ['routing.tickets.id'], name=op.f('fk_assignments_ticket_id_tickets')),
    sa.ForeignKeyConstraint(['unit_code'], ['routing.units.code'], name=op.f('fk_assignments_unit_code_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assignments')),
    schema='routing'
    )
    op.create_index('ix_assignments_queue', 'assignments', ['unit_code', 'state', 'assigned_at'], unique=False, schema='routing')
    op.create_index(op.f('ix_assignments_ticket_id'), 'assignments', ['ticket_id'], unique=False, schema='routing')
    op.create_index('uq_assignments_active_unit', 'assignments', ['ticket_id', 'unit_code'], unique=True, schema='routing', postgresql_where="state = 'active'")
    op.create_table('duplicate_flags',
    sa.Column('ticket_id', sa.Uuid(), nullable=False),
    sa.Column('candidate_id', sa.Uuid(), nullable=False),
    sa.Column('reason', sa.String(length=10), nullable=False),
    sa.Column('distance_m', sa.Float(), nullable=True),
    sa.Column('similarity', sa.Float(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['candidate_id'], ['routing.tickets.id'], name=op.f('fk_duplicate_flags_candidate_id_tickets')),
    sa.ForeignKeyConstraint(['ticket_id'], ['routing.tickets.id'], name=op.f('fk_duplicate_flags_ticket_id_tickets')),
    sa.PrimaryKeyConstraint('ticket_id', 'candidate_id', name=op.f('pk_duplicate_flags')),
    schema='routing'
    )
    op.create_index(op.f('ix_duplicate_flags_candidate_id'), 'duplicate_flags', ['candidate_id'], unique=False, schema='routing')
    op.create_table('rules',
    sa.Column('id', sa.BigInteger(), autoincrement=True, nullable=False),
    sa.Column('category', sa.String(length=64), nullable=False),
    sa.Column('region_prefix', sa.String(length=6), nullable=False),
    sa.Column('town_code', sa.String(length=12), nullable=True),
    sa.Column('lead', sa.String(length=40), nullable=False),
    sa.Column('priority', sa.Integer(), server_default='0', nullable=False),
    sa.Column('active', sa.Boolean(), server_default='true', nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['category'], ['routing.categories.code'], name=op.f('fk_rules_category_categories')),
    sa.ForeignKeyConstraint(['lead'], ['routing.units.code'], name=op.f('fk_rules_lead_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rules')),
    sa.UniqueConstraint('category', 'region_prefix', 'town_code', 'lead', name=op.f('uq_rules_category_region_prefix_town_code_lead'), postgresql_nulls_not_distinct=True),
    schema='routing'
    )
    op.create_index(op.f('ix_rules_category'), 'rules', ['category'], unique=False, schema='routing')
    op.create_table('rule_co_units',
    sa.Column('rule_id', sa.BigInteger(), nullable=False),
    sa.Column('unit_code', sa.String(length=40), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.ForeignKeyConstraint(['rule_id'], ['routing.rules.id'], name=op.f('fk_rule_co_units_rule_id_rules'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_code'], ['routing.units.code'], name=op.f('fk_rule_co_units_unit_code_units')),
    sa.PrimaryKeyConstraint('rule_id', 'unit_code', name=op.f('pk_rule_co_units')),
    schema='routing'
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table('rule_co_units', schema='routing')
    op.drop_index(op.f('ix_rules_category'), table_name='rules', schema='routing')
    op.drop_table('rules', schema='routing')
    op.drop_index(op.f('ix_duplicate_flags_candidate_id'), table_name='duplicate_flags', schema='routing')
    op.drop_table('duplicate_flags', schema='routing')
    op.drop_index('uq_assignments_active_unit', table_name='assignments', schema='routing', postgresql_where="state = 'active'")
    op.drop_index(op.f('ix_assignments_ticket_id'), table_name='assignments', schema='routing')
    op.drop_index('ix_assignments_queue', table_name='assignments', schema='routing')
    op.drop_table('assignments', schema='routing')
    op.drop_index(op.f('ix_units_region_code'), table_name='units', schema='routing')
    op.drop_table('units', schema='routing')
    op.drop_index('ix_tickets_place', table_name='tickets', schema='routing', postgresql_where="status = 'open'")
    op.drop_index('ix_tickets_phone_created', table_name='tickets', schema='routing')
    op.drop_table('tickets', schema='routing')
    op.drop_table('processed_events', schema='routing')
    op.drop_index('ix_outbox_unpublished', table_name='outbox', schema='routing', postgresql_where='published_at IS NULL')
    op.drop_table('outbox', schema='routing')
    op.drop_table('categories', schema='routing')
