"""when a deal's MAN class was last assessed

A deal assessed with no need and no money is class B, not "not assessed": the assessment
itself is recorded. Deals with any MAN flag set were assessed (only the assessment sets
flags); they get their last activity as the moment. Deals with none set stay NULL: whether
they were assessed is not known.

Revision ID: 0010
Revises: 0006
Create Date: 2026-12-02 17:20:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('deals', schema=None) as batch_op:
        batch_op.add_column(sa.Column('assessed_at', sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE deals SET assessed_at = last_activity_at"
               " WHERE need = true OR money = true OR authority = true OR urgent = true")


def downgrade() -> None:
    with op.batch_alter_table('deals', schema=None) as batch_op:
        batch_op.drop_column('assessed_at')
