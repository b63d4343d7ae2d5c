"""open311: a request's media_url and the citizen's email on the ticket

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 00:30:00

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0008'
down_revision: str | Sequence[str] | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('tickets', sa.Column('media_url', sa.String(length=1000), nullable=True), schema='intake')
    op.add_column('tickets', sa.Column('contact_email', sa.String(length=254), nullable=True), schema='intake')


def downgrade() -> None:
    op.drop_column('tickets', 'contact_email', schema='intake')
    op.drop_column('tickets', 'media_url', schema='intake')
