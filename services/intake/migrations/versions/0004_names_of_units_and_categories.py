"""intake: names of units and categories, learned from routing's events

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 22:30:00.000000

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = '0004'
down_revision: str | Sequence[str] | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('names',
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('unit_kind', sa.String(length=20), nullable=True),
    sa.Column('region_code', sa.String(length=6), nullable=True),
    sa.Column('parent', sa.String(length=64), nullable=True),
    sa.Column('active', sa.Boolean(), server_default='true', nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('kind', 'code', name=op.f('pk_names')),
    schema='intake'
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table('names', schema='intake')
