"""urgency, channel and type ordered like the lists: a unit's desk narrowed by one walks it

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 22:50:00

"""
from collections.abc import Sequence

from alembic import op

revision: str = '0006'
down_revision: str | Sequence[str] | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ('urgency', 'channel', 'type')


def upgrade() -> None:
    for column in COLUMNS:
        op.create_index(f'ix_tickets_{column}_created', 'tickets', [column, 'created_at', 'id'],
                        unique=False, schema='intake')


def downgrade() -> None:
    for column in COLUMNS:
        op.drop_index(f'ix_tickets_{column}_created', table_name='tickets', schema='intake')
