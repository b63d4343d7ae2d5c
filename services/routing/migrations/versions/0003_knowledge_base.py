"""knowledge base: items with jieba tsvectors, daily view and match counts

Revision ID: 0003
Revises: 0001
Create Date: 2026-12-01 00:20:00.000000

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision: str = '0003'
down_revision: str | Sequence[str] | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('knowledge',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('title', sa.String(length=100), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('category', sa.String(length=64), nullable=False),
    sa.Column('region', sa.String(length=6), nullable=True),
    sa.Column('keywords', postgresql.ARRAY(sa.String(length=64)), server_default='{}', nullable=False),
    sa.Column('search', postgresql.TSVECTOR(), nullable=False),
    sa.Column('headline', postgresql.TSVECTOR(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['category'], ['routing.categories.code'], name=op.f('fk_knowledge_category_categories')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_knowledge')),
    schema='routing'
    )
    op.create_index(op.f('ix_knowledge_category'), 'knowledge', ['category'], unique=False, schema='routing')
    op.create_index('ix_knowledge_search', 'knowledge', ['search'], unique=False, schema='routing', postgresql_using='gin')
    op.create_index('ix_knowledge_headline', 'knowledge', ['headline'], unique=False, schema='routing', postgresql_using='gin')
    op.create_table('knowledge_hits',
    sa.Column('knowledge_id', sa.Uuid(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('views', sa.Integer(), server_default='0', nullable=False),
    sa.Column('matches', sa.Integer(), server_default='0', nullable=False),
    sa.ForeignKeyConstraint(['knowledge_id'], ['routing.knowledge.id'], name=op.f('fk_knowledge_hits_knowledge_id_knowledge'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('knowledge_id', 'day', name=op.f('pk_knowledge_hits')),
    schema='routing'
    )
    op.create_index('ix_knowledge_hits_day', 'knowledge_hits', ['day'], unique=False, schema='routing')
    op.create_index('ix_tickets_created', 'tickets', ['created_at'], unique=False, schema='routing')


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index('ix_tickets_created', table_name='tickets', schema='routing')
    op.drop_index('ix_knowledge_hits_day', table_name='knowledge_hits', schema='routing')
    op.drop_table('knowledge_hits', schema='routing')
    op.drop_index('ix_knowledge_headline', table_name='knowledge', schema='routing', postgresql_using='gin')
    op.drop_index('ix_knowledge_search', table_name='knowledge', schema='routing', postgresql_using='gin')
    op.drop_index(op.f('ix_knowledge_category'), table_name='knowledge', schema='routing')
    op.drop_table('knowledge', schema='routing')
