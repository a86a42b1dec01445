"""invites that link a second platform's identity to an existing member

`/link` gives a short-lived, single-use code held as an invite with `link_user_id` set: sent
from another platform it adds that identity to the member instead of creating a new one.
Existing invites keep NULL there and go on creating members.

Revision ID: 0017
Revises: 0015
Create Date: 2026-12-03 14:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0017'
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('invites', schema=None) as batch_op:
        batch_op.add_column(sa.Column('link_user_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_invites_link_user_id_users'), 'users', ['link_user_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('invites', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_invites_link_user_id_users'), type_='foreignkey')
        batch_op.drop_column('link_user_id')
