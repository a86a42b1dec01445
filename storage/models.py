"""SQLAlchemy tables. Only `storage/` imports these; the core sees `assistant.method.model`."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

Money = Numeric(18, 2)
Stamp = DateTime(timezone=True)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class TeamRow(Base):
    __tablename__ = "teams"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    lang: Mapped[str] = mapped_column(String(8), default="zh")
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Shanghai")
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    funnel: Mapped[dict] = mapped_column(JSON)
    share_in_groups: Mapped[bool] = mapped_column(Boolean, default=False)
    settings: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(Stamp)


class UserRow(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16), default="rep")
    lang: Mapped[str] = mapped_column(String(8), default="zh")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(Stamp)


class IdentityRow(Base):
    __tablename__ = "identities"
    __table_args__ = (UniqueConstraint("platform", "tenant", "external_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    platform: Mapped[str] = mapped_column(String(32))
    tenant: Mapped[str] = mapped_column(String(128), default="")
    external_id: Mapped[str] = mapped_column(String(128))
    chat_id: Mapped[str | None] = mapped_column(String(128))
    reachable: Mapped[bool] = mapped_column(Boolean, default=True)
    last_seen_at: Mapped[datetime | None] = mapped_column(Stamp)


class InviteRow(Base):
    __tablename__ = "invites"
    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))
    role: Mapped[str] = mapped_column(String(16))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    expires_at: Mapped[datetime] = mapped_column(Stamp)
    used_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    used_at: Mapped[datetime | None] = mapped_column(Stamp)
    link_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # a /link code: joins as this member


class CustomerRow(Base):
    __tablename__ = "customers"
    __table_args__ = (UniqueConstraint("team_id", "normalized"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"), index=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    name: Mapped[str] = mapped_column(String(200))
    normalized: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(Stamp)


class ContactRow(Base):
    __tablename__ = "contacts"
    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(100), default="")
    role: Mapped[str] = mapped_column(String(32))


class DealRow(Base):
    __tablename__ = "deals"
    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"), index=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    amount: Mapped[Decimal] = mapped_column(Money)
    currency: Mapped[str] = mapped_column(String(3))
    close_date: Mapped[date] = mapped_column(Date)
    stage_key: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(8), default="open", index=True)
    lead_source: Mapped[str | None] = mapped_column(String(32))
    need: Mapped[bool] = mapped_column(Boolean, default=False)
    money: Mapped[bool] = mapped_column(Boolean, default=False)
    authority: Mapped[bool] = mapped_column(Boolean, default=False)
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    next_step: Mapped[str | None] = mapped_column(Text)
    next_due: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(Stamp)
    last_activity_at: Mapped[datetime] = mapped_column(Stamp)
    closed_at: Mapped[datetime | None] = mapped_column(Stamp)
    lost_reason_ours: Mapped[str | None] = mapped_column(Text)
    lost_reason_customer: Mapped[str | None] = mapped_column(Text)
    lost_prevention: Mapped[str | None] = mapped_column(Text)
    assessed_at: Mapped[datetime | None] = mapped_column(Stamp)
    checked: Mapped[list | None] = mapped_column(JSON)
    lost_category: Mapped[str | None] = mapped_column(String(16))
    lost_competitor: Mapped[str | None] = mapped_column(String(200))
    priority: Mapped[str | None] = mapped_column(String(8))


class StageChangeRow(Base):
    __tablename__ = "stage_changes"
    id: Mapped[int] = mapped_column(primary_key=True)
    deal_id: Mapped[int] = mapped_column(ForeignKey("deals.id"), index=True)
    from_stage: Mapped[str | None] = mapped_column(String(64))
    to_stage: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(Stamp)
    by_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    checklist_complete: Mapped[bool] = mapped_column(Boolean)
    ticked: Mapped[list] = mapped_column(JSON, default=list)
    unticked: Mapped[list] = mapped_column(JSON, default=list)
    note: Mapped[str] = mapped_column(Text, default="")


class VisitRow(Base):
    __tablename__ = "visits"
    id: Mapped[int] = mapped_column(primary_key=True)
    deal_id: Mapped[int] = mapped_column(ForeignKey("deals.id"), index=True)
    by_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(16))
    visited_on: Mapped[date] = mapped_column(Date)
    objective: Mapped[str] = mapped_column(Text, default="")
    result: Mapped[str] = mapped_column(Text, default="")
    customer_participants: Mapped[str] = mapped_column(Text, default="")
    our_participants: Mapped[str] = mapped_column(Text, default="")
    next_steps: Mapped[list] = mapped_column(JSON, default=list)
    issues_customer: Mapped[str] = mapped_column(Text, default="")
    issues_ours: Mapped[str] = mapped_column(Text, default="")
    next_due: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(Stamp)


class TargetRow(Base):
    __tablename__ = "targets"
    __table_args__ = (UniqueConstraint("team_id", "user_id", "period"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    period: Mapped[str] = mapped_column(String(16))
    amount: Mapped[Decimal] = mapped_column(Money)
    currency: Mapped[str] = mapped_column(String(3))


class FlowStateRow(Base):
    __tablename__ = "flow_states"
    __table_args__ = (UniqueConstraint("platform", "tenant", "chat", "user_ref"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(32))
    tenant: Mapped[str] = mapped_column(String(128), default="")
    chat: Mapped[str] = mapped_column(String(128))
    user_ref: Mapped[str] = mapped_column(String(128))
    flow: Mapped[str] = mapped_column(String(64))
    step: Mapped[int] = mapped_column(Integer, default=0)
    values: Mapped[dict] = mapped_column(JSON, default=dict)
    pending: Mapped[dict] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(Stamp)


class InviteAttemptRow(Base):
    """An invite code that did not work, tried by someone not yet in a team: the attempts
    per identity are limited (`assistant.chat.teams.INVITE_ATTEMPTS`)."""

    __tablename__ = "invite_attempts"
    __table_args__ = (Index("ix_invite_attempts_identity_at", "platform", "tenant", "external_id", "at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(32))
    tenant: Mapped[str] = mapped_column(String(128), default="")
    external_id: Mapped[str] = mapped_column(String(128))
    at: Mapped[datetime] = mapped_column(Stamp)


class ProcessedEventRow(Base):
    """Every inbound event id seen lately, per bot: a redelivered update is answered once.
    Rows older than the retention period are pruned by the scheduler's scan."""

    __tablename__ = "processed_events"
    platform: Mapped[str] = mapped_column(String(32), primary_key=True)
    bot: Mapped[str] = mapped_column(String(64), primary_key=True)
    event_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    at: Mapped[datetime] = mapped_column(Stamp, index=True)


