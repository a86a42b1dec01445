"""tenants on identities, flow states and the outbox; processed event ids per bot

Identities, flow states and outbox rows gain `tenant` (a Slack workspace, a DingTalk corp):
every existing row gets "", which is what Telegram and the console use, so everybody keeps
their account, their open flow and their queued messages. Identities and flow states are
unique per (platform, tenant, …) from now on.

Processed event ids become keyed by (platform, bot, event_id), the event id being the
platform's own (Telegram's update_id, no longer "tg-<update_id>"). The old rows are dropped,
not carried over under a made-up bot: they named no bot and had another id format, so none of
them could ever match a new event, and they only guarded against redeliveries within the last
day or so anyway.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 16:20:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def _tenant() -> sa.Column:
    return sa.Column('tenant', sa.String(length=128), nullable=False, server_default='')


def upgrade() -> None:
    with op.batch_alter_table('identities', schema=None) as batch_op:
        batch_op.add_column(_tenant())
        batch_op.drop_constraint('uq_identities_platform', type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_identities_platform'), ['platform', 'tenant', 'external_id'])

    with op.batch_alter_table('flow_states', schema=None) as batch_op:
        batch_op.add_column(_tenant())
        batch_op.drop_constraint('uq_flow_states_platform', type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_flow_states_platform'),
                                          ['platform', 'tenant', 'chat', 'user_ref'])

    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(_tenant())

    op.drop_table('processed_events')
    op.create_table('processed_events',
    sa.Column('platform', sa.String(length=32), nullable=False),
    sa.Column('bot', sa.String(length=64), nullable=False),
    sa.Column('event_id', sa.String(length=128), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('platform', 'bot', 'event_id', name=op.f('pk_processed_events'))
    )
    with op.batch_alter_table('processed_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_processed_events_at'), ['at'], unique=False)


def downgrade() -> None:
    """Back to one namespace: identities or flow states that differ only by tenant must be
    removed by hand first (the old unique constraints would refuse them)."""
    op.drop_table('processed_events')
    op.create_table('processed_events',
    sa.Column('platform', sa.String(length=32), nullable=False),
    sa.Column('event_id', sa.String(length=128), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('platform', 'event_id', name=op.f('pk_processed_events'))
    )
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_column('tenant')

    with op.batch_alter_table('flow_states', schema=None) as batch_op:
        batch_op.drop_constraint('uq_flow_states_platform', type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_flow_states_platform'), ['platform', 'chat', 'user_ref'])
        batch_op.drop_column('tenant')

    with op.batch_alter_table('identities', schema=None) as batch_op:
        batch_op.drop_constraint('uq_identities_platform', type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_identities_platform'), ['platform', 'external_id'])
        batch_op.drop_column('tenant')
