"""classifier versions keep the judged model beside the served one

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 03:20:00

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0004'
down_revision: str | Sequence[str] | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.add_column('classifier_models', sa.Column('judge', sa.LargeBinary(), nullable=True),
                  schema='routing')


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_column('classifier_models', 'judge', schema='routing')
