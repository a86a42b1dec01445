"""a deal's confirmed check points, lost report category and competitor, priority

`checked`: the entry check points of the deal's stage confirmed so far (ticked when created
or advanced, or later on the card). `lost_category` and `lost_competitor`: the lost report
as data; deals lost before keep their free-text reasons and are counted as "other".
`priority`: high / medium / low (001), unset until the rep sets it.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 13:40:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('deals', schema=None) as batch_op:
        batch_op.add_column(sa.Column('checked', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('lost_category', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('lost_competitor', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('priority', sa.String(length=8), nullable=True))
    op.execute("UPDATE deals SET lost_category = 'other' WHERE status = 'lost'")


def downgrade() -> None:
    with op.batch_alter_table('deals', schema=None) as batch_op:
        batch_op.drop_column('priority')
        batch_op.drop_column('lost_competitor')
        batch_op.drop_column('lost_category')
        batch_op.drop_column('checked')
