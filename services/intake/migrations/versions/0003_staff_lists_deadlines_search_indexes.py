"""staff lists: deadlines from sla, manual queue, rework, search indexes

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30 22:00:00

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = '0003'
down_revision: str | Sequence[str] | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DUE_ORDER = "coalesce(completion_due, '9999-12-31 00:00:00+00'::timestamptz)"
CATEGORY_TOP = "split_part(category, '.', 1)"
# name, columns (or expressions), partial predicate
INDEXES = (
    ('ix_tickets_created', ['created_at', 'id'], None),
    ('ix_tickets_updated', ['updated_at', 'id'], None),
    ('ix_tickets_region_created', ['region_code', 'created_at', 'id'], None),
    ('ix_tickets_status_created', ['status', 'created_at', 'id'], None),
    ('ix_tickets_category_created', ['category', 'created_at', 'id'], None),
    ('ix_tickets_category_top_created', [sa.text(CATEGORY_TOP), 'created_at', 'id'], None),
    ('ix_tickets_town_created', ['town_code', 'created_at', 'id'], None),
    ('ix_tickets_contact_phone', ['contact_phone'], None),
    ('ix_tickets_submitted_by_created', ['submitted_by', 'created_at'], None),
    ('ix_tickets_due_order', [sa.text(DUE_ORDER), 'id'], None),
    ('ix_tickets_due', ['due_at'], 'due_at IS NOT NULL'),
    ('ix_tickets_dispatch', ['dispatch_unit'], 'dispatch_unit IS NOT NULL'),
    ('ix_tickets_rework', ['lead_unit'], 'rework'),
    ('ix_tickets_supervised', ['status'], 'supervised'),
    ('ix_tickets_reopened', ['status'], 'reopen_count > 0'),
    ('ix_tickets_unsatisfied', ['status'], "(evaluation ->> 'satisfaction') = 'unsatisfied'"),
)
TRIGRAM = (('ix_tickets_title_trgm', 'title'), ('ix_tickets_content_trgm', 'content'))

# Tickets already waiting in a command center's manual queue, and those sent back to their
# unit since its last completion report, as the timeline tells.
BACKFILL = (
    """
    UPDATE intake.tickets t SET dispatch_unit = q.unit_code
    FROM (SELECT DISTINCT ON (ticket_id) ticket_id, data ->> 'unit_code' AS unit_code
          FROM intake.timeline WHERE action = 'queue' ORDER BY ticket_id, id DESC) q
    WHERE q.ticket_id = t.id AND t.lead_unit IS NULL AND t.status IN ('submitted', 'accepted')
    """,
    """
    UPDATE intake.tickets t SET rework = true
    FROM (SELECT DISTINCT ON (ticket_id) ticket_id, action
          FROM intake.timeline
          WHERE action IN ('send_back', 'return_internal', 'reopen', 'submit_completion')
          ORDER BY ticket_id, id DESC) last
    WHERE last.ticket_id = t.id AND last.action <> 'submit_completion' AND t.status = 'in_progress'
    """,
)


def upgrade() -> None:
    """Upgrade schema."""
    op.execute('CREATE EXTENSION IF NOT EXISTS pg_trgm')
    op.add_column('tickets', sa.Column('response_due', sa.DateTime(timezone=True), nullable=True), schema='intake')
    op.add_column('tickets', sa.Column('completion_due', sa.DateTime(timezone=True), nullable=True), schema='intake')
    op.add_column('tickets', sa.Column('due_at', sa.DateTime(timezone=True), sa.Computed('LEAST(response_due, completion_due)', persisted=True), nullable=True), schema='intake')
    op.add_column('tickets', sa.Column('warn_at', sa.DateTime(timezone=True), nullable=True), schema='intake')
    op.add_column('tickets', sa.Column('warned', sa.Boolean(), server_default='false', nullable=False), schema='intake')
    op.add_column('tickets', sa.Column('dispatch_unit', sa.String(length=40), nullable=True), schema='intake')
    op.add_column('tickets', sa.Column('rework', sa.Boolean(), server_default='false', nullable=False), schema='intake')
    op.create_table('deadlines',
    sa.Column('ticket_id', sa.Uuid(), nullable=False),
    sa.Column('unit_code', sa.String(length=40), nullable=False),
    sa.Column('clock', sa.String(length=20), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('deadline', sa.DateTime(timezone=True), nullable=True),
    sa.Column('warn_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('warned', sa.Boolean(), server_default='false', nullable=False),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['ticket_id'], ['intake.tickets.id'], name=op.f('fk_deadlines_ticket_id_tickets')),
    sa.PrimaryKeyConstraint('ticket_id', 'unit_code', 'clock', name=op.f('pk_deadlines')),
    schema='intake'
    )
    # The composites below lead with these columns.
    op.drop_index('ix_tickets_region_code', table_name='tickets', schema='intake')
    op.drop_index('ix_tickets_status', table_name='tickets', schema='intake')
    for name, columns, where in INDEXES:
        op.create_index(name, 'tickets', columns, unique=False, schema='intake',
                        postgresql_where=sa.text(where) if where else None)
    for name, column in TRIGRAM:
        op.create_index(name, 'tickets', [column], unique=False, schema='intake',
                        postgresql_using='gin', postgresql_ops={column: 'gin_trgm_ops'})
    op.create_index('ix_requests_state_kind_at', 'requests', ['state', 'kind', 'at'], unique=False, schema='intake')
    for statement in BACKFILL:
        op.execute(statement)


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index('ix_requests_state_kind_at', table_name='requests', schema='intake')
    for name, _ in TRIGRAM:
        op.drop_index(name, table_name='tickets', schema='intake')
    for name, _, _ in INDEXES:
        op.drop_index(name, table_name='tickets', schema='intake')
    op.create_index('ix_tickets_status', 'tickets', ['status'], unique=False, schema='intake')
    op.create_index('ix_tickets_region_code', 'tickets', ['region_code'], unique=False, schema='intake')
    op.drop_table('deadlines', schema='intake')
    for column in ('rework', 'dispatch_unit', 'warned', 'warn_at', 'due_at', 'completion_due', 'response_due'):
        op.drop_column('tickets', column, schema='intake')
