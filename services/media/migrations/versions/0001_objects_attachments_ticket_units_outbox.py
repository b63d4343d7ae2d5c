"""objects attachments ticket units outbox

Revision ID: 0001
Revises:
Create Date: 2026-11-23 19:32:04.914114

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
    op.create_table('objects',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=True),
    sa.Column('owner', sa.String(length=100), nullable=False),
    sa.Column('owner_role', sa.String(length=20), nullable=False),
    sa.Column('owner_unit', sa.String(length=40), nullable=True),
    sa.Column('object_key', sa.String(length=200), nullable=False),
    sa.Column('thumbnail_key', sa.String(length=200), nullable=True),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('attached_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('ticket_id', sa.Uuid(), nullable=True),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("kind IN ('image', 'video', 'audio')", name=op.f('ck_objects_kind')),
    sa.CheckConstraint("state IN ('pending_upload', 'stored', 'deleted')", name=op.f('ck_objects_state')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_objects')),
    sa.UniqueConstraint('object_key', name=op.f('uq_objects_object_key')),
    schema='media'
    )
    op.create_index(op.f('ix_objects_owner'), 'objects', ['owner'], unique=False, schema='media')
    op.create_index('ix_objects_unattached', 'objects', ['created_at'], unique=False, schema='media', postgresql_where="attached_at IS NULL AND state <> 'deleted'")
    op.create_table('outbox',
    sa.Column('id', sa.BigInteger(), autoincrement=True, nullable=False),
    sa.Column('event_id', sa.Uuid(), nullable=False),
    sa.Column('routing_key', sa.String(length=200), nullable=False),
    sa.Column('envelope', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox')),
    sa.UniqueConstraint('event_id', name=op.f('uq_outbox_event_id')),
    schema='media'
    )
    op.create_index('ix_outbox_unpublished', 'outbox', ['id'], unique=False, schema='media', postgresql_where='published_at IS NULL')
    op.create_table('processed_events',
    sa.Column('consumer', sa.String(length=100), nullable=False),
    sa.Column('event_id', sa.Uuid(), nullable=False),
    sa.Column('processed_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('consumer', 'event_id', name=op.f('pk_processed_events')),
    schema='media'
    )
    op.create_table('ticket_units',
    sa.Column('ticket_id', sa.Uuid(), nullable=False),
    sa.Column('unit_code', sa.String(length=40), nullable=False),
    sa.Column('assigned_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('replaces_others', sa.Boolean(), server_default='false', nullable=False),
    sa.PrimaryKeyConstraint('ticket_id', 'unit_code', 'assigned_at', name=op.f('pk_ticket_units')),
    schema='media'
    )
    op.create_table('attachments',
    sa.Column('media_id', sa.Uuid(), nullable=False),
    sa.Column('ticket_id', sa.Uuid(), nullable=False),
    sa.Column('attached_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['media_id'], ['media.objects.id'], name=op.f('fk_attachments_media_id_objects')),
    sa.PrimaryKeyConstraint('media_id', 'ticket_id', name=op.f('pk_attachments')),
    schema='media'
    )
    op.create_index(op.f('ix_attachments_ticket_id'), 'attachments', ['ticket_id'], unique=False, schema='media')


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index(op.f('ix_attachments_ticket_id'), table_name='attachments', schema='media')
    op.drop_table('attachments', schema='media')
    op.drop_table('ticket_units', schema='media')
    op.drop_table('processed_events', schema='media')
    op.drop_index('ix_outbox_unpublished', table_name='outbox', schema='media', postgresql_where='published_at IS NULL')
    op.drop_table('outbox', schema='media')
    op.drop_index('ix_objects_unattached', table_name='objects', schema='media', postgresql_where="attached_at IS NULL AND state <> 'deleted'")
    op.drop_index(op.f('ix_objects_owner'), table_name='objects', schema='media')
    op.drop_table('objects', schema='media')
