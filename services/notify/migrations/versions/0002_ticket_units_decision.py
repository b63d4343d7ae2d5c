"""ticket_units.decision

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 19:32:37.046971

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = '0002'
down_revision: str | Sequence[str] | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.add_column('ticket_units', sa.Column('decision', sa.String(length=100), server_default='', nullable=False), schema='notify')


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_column('ticket_units', 'decision', schema='notify')
