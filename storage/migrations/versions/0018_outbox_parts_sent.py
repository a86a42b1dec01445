"""how many messages of a push have gone out

A push sent as several messages (a long digest split for the platform's size limit) records
each part as it is accepted, so an attempt after a crash or an error mid-way sends only the
parts still missing. Rows already there have sent none of a retry's parts: 0.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-03 14:35:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0018'
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('parts_sent', sa.Integer(), nullable=False, server_default='0'))


def downgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_column('parts_sent')