class OutboxRow(Base):
    """One proactive message (a reminder, a nudge, a digest). `key` makes it unique however
    often the scheduler fires; senders claim rows with a lease, so two bot processes never
    send the same row and a row whose sender died is taken over when the lease expires."""

    __tablename__ = "outbox"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    platform: Mapped[str] = mapped_column(String(32))
    tenant: Mapped[str] = mapped_column(String(128), default="")
    subject: Mapped[str] = mapped_column(String(64), default="")
    due_at: Mapped[datetime] = mapped_column(Stamp, index=True)
    status: Mapped[str] = mapped_column(String(12), default="pending", index=True)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None] = mapped_column(Stamp)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None] = mapped_column(Stamp)
    acted_at: Mapped[datetime | None] = mapped_column(Stamp)
    created_at: Mapped[datetime] = mapped_column(Stamp)
    message_ref: Mapped[str | None] = mapped_column(String(200))  # the platform's handle of the sent message
    parts_sent: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # of a push in several messages


class SelfCheckRow(Base):
    """A rep's weekly funnel self-check (domain §7): started when pushed, completed with a plan."""

    __tablename__ = "self_checks"
    __table_args__ = (UniqueConstraint("user_id", "week"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    week: Mapped[str] = mapped_column(String(10))
    completed_at: Mapped[datetime] = mapped_column(Stamp)
    plan: Mapped[list] = mapped_column(JSON, default=list)
    note: Mapped[str] = mapped_column(Text, default="")


class ForecastSnapshotRow(Base):
    """A rep's forecast for a period, taken when the period starts: what accuracy is judged on."""

    __tablename__ = "forecast_snapshots"
    __table_args__ = (UniqueConstraint("user_id", "period"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    period: Mapped[str] = mapped_column(String(16))
    amount: Mapped[Decimal] = mapped_column(Money)
    currency: Mapped[str] = mapped_column(String(3))
    taken_at: Mapped[datetime] = mapped_column(Stamp)


class TenantBindingRow(Base):
    """A tenant bound to a team (see `assistant.method.model.TenantBinding`): one team per tenant."""

    __tablename__ = "tenant_bindings"
    __table_args__ = (UniqueConstraint("platform", "tenant"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(32))
    tenant: Mapped[str] = mapped_column(String(128))
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"), index=True)
    role: Mapped[str] = mapped_column(String(16), default="rep")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(Stamp)


class ImportBatchRow(Base):
    """A spreadsheet import: the file waits here from its preview until it is confirmed or
    cancelled (then the file itself is dropped and only its summary stays)."""

    __tablename__ = "import_batches"
    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    file_name: Mapped[str] = mapped_column(String(255))
    data: Mapped[bytes | None] = mapped_column(LargeBinary)
    fingerprint: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(12), default="pending")
    summary: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(Stamp)
    settled_at: Mapped[datetime | None] = mapped_column(Stamp)


class DealEditRow(Base):
    """One change a person made to a deal, with the deal as it was before and after it: what
    `/undo` reverses (within minutes) and keeps as a record (`undone_at`). `deal_id` is no
    foreign key: undoing a creation removes the deal, the record of both stays."""

    __tablename__ = "deal_edits"
    __table_args__ = (Index("ix_deal_edits_user_at", "user_id", "at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    deal_id: Mapped[int] = mapped_column(Integer, index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(Stamp)
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict] = mapped_column(JSON)
    visit_id: Mapped[int | None] = mapped_column(Integer)
    stage_change_id: Mapped[int | None] = mapped_column(Integer)
    undone_at: Mapped[datetime | None] = mapped_column(Stamp)
