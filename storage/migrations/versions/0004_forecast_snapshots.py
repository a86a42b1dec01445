"""forecast snapshots

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 18:42:37.704367
"""
import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('forecast_snapshots',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=16), nullable=False),
    sa.Column('amount', sa.Numeric(precision=18, scale=2), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('taken_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_forecast_snapshots_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_forecast_snapshots')),
    sa.UniqueConstraint('user_id', 'period', name=op.f('uq_forecast_snapshots_user_id'))
    )
    with op.batch_alter_table('forecast_snapshots', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_forecast_snapshots_user_id'), ['user_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('forecast_snapshots', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_forecast_snapshots_user_id'))

    op.drop_table('forecast_snapshots')
