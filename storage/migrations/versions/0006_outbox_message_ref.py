"""the platform's handle of each sent outbox message

Rows sent before have none (NULL): their messages simply can't be updated later.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 16:40:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('message_ref', sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_column('message_ref')
