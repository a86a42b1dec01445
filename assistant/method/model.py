"""Domain objects the core works with. Repositories in `storage/` build them from rows;
nothing here knows SQLAlchemy or a chat platform."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from assistant.method.stages import Funnel


class Role(StrEnum):
    REP = "rep"
    MANAGER = "manager"
    ADMIN = "admin"


class DealStatus(StrEnum):
    OPEN = "open"
    WON = "won"
    LOST = "lost"


CONTACT_ROLES = ("user", "influencer", "decision_maker", "buyer", "coach")
LEAD_SOURCES = ("repeat", "referral", "campaign", "self_developed")
LOST_CATEGORIES = ("price", "product_fit", "relationship", "timing", "budget", "competitor", "no_decision",
                   "other")
PRIORITIES = ("high", "medium", "low")
VISIT_KINDS = ("cold", "follow_up", "penetration", "cultivation", "inbound")

JsonDict = dict[str, Any]
"""A JSON object as stored and passed on whole: team settings, a flow's values, a funnel."""

Params = dict[str, Any]
"""The parameters a text of the catalog is rendered with (numbers, dates, nested lists)."""


@dataclass(frozen=True)
class Team:
    id: int
    name: str
    lang: str
    timezone: str
    currency: str
    funnel: Funnel
    share_in_groups: bool = False
    settings: JsonDict = field(default_factory=dict)


@dataclass(frozen=True)
class User:
    id: int
    team_id: int | None
    name: str
    role: Role
    lang: str
    active: bool = True

    @property
    def is_manager(self) -> bool:
        return self.role in (Role.MANAGER, Role.ADMIN)


@dataclass(frozen=True)
class Customer:
    id: int
    team_id: int
    owner_id: int
    name: str


@dataclass(frozen=True)
class Contact:
    id: int
    customer_id: int
    name: str
    title: str
    role: str


@dataclass
class Deal:
    id: int
    team_id: int
    owner_id: int
    customer_id: int
    customer_name: str
    title: str
    amount: Decimal
    currency: str
    close_date: date
    stage_key: str
    status: str = DealStatus.OPEN
    lead_source: str | None = None
    need: bool = False
    money: bool = False
    authority: bool = False
    urgent: bool = False
    next_step: str | None = None
    next_due: date | None = None
    created_at: datetime | None = None
    last_activity_at: datetime | None = None
    closed_at: datetime | None = None
    lost_reason_ours: str | None = None
    lost_reason_customer: str | None = None
    lost_prevention: str | None = None
    assessed_at: datetime | None = None  # last MAN assessment (🎯); None: never assessed
    checked: tuple[str, ...] = ()  # the current stage's entry check points confirmed so far
    lost_category: str | None = None  # one of LOST_CATEGORIES
    lost_competitor: str | None = None  # who won it, when a competitor did
    priority: str | None = None  # one of PRIORITIES (001); None: not set


@dataclass(frozen=True)
class StageChange:
    deal_id: int
    from_stage: str | None
    to_stage: str
    kind: str  # created | advance | back_off | won | lost | reopen
    at: datetime
    by_user_id: int
    checklist_complete: bool
    ticked: tuple[str, ...] = ()
    unticked: tuple[str, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class Visit:
    deal_id: int
    kind: str
    visited_on: date
    objective: str
    result: str
    customer_participants: str = ""
    our_participants: str = ""
    next_steps: tuple[str, ...] = ()
    issues_customer: str = ""
    issues_ours: str = ""
    next_due: date | None = None
    by_user_id: int = 0
    id: int = 0


@dataclass(frozen=True)
class Invite:
    code: str
    team_id: int
    role: Role
    expires_at: datetime
    used_by: int | None = None
    used: bool = False
    link_user_id: int | None = None  # a `/link` code: the member whose identity it adds, not a new member


@dataclass(frozen=True)
class FlowState:
    """Where a chat is in a flow, kept in the database so a restart loses nothing. `saved_at`
    is when it was last saved (read back from storage; a new state has none): an open step
    expires after a quiet period."""

    flow: str
    step: int = 0
    values: JsonDict = field(default_factory=dict)
    pending: JsonDict = field(default_factory=dict)
    saved_at: datetime | None = None


@dataclass(frozen=True)
class OutboxItem:
    """A proactive message waiting, being sent, or sent. `key` is unique: the same
    reminder for the same deal on the same day is one row however often it is enqueued."""

    key: str
    kind: str
    user_id: int
    platform: str
    subject: str
    due_at: datetime
    id: int = 0
    status: str = "pending"
    attempts: int = 0
    acted_at: datetime | None = None
    sent_at: datetime | None = None
    tenant: str = ""  # of a group chat the row goes to (a group digest); people are found by their identity
    message_ref: str | None = None  # the platform's handle of the message once sent (see push.delivery.Delivered)
    last_error: str | None = None  # why the last attempt failed, or why the row was skipped
    parts_sent: int = 0  # messages of it the platform accepted so far (a push split in several)


@dataclass(frozen=True)
class TenantBinding:
    """A platform's tenant (a Feishu tenant, a Slack workspace) bound to a team: a person of that
    tenant who writes to the bot joins the team with `role`, no invite code needed."""

    platform: str
    tenant: str
    team_id: int
    role: Role


@dataclass(frozen=True)
class ImportBatch:
    """A spreadsheet sent for import: kept until it is confirmed or cancelled, with the
    fingerprint of the preview shown, so a confirm writes exactly what the user saw."""

    id: int
    team_id: int
    user_id: int
    file_name: str
    status: str  # pending | applied | cancelled
    fingerprint: str
    created_at: datetime
    data: bytes | None = None  # the file, until the batch is settled
    summary: JsonDict = field(default_factory=dict)


@dataclass(frozen=True)
class DealEdit:
    """One change a person made to a deal: the deal's fields before it (None: it created the
    deal) and after it, the visit or stage change it added, and when it was undone."""

    deal_id: int
    user_id: int
    kind: str  # created | visit | advance | back_off | won | lost | edit | next_step | qualify | snooze
    at: datetime
    before: JsonDict | None
    after: JsonDict
    visit_id: int | None = None
    stage_change_id: int | None = None
    id: int = 0
    undone_at: datetime | None = None
