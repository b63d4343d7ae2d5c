"""案例公开 (published cases with a full-text index) and the parts of inbound SMS

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 00:10:00

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0009'
down_revision: str | Sequence[str] | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'cases',
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.Column('ticket_id', sa.Uuid(), nullable=False),
        sa.Column('title', sa.String(length=50), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('reply', sa.Text(), nullable=False),
        sa.Column('category', sa.String(length=64), nullable=True),
        sa.Column('region_code', sa.String(length=6), nullable=False),
        sa.Column('photos', postgresql.ARRAY(sa.Uuid()), server_default='{}', nullable=False),
        sa.Column('search', postgresql.TSVECTOR(), nullable=False),
        sa.Column('published_by', sa.String(length=100), nullable=False),
        sa.Column('published_at', sa.DateTime(timezone=True), server_default=sa.text('now()'),
                  nullable=False),
        sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['ticket_id'], ['intake.tickets.id'], name=op.f('fk_cases_ticket_id_tickets')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_cases')),
        schema='intake')
    op.create_index('ix_cases_search', 'cases', ['search'], postgresql_using='gin', schema='intake')
    op.create_index('ix_cases_published', 'cases', ['published_at'], schema='intake',
                    postgresql_where=sa.text('withdrawn_at IS NULL'))
    op.create_index('uq_cases_ticket_live', 'cases', ['ticket_id'], unique=True, schema='intake',
                    postgresql_where=sa.text('withdrawn_at IS NULL'))
    op.create_table(
        'sms_parts',
        sa.Column('message_id', sa.String(length=64), nullable=False),
        sa.Column('phone', sa.String(length=20), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('ticket_id', sa.Uuid(), nullable=True),
        sa.Column('received_at', sa.DateTime(timezone=True), server_default=sa.text('now()'),
                  nullable=False),
        sa.ForeignKeyConstraint(['ticket_id'], ['intake.tickets.id'],
                                name=op.f('fk_sms_parts_ticket_id_tickets')),
        sa.PrimaryKeyConstraint('message_id', name=op.f('pk_sms_parts')),
        schema='intake')
    op.create_index('ix_sms_parts_phone_received', 'sms_parts', ['phone', 'received_at'],
                    schema='intake')
    op.create_index('ix_sms_parts_waiting', 'sms_parts', ['received_at'], schema='intake',
                    postgresql_where=sa.text('ticket_id IS NULL'))


def downgrade() -> None:
    op.drop_table('sms_parts', schema='intake')
    op.drop_table('cases', schema='intake')
