"""staff workflow: units on tickets, reports, requests

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 19:15:36.190885

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision: str = '0002'
down_revision: str | Sequence[str] | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('reports',
    sa.Column('id', sa.BigInteger(), autoincrement=True, nullable=False),
    sa.Column('ticket_id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('unit_code', sa.String(length=40), nullable=True),
    sa.Column('actor', sa.String(length=100), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('media_ids', postgresql.ARRAY(sa.Uuid()), server_default='{}', nullable=False),
    sa.Column('state', sa.String(length=20), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['ticket_id'], ['intake.tickets.id'], name=op.f('fk_reports_ticket_id_tickets')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reports')),
    schema='intake'
    )
    op.create_index(op.f('ix_reports_ticket_id'), 'reports', ['ticket_id'], unique=False, schema='intake')
    op.create_table('requests',
    sa.Column('id', sa.BigInteger(), autoincrement=True, nullable=False),
    sa.Column('ticket_id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('unit_code', sa.String(length=40), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('media_ids', postgresql.ARRAY(sa.Uuid()), server_default='{}', nullable=False),
    sa.Column('requested_deadline', sa.DateTime(timezone=True), nullable=True),
    sa.Column('state', sa.String(length=20), server_default='pending', nullable=False),
    sa.Column('decided_by', sa.String(length=100), nullable=True),
    sa.Column('decision', sa.Text(), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['ticket_id'], ['intake.tickets.id'], name=op.f('fk_requests_ticket_id_tickets')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_requests')),
    schema='intake'
    )
    op.create_index(op.f('ix_requests_ticket_id'), 'requests', ['ticket_id'], unique=False, schema='intake')
    op.add_column('tickets', sa.Column('lead_unit', sa.String(length=40), nullable=True), schema='intake')
    op.add_column('tickets', sa.Column('unit_roles', postgresql.JSONB(astext_type=sa.Text()), server_default='{}', nullable=False), schema='intake')
    op.add_column('tickets', sa.Column('units', postgresql.ARRAY(sa.String(length=40)), server_default='{}', nullable=False), schema='intake')
    op.add_column('tickets', sa.Column('assigned_at', sa.DateTime(timezone=True), nullable=True), schema='intake')
    op.add_column('tickets', sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True), schema='intake')
    op.add_column('tickets', sa.Column('reopen_count', sa.Integer(), server_default='0', nullable=False), schema='intake')
    op.add_column('tickets', sa.Column('overdue', sa.Boolean(), server_default='false', nullable=False), schema='intake')
    op.add_column('tickets', sa.Column('supervised', sa.Boolean(), server_default='false', nullable=False), schema='intake')
    op.add_column('tickets', sa.Column('returned_count', sa.Integer(), server_default='0', nullable=False), schema='intake')
    op.add_column('tickets', sa.Column('master_number', sa.String(length=32), nullable=True), schema='intake')
    op.add_column('tickets', sa.Column('duplicates', postgresql.JSONB(astext_type=sa.Text()), nullable=True), schema='intake')
    op.add_column('tickets', sa.Column('reject_reason', postgresql.JSONB(astext_type=sa.Text()), nullable=True), schema='intake')
    op.create_index(op.f('ix_tickets_lead_unit'), 'tickets', ['lead_unit'], unique=False, schema='intake')
    op.create_index('ix_tickets_resolved', 'tickets', ['resolved_at'], unique=False, schema='intake', postgresql_where="status = 'resolved'")
    op.create_index('ix_tickets_units', 'tickets', ['units'], unique=False, schema='intake', postgresql_using='gin')


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index('ix_tickets_units', table_name='tickets', schema='intake', postgresql_using='gin')
    op.drop_index('ix_tickets_resolved', table_name='tickets', schema='intake', postgresql_where="status = 'resolved'")
    op.drop_index(op.f('ix_tickets_lead_unit'), table_name='tickets', schema='intake')
    op.drop_column('tickets', 'reject_reason', schema='intake')
    op.drop_column('tickets', 'duplicates', schema='intake')
    op.drop_column('tickets', 'master_number', schema='intake')
    op.drop_column('tickets', 'returned_count', schema='intake')
    op.drop_column('tickets', 'supervised', schema='intake')
    op.drop_column('tickets', 'overdue', schema='intake')
    op.drop_column('tickets', 'reopen_count', schema='intake')
    op.drop_column('tickets', 'resolved_at', schema='intake')
    op.drop_column('tickets', 'assigned_at', schema='intake')
    op.drop_column('tickets', 'units', schema='intake')
    op.drop_column('tickets', 'unit_roles', schema='intake')
    op.drop_column('tickets', 'lead_unit', schema='intake')
    op.drop_index(op.f('ix_requests_ticket_id'), table_name='requests', schema='intake')
    op.drop_table('requests', schema='intake')
    op.drop_index(op.f('ix_reports_ticket_id'), table_name='reports', schema='intake')
    op.drop_table('reports', schema='intake')
