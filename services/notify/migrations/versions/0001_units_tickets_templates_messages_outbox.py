"""units, tickets, templates, messages, outbox

Revision ID: 0001
Revises:
Create Date: 2026-11-23 19:23:25.838463

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
    op.create_table('messages',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('event_id', sa.Uuid(), nullable=False),
    sa.Column('event_type', sa.String(length=60), nullable=False),
    sa.Column('template', sa.String(length=60), nullable=False),
    sa.Column('ticket_id', sa.Uuid(), nullable=True),
    sa.Column('ticket_number', sa.String(length=32), nullable=True),
    sa.Column('region_code', sa.String(length=6), nullable=True),
    sa.Column('audience', sa.String(length=20), nullable=False),
    sa.Column('recipient', sa.String(length=64), nullable=False),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('fallback_phone', sa.String(length=20), nullable=True),
    sa.Column('fallback_of', sa.Uuid(), nullable=True),
    sa.Column('priority', sa.String(length=10), nullable=False),
    sa.Column('provider_template', sa.String(length=64), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('params', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('page', sa.String(length=200), nullable=True),
    sa.Column('context', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('status', sa.String(length=10), server_default='queued', nullable=False),
    sa.Column('attempts', sa.Integer(), server_default='0', nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('provider', sa.String(length=20), nullable=True),
    sa.Column('provider_message_id', sa.String(length=64), nullable=True),
    sa.Column('error_code', sa.String(length=64), nullable=True),
    sa.Column('error_text', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("priority IN ('code', 'urgent', 'normal')", name=op.f('ck_messages_priority')),
    sa.CheckConstraint("status IN ('queued', 'sending', 'sent', 'delivered', 'failed', 'deferred', 'fallback')", name=op.f('ck_messages_status')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_messages')),
    sa.UniqueConstraint('event_id', 'recipient', 'channel', name=op.f('uq_messages_event_id_recipient_channel')),
    schema='notify'
    )
    op.create_index('ix_messages_due', 'messages', ['next_attempt_at'], unique=False, schema='notify', postgresql_where="status IN ('queued', 'deferred', 'sending')")
    op.create_index('ix_messages_provider_id', 'messages', ['provider', 'provider_message_id'], unique=False, schema='notify')
    op.create_index('ix_messages_recipient_claimed', 'messages', ['recipient', 'claimed_at'], unique=False, schema='notify')
    op.create_index(op.f('ix_messages_ticket_number'), 'messages', ['ticket_number'], unique=False, schema='notify')
    op.create_table('outbox',
    sa.Column('id', sa.BigInteger(), autoincrement=True, nullable=False),
    sa.Column('event_id', sa.Uuid(), nullable=False),
    sa.Column('routing_key', sa.String(length=200), nullable=False),
    sa.Column('envelope', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox')),
    sa.UniqueConstraint('event_id', name=op.f('uq_outbox_event_id')),
    schema='notify'
    )
    op.create_index('ix_outbox_unpublished', 'outbox', ['id'], unique=False, schema='notify', postgresql_where='published_at IS NULL')
    op.create_table('processed_events',
    sa.Column('consumer', sa.String(length=100), nullable=False),
    sa.Column('event_id', sa.Uuid(), nullable=False),
    sa.Column('processed_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('consumer', 'event_id', name=op.f('pk_processed_events')),
    schema='notify'
    )
    op.create_table('templates',
    sa.Column('kind', sa.String(length=60), nullable=False),
    sa.Column('audience', sa.String(length=20), nullable=False),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('body', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('updated_by', sa.String(length=100), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('kind', 'audience', 'channel', name=op.f('pk_templates')),
    schema='notify'
    )
    op.create_table('ticket_units',
    sa.Column('number', sa.String(length=32), nullable=False),
    sa.Column('unit_code', sa.String(length=40), nullable=False),
    sa.Column('unit_name', sa.String(length=100), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('active', sa.Boolean(), server_default='true', nullable=False),
    sa.Column('assigned_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('number', 'unit_code', name=op.f('pk_ticket_units')),
    schema='notify'
    )
    op.create_table('tickets',
    sa.Column('number', sa.String(length=32), nullable=False),
    sa.Column('ticket_id', sa.Uuid(), nullable=True),
    sa.Column('contact_phone', sa.String(length=20), nullable=False),
    sa.Column('citizen_openid', sa.String(length=64), nullable=True),
    sa.Column('anonymous', sa.Boolean(), server_default='false', nullable=False),
    sa.Column('urgency', sa.String(length=10), server_default='normal', nullable=False),
    sa.Column('category', sa.String(length=64), nullable=True),
    sa.Column('title', sa.String(length=100), server_default='', nullable=False),
    sa.Column('region_code', sa.String(length=6), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('number', name=op.f('pk_tickets')),
    schema='notify'
    )
    op.create_table('units',
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('parent', sa.String(length=40), nullable=True),
    sa.Column('region_code', sa.String(length=6), nullable=False),
    sa.Column('handler_phones', postgresql.ARRAY(sa.String(length=20)), server_default='{}', nullable=False),
    sa.Column('handler_openids', postgresql.ARRAY(sa.String(length=64)), server_default='{}', nullable=False),
    sa.Column('leader_phones', postgresql.ARRAY(sa.String(length=20)), server_default='{}', nullable=False),
    sa.Column('active', sa.Boolean(), server_default='true', nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_units')),
    schema='notify'
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table('units', schema='notify')
    op.drop_table('tickets', schema='notify')
    op.drop_table('ticket_units', schema='notify')
    op.drop_table('templates', schema='notify')
    op.drop_table('processed_events', schema='notify')
    op.drop_index('ix_outbox_unpublished', table_name='outbox', schema='notify', postgresql_where='published_at IS NULL')
    op.drop_table('outbox', schema='notify')
    op.drop_index(op.f('ix_messages_ticket_number'), table_name='messages', schema='notify')
    op.drop_index('ix_messages_recipient_claimed', table_name='messages', schema='notify')
    op.drop_index('ix_messages_provider_id', table_name='messages', schema='notify')
    op.drop_index('ix_messages_due', table_name='messages', schema='notify', postgresql_where="status IN ('queued', 'deferred', 'sending')")
    op.drop_table('messages', schema='notify')
