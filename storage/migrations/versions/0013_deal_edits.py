"""deal edits: each change to a deal with the deal before and after, for /undo

Revision ID: 0013
Revises: 0011
Create Date: 2026-12-03 14:20:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'deal_edits',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('deal_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('before', sa.JSON(), nullable=True),
        sa.Column('after', sa.JSON(), nullable=False),
        sa.Column('visit_id', sa.Integer(), nullable=True),
        sa.Column('stage_change_id', sa.Integer(), nullable=True),
        sa.Column('undone_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_deal_edits_user_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_deal_edits')),
    )
    op.create_index(op.f('ix_deal_edits_deal_id'), 'deal_edits', ['deal_id'], unique=False)
    op.create_index('ix_deal_edits_user_at', 'deal_edits', ['user_id', 'at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_deal_edits_user_at', table_name='deal_edits')
    op.drop_index(op.f('ix_deal_edits_deal_id'), table_name='deal_edits')
    op.drop_table('deal_edits')
