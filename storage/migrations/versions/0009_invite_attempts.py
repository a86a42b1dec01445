"""invite codes tried by people not yet in a team, to limit guessing

Revision ID: 0009
Revises: 0006
Create Date: 2026-12-02 17:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('invite_attempts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('platform', sa.String(length=32), nullable=False),
    sa.Column('tenant', sa.String(length=128), nullable=False),
    sa.Column('external_id', sa.String(length=128), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invite_attempts'))
    )
    with op.batch_alter_table('invite_attempts', schema=None) as batch_op:
        batch_op.create_index('ix_invite_attempts_identity_at', ['platform', 'tenant', 'external_id', 'at'],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table('invite_attempts', schema=None) as batch_op:
        batch_op.drop_index('ix_invite_attempts_identity_at')
    op.drop_table('invite_attempts')
