"""renormalise customer names: traditional characters read as simplified

The "same customer" key (`customers.normalized`) now also maps traditional characters to
simplified ones (OpenCC t2s, `assistant.method.customer_names.normalise_name`), so stored keys
are computed again. Two rows of a team whose new keys coincide (騰訊 and 腾讯 registered
apart) are not merged here: merging moves deals and contacts and is the team's decision. A
row whose new key another row of its team already holds keeps its old key, and matching
(which compares the names themselves) treats the two as one customer from now on.

Revision ID: 0007
Revises: 0004 (set to the newest revision of the schema when merged: 0006)
"""
import sqlalchemy as sa
from alembic import op

from assistant.method.customer_names import normalise_name

revision = '0007'
down_revision = "0006"
branch_labels = None
depends_on = None

_customers = sa.table("customers", sa.column("id", sa.Integer), sa.column("team_id", sa.Integer),
                      sa.column("name", sa.String), sa.column("normalized", sa.String))


def upgrade() -> None:
    connection = op.get_bind()
    rows = connection.execute(sa.select(_customers.c.id, _customers.c.team_id, _customers.c.name,
                                        _customers.c.normalized).order_by(_customers.c.id)).all()
    taken = {(row.team_id, row.normalized) for row in rows}
    for row in rows:
        key = normalise_name(row.name)
        if key == row.normalized or (row.team_id, key) in taken:
            continue
        connection.execute(sa.update(_customers).where(_customers.c.id == row.id).values(normalized=key))
        taken.discard((row.team_id, row.normalized))
        taken.add((row.team_id, key))


def downgrade() -> None:
    """Keys stay as they are: the old ones cannot be told from the names, and they only
    ever identified more rows as one customer, never fewer."""
