"""tenants bound to teams: their people join without an invite code

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 14:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0015'
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('tenant_bindings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('platform', sa.String(length=32), nullable=False),
    sa.Column('tenant', sa.String(length=128), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_tenant_bindings_team_id_teams')),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_tenant_bindings_created_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tenant_bindings')),
    sa.UniqueConstraint('platform', 'tenant', name=op.f('uq_tenant_bindings_platform'))
    )
    with op.batch_alter_table('tenant_bindings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tenant_bindings_team_id'), ['team_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('tenant_bindings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tenant_bindings_team_id'))
    op.drop_table('tenant_bindings')
