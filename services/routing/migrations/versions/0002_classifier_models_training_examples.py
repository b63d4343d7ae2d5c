"""classifier models and training examples

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01 00:25:00

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
    op.create_table('training_examples',
    sa.Column('id', sa.BigInteger(), autoincrement=True, nullable=False),
    sa.Column('key', sa.String(length=80), nullable=False),
    sa.Column('ticket_id', sa.Uuid(), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('category', sa.String(length=64), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('labelled_by', sa.String(length=100), nullable=True),
    sa.Column('holdout', sa.Boolean(), nullable=False),
    sa.Column('labelled_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_training_examples')),
    sa.UniqueConstraint('key', name=op.f('uq_training_examples_key')),
    schema='routing'
    )
    op.create_table('classifier_models',
    sa.Column('version', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('trigger', sa.String(length=20), nullable=False),
    sa.Column('examples', sa.Integer(), nullable=False),
    sa.Column('holdout', sa.Integer(), nullable=False),
    sa.Column('accuracy', sa.Float(), nullable=False),
    sa.Column('top_accuracy', sa.Float(), nullable=False),
    sa.Column('baseline_accuracy', sa.Float(), nullable=False),
    sa.Column('baseline', sa.String(length=20), nullable=False),
    sa.Column('threshold', sa.Float(), nullable=False),
    sa.Column('auto_rate', sa.Float(), nullable=False),
    sa.Column('auto_precision', sa.Float(), nullable=True),
    sa.Column('model', sa.LargeBinary(), nullable=True),
    sa.Column('trained_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('version', name=op.f('pk_classifier_models')),
    schema='routing'
    )
    op.create_index('uq_classifier_models_active', 'classifier_models', ['status'], unique=True,
                    schema='routing', postgresql_where="status = 'active'")


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index('uq_classifier_models_active', table_name='classifier_models', schema='routing',
                  postgresql_where="status = 'active'")
    op.drop_table('classifier_models', schema='routing')
    op.drop_table('training_examples', schema='routing')
