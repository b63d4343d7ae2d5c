"""tickets.category_name

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 23:30:00

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = '0003'
down_revision: str | Sequence[str] | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.add_column('tickets', sa.Column('category_name', sa.String(length=100), nullable=True), schema='notify')


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_column('tickets', 'category_name', schema='notify')
