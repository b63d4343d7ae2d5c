"""ticket regions: the county of each ticket, so a center sees its own area's uploads only

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01 01:00:00

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0002'
down_revision: str | Sequence[str] | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('ticket_regions',
    sa.Column('ticket_id', sa.Uuid(), nullable=False),
    sa.Column('region_code', sa.String(length=6), nullable=False),
    sa.PrimaryKeyConstraint('ticket_id', name=op.f('pk_ticket_regions')),
    schema='media'
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table('ticket_regions', schema='media')
