"""tickets, timeline, accounts, outbox

Revision ID: 0001
Revises:
Create Date: 2026-11-23 19:01:27.590450

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
    op.execute(sa.schema.CreateSequence(sa.Sequence("ticket_number_seq", schema="intake")))
    op.create_table('api_keys',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.Column('active', sa.Boolean(), server_default='true', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_keys')),
    sa.UniqueConstraint('key_hash', name=op.f('uq_api_keys_key_hash')),
    sa.UniqueConstraint('name', name=op.f('uq_api_keys_name')),
    schema='intake'
    )
    op.create_table('citizens',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=False),
    sa.Column('openid', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_citizens')),
    sa.UniqueConstraint('phone', name=op.f('uq_citizens_phone')),
    schema='intake'
    )
    op.create_table('idempotency_keys',
    sa.Column('caller', sa.String(length=100), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('request_hash', sa.String(length=64), nullable=False),
    sa.Column('status_code', sa.Integer(), nullable=True),
    sa.Column('response', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('caller', 'key', name=op.f('pk_idempotency_keys')),
    schema='intake'
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
    schema='intake'
    )
    op.create_index('ix_outbox_unpublished', 'outbox', ['id'], unique=False, schema='intake', postgresql_where='published_at IS NULL')
    op.create_table('processed_events',
    sa.Column('consumer', sa.String(length=100), nullable=False),
    sa.Column('event_id', sa.Uuid(), nullable=False),
    sa.Column('processed_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('consumer', 'event_id', name=op.f('pk_processed_events')),
    schema='intake'
    )
    op.create_table('sms_codes',
    sa.Column('id', sa.BigInteger(), autoincrement=True, nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('attempts', sa.Integer(), server_default='0', nullable=False),
    sa.Column('used', sa.Boolean(), server_default='false', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sms_codes')),
    schema='intake'
    )
    op.create_index(op.f('ix_sms_codes_phone'), 'sms_codes', ['phone'], unique=False, schema='intake')
    op.create_table('staff',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('username', sa.String(length=80), nullable=False),
    sa.Column('password_hash', sa.String(length=200), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('unit_code', sa.String(length=40), nullable=True),
    sa.Column('region_code', sa.String(length=6), nullable=True),
    sa.Column('display_name', sa.String(length=80), nullable=True),
    sa.Column('active', sa.Boolean(), server_default='true', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff')),
    sa.UniqueConstraint('username', name=op.f('uq_staff_username')),
    schema='intake'
    )
    op.create_table('tickets',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('number', sa.String(length=32), nullable=False),
    sa.Column('channel', sa.String(length=20), nullable=False),
    sa.Column('type', sa.String(length=20), nullable=False),
    sa.Column('category', sa.String(length=64), nullable=True),
    sa.Column('urgency', sa.String(length=10), nullable=False),
    sa.Column('title', sa.String(length=50), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('region_code', sa.String(length=6), nullable=False),
    sa.Column('town_code', sa.String(length=12), nullable=True),
    sa.Column('address', sa.String(length=200), nullable=True),
    sa.Column('lat', sa.Float(), nullable=True),
    sa.Column('lng', sa.Float(), nullable=True),
    sa.Column('contact_name', sa.String(length=50), nullable=False),
    sa.Column('contact_phone', sa.String(length=20), nullable=False),
    sa.Column('contact_id_number', sa.String(length=18), nullable=True),
    sa.Column('contact_address', sa.String(length=200), nullable=True),
    sa.Column('owner_phone', sa.String(length=20), nullable=False),
    sa.Column('anonymous', sa.Boolean(), nullable=False),
    sa.Column('public', sa.Boolean(), nullable=False),
    sa.Column('media_ids', postgresql.ARRAY(sa.Uuid()), server_default='{}', nullable=False),
    sa.Column('submitted_by', sa.String(length=100), nullable=False),
    sa.Column('info_request', sa.Text(), nullable=True),
    sa.Column('pending_info_since', sa.DateTime(timezone=True), nullable=True),
    sa.Column('status_before_info', sa.String(length=20), nullable=True),
    sa.Column('evaluation', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tickets')),
    sa.UniqueConstraint('number', name=op.f('uq_tickets_number')),
    schema='intake'
    )
    op.create_index(op.f('ix_tickets_owner_phone'), 'tickets', ['owner_phone'], unique=False, schema='intake')
    op.create_index('ix_tickets_pending_info', 'tickets', ['pending_info_since'], unique=False, schema='intake', postgresql_where="status = 'pending_info'")
    op.create_index(op.f('ix_tickets_region_code'), 'tickets', ['region_code'], unique=False, schema='intake')
    op.create_index(op.f('ix_tickets_status'), 'tickets', ['status'], unique=False, schema='intake')
    op.create_table('timeline',
    sa.Column('id', sa.BigInteger(), autoincrement=True, nullable=False),
    sa.Column('ticket_id', sa.Uuid(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('actor_role', sa.String(length=20), nullable=False),
    sa.Column('actor_unit', sa.String(length=40), nullable=True),
    sa.Column('actor_name', sa.String(length=100), nullable=True),
    sa.Column('text', sa.Text(), nullable=True),
    sa.Column('data', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.ForeignKeyConstraint(['ticket_id'], ['intake.tickets.id'], name=op.f('fk_timeline_ticket_id_tickets')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_timeline')),
    schema='intake'
    )
    op.create_index(op.f('ix_timeline_ticket_id'), 'timeline', ['ticket_id'], unique=False, schema='intake')


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index(op.f('ix_timeline_ticket_id'), table_name='timeline', schema='intake')
    op.drop_table('timeline', schema='intake')
    op.drop_index(op.f('ix_tickets_status'), table_name='tickets', schema='intake')
    op.drop_index(op.f('ix_tickets_region_code'), table_name='tickets', schema='intake')
    op.drop_index('ix_tickets_pending_info', table_name='tickets', schema='intake', postgresql_where="status = 'pending_info'")
    op.drop_index(op.f('ix_tickets_owner_phone'), table_name='tickets', schema='intake')
    op.drop_table('tickets', schema='intake')
    op.drop_table('staff', schema='intake')
    op.drop_index(op.f('ix_sms_codes_phone'), table_name='sms_codes', schema='intake')
    op.drop_table('sms_codes', schema='intake')
    op.drop_table('processed_events', schema='intake')
    op.drop_index('ix_outbox_unpublished', table_name='outbox', schema='intake', postgresql_where='published_at IS NULL')
    op.drop_table('outbox', schema='intake')
    op.drop_table('idempotency_keys', schema='intake')
    op.drop_table('citizens', schema='intake')
    op.drop_table('api_keys', schema='intake')
    op.execute(sa.schema.DropSequence(sa.Sequence("ticket_number_seq", schema="intake")))
