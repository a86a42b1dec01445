"""weekly self-checks

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 18:37:37.819368
"""
import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('self_checks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('week', sa.String(length=10), nullable=False),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('plan', sa.JSON(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_self_checks_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_self_checks')),
    sa.UniqueConstraint('user_id', 'week', name=op.f('uq_self_checks_user_id'))
    )
    with op.batch_alter_table('self_checks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_self_checks_user_id'), ['user_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('self_checks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_self_checks_user_id'))

    op.drop_table('self_checks')
