"""Repositories: rows in, domain objects out. One class per aggregate the core reads."""
from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, cast, overload

from sqlalchemy import CursorResult, Result, Select, delete, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from assistant.events import ChatKey
from assistant.method.model import (
    Contact,
    Customer,
    Deal,
    DealEdit,
    FlowState,
    Invite,
    JsonDict,
    Role,
    StageChange,
    Team,
    User,
    Visit,
)
from assistant.method.stages import Funnel
from storage.models import (
    ContactRow,
    CustomerRow,
    DealEditRow,
    DealRow,
    FlowStateRow,
    IdentityRow,
    InviteAttemptRow,
    InviteRow,
    ProcessedEventRow,
    StageChangeRow,
    TargetRow,
    TeamRow,
    UserRow,
    VisitRow,
)


@overload
def aware(value: datetime) -> datetime: ...
@overload
def aware(value: None) -> None: ...
@overload
def aware(value: datetime | None) -> datetime | None: ...
def aware(value: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; every stamp we store is UTC."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


def rowcount(result: Result[Any]) -> int:
    """Rows an UPDATE matched. `Session.execute` is typed as returning a plain `Result`, but
    for an UPDATE or DELETE it is always a `CursorResult`, which has the count."""
    return cast("CursorResult[Any]", result).rowcount


class Repository:
    def __init__(self, session: Session) -> None:
        self.session = session


class Teams(Repository):
    def get(self, team_id: int) -> Team | None:
        row = self.session.get(TeamRow, team_id)
        return _team(row) if row else None

    def add(self, name: str, funnel: Funnel, at: datetime, lang: str = "zh",
            timezone_name: str = "Asia/Shanghai", currency: str = "CNY") -> Team:
        row = TeamRow(name=name, funnel=funnel.to_dict(), lang=lang, timezone=timezone_name,
                      currency=currency, share_in_groups=False, settings={}, created_at=at)
        self.session.add(row)
        self.session.flush()
        return _team(row)

    def set_funnel(self, team_id: int, funnel: Funnel) -> None:
        self.session.get_one(TeamRow, team_id).funnel = funnel.to_dict()

    def set_timezone(self, team_id: int, timezone_name: str) -> None:
        self.session.get_one(TeamRow, team_id).timezone = timezone_name

    def set_settings(self, team_id: int, settings: JsonDict) -> None:
        self.session.get_one(TeamRow, team_id).settings = dict(settings)

    def set_currency(self, team_id: int, currency: str) -> None:
        self.session.get_one(TeamRow, team_id).currency = currency

    def set_share_in_groups(self, team_id: int, share: bool) -> None:
        self.session.get_one(TeamRow, team_id).share_in_groups = share

    def all(self) -> list[Team]:
        return [_team(row) for row in self.session.scalars(select(TeamRow).order_by(TeamRow.id))]

    def by_name(self, name: str) -> Team | None:
        row = self.session.scalars(select(TeamRow).where(TeamRow.name == name)).first()
        return _team(row) if row else None


class Users(Repository):
    def get(self, user_id: int) -> User | None:
        row = self.session.get(UserRow, user_id)
        return _user(row) if row else None

    def by_identity(self, platform: str, tenant: str, external_id: str) -> User | None:
        row = self.session.scalars(
            select(UserRow).join(IdentityRow, IdentityRow.user_id == UserRow.id)
            .where(*_identity(platform, tenant, external_id))).first()
        return _user(row) if row else None

    def add(self, team_id: int | None, name: str, role: Role, lang: str, at: datetime) -> User:
        row = UserRow(team_id=team_id, name=name, role=str(role), lang=lang, active=True, created_at=at)
        self.session.add(row)
        self.session.flush()
        return _user(row)

    def link(self, user_id: int, who: ChatKey) -> None:
        """The person behind `who` is this user: their (platform, tenant, user) identity, and
        the chat to write to."""
        self.session.add(IdentityRow(user_id=user_id, platform=who.platform, tenant=who.tenant,
                                     external_id=who.user, chat_id=who.chat, reachable=True))
        self.session.flush()

    def set_reachable(self, platform: str, tenant: str, external_id: str, reachable: bool) -> bool:
        """Mark a platform identity (un)reachable; True if that changed anything."""
        result = self.session.execute(update(IdentityRow).where(
            *_identity(platform, tenant, external_id), IdentityRow.reachable.is_not(reachable))
            .values(reachable=reachable))
        return rowcount(result) == 1

    def touch(self, platform: str, tenant: str, external_id: str, at: datetime) -> None:
        """The user just wrote from this identity: reachable, and the one to write back to."""
        self.session.execute(update(IdentityRow).where(*_identity(platform, tenant, external_id))
                             .values(reachable=True, last_seen_at=at))

    def contact_points(self, team_id: int) -> dict[int, ChatKey]:
        """`contact_point` for every member of a team, in one query (the scheduler's scan)."""
        rows = self.session.scalars(select(IdentityRow).join(UserRow, UserRow.id == IdentityRow.user_id)
                                    .where(UserRow.team_id == team_id, IdentityRow.reachable.is_(True))
                                    .order_by(IdentityRow.last_seen_at.desc().nulls_last(), IdentityRow.id))
        points: dict[int, ChatKey] = {}
        for row in rows:
            points.setdefault(row.user_id, _chat_key(row))
        return points

    def contact_point(self, user_id: int) -> ChatKey | None:
        """Where to send a proactive message: the reachable identity the user last wrote from."""
        row = self.session.scalars(select(IdentityRow).where(
            IdentityRow.user_id == user_id, IdentityRow.reachable.is_(True))
            .order_by(IdentityRow.last_seen_at.desc().nulls_last(), IdentityRow.id)).first()
        return _chat_key(row) if row else None

    def is_reachable(self, platform: str, tenant: str, external_id: str) -> bool:
        row = self.session.scalars(select(IdentityRow).where(*_identity(platform, tenant, external_id))).first()
        return bool(row and row.reachable)

    def external_ids(self, user_ids: list[int], platform: str, tenant: str) -> dict[int, str]:
        """Each user's id on this platform and tenant, for those who have one (mentions)."""
        rows = self.session.execute(select(IdentityRow.user_id, IdentityRow.external_id).where(
            IdentityRow.user_id.in_(user_ids), IdentityRow.platform == platform, IdentityRow.tenant == tenant))
        return {user_id: external_id for user_id, external_id in rows}

    def set_lang(self, user_id: int, lang: str) -> None:
        self.session.get_one(UserRow, user_id).lang = lang

    def members(self, team_id: int) -> list[User]:
        rows = self.session.scalars(select(UserRow).where(UserRow.team_id == team_id).order_by(UserRow.id))
        return [_user(row) for row in rows]

    def by_name(self, name: str) -> User | None:
        row = self.session.scalars(select(UserRow).where(UserRow.name == name).order_by(UserRow.id)).first()
        return _user(row) if row else None


class Invites(Repository):
    def add(self, invite: Invite, created_by: int | None) -> None:
        self.session.add(InviteRow(code=invite.code, team_id=invite.team_id, role=str(invite.role),
                                   created_by=created_by, expires_at=invite.expires_at,
                                   link_user_id=invite.link_user_id))
        self.session.flush()

    def get(self, code: str) -> Invite | None:
        row = self.session.get(InviteRow, code)
        if row is None:
            return None
        return Invite(code=row.code, team_id=row.team_id, role=Role(row.role),
                      expires_at=aware(row.expires_at), used_by=row.used_by, used=row.used_at is not None,
                      link_user_id=row.link_user_id)

    def claim(self, code: str, at: datetime) -> bool:
        """Use an invite once: a conditional update, so two people racing for it can't both win.
        It runs before the new user is created, so the loser creates nothing."""
        result = self.session.execute(
            update(InviteRow).where(InviteRow.code == code, InviteRow.used_at.is_(None), InviteRow.expires_at > at)
            .values(used_at=at))
        return rowcount(result) == 1

    def record_user(self, code: str, user_id: int) -> None:
        self.session.execute(update(InviteRow).where(InviteRow.code == code).values(used_by=user_id))

    def record_failed_attempt(self, who: ChatKey, at: datetime) -> None:
        self.session.add(InviteAttemptRow(platform=who.platform, tenant=who.tenant, external_id=who.user, at=at))
        self.session.flush()

    def failed_attempts(self, who: ChatKey, since: datetime) -> int:
        return self.session.scalar(select(func.count()).select_from(InviteAttemptRow).where(
            InviteAttemptRow.platform == who.platform, InviteAttemptRow.tenant == who.tenant,
            InviteAttemptRow.external_id == who.user, InviteAttemptRow.at >= since)) or 0


class Customers(Repository):
    def of_team(self, team_id: int) -> list[Customer]:
        rows = self.session.scalars(select(CustomerRow).where(CustomerRow.team_id == team_id).order_by(CustomerRow.id))
        return [_customer(row) for row in rows]

    def get(self, customer_id: int) -> Customer | None:
        row = self.session.get(CustomerRow, customer_id)
        return _customer(row) if row else None

    def add(self, team_id: int, owner_id: int, name: str, normalized: str, at: datetime) -> Customer:
        row = CustomerRow(team_id=team_id, owner_id=owner_id, name=name, normalized=normalized, created_at=at)
        self.session.add(row)
        self.session.flush()
        return _customer(row)

    def add_contact(self, customer_id: int, name: str, title: str, role: str) -> Contact:
        row = ContactRow(customer_id=customer_id, name=name, title=title, role=role)
        self.session.add(row)
        self.session.flush()
        return Contact(row.id, row.customer_id, row.name, row.title, row.role)

    def contacts(self, customer_id: int) -> list[Contact]:
        rows = self.session.scalars(
            select(ContactRow).where(ContactRow.customer_id == customer_id).order_by(ContactRow.id))
        return [Contact(r.id, r.customer_id, r.name, r.title, r.role) for r in rows]


_DEAL_FIELDS = ("team_id", "owner_id", "customer_id", "title", "amount", "currency", "close_date", "stage_key",
                "status", "lead_source", "need", "money", "authority", "urgent", "next_step", "next_due",
                "created_at", "last_activity_at", "closed_at", "lost_reason_ours", "lost_reason_customer",
                "lost_prevention", "assessed_at", "checked", "lost_category", "lost_competitor", "priority")


class Deals(Repository):
    def _query(self) -> Select[DealRow, str]:
        return select(DealRow, CustomerRow.name).join(CustomerRow, CustomerRow.id == DealRow.customer_id)

    def get(self, deal_id: int) -> Deal | None:
        found = self.session.execute(self._query().where(DealRow.id == deal_id)).first()
        return _deal(*found) if found else None

    def add(self, deal: Deal) -> Deal:
        row = DealRow(**{name: _stored(deal, name) for name in _DEAL_FIELDS})
        self.session.add(row)
        self.session.flush()
        deal.id = row.id
        return deal

    def save(self, deal: Deal) -> None:
        row = self.session.get(DealRow, deal.id)
        for name in _DEAL_FIELDS:
            setattr(row, name, _stored(deal, name))

    def find(self, team_id: int, owner_id: int | None = None, status: str | None = None,
             customer_id: int | None = None) -> list[Deal]:
        query = self._query().where(DealRow.team_id == team_id)
        if owner_id is not None:
            query = query.where(DealRow.owner_id == owner_id)
        if status is not None:
            query = query.where(DealRow.status == status)
        if customer_id is not None:
            query = query.where(DealRow.customer_id == customer_id)
        return [_deal(row, name) for row, name in self.session.execute(query.order_by(DealRow.id))]

    def add_change(self, change: StageChange) -> int:
        row = StageChangeRow(deal_id=change.deal_id, from_stage=change.from_stage,
                             to_stage=change.to_stage, kind=change.kind, at=change.at,
                             by_user_id=change.by_user_id, checklist_complete=change.checklist_complete,
                             ticked=list(change.ticked), unticked=list(change.unticked), note=change.note)
        self.session.add(row)
        self.session.flush()
        return row.id

    def remove_change(self, change_id: int) -> None:
        self.session.execute(delete(StageChangeRow).where(StageChangeRow.id == change_id))

    def remove_visit(self, visit_id: int) -> None:
        self.session.execute(delete(VisitRow).where(VisitRow.id == visit_id))

    def remove(self, deal_id: int) -> None:
        """A deal undone right after it was created: its rows go with it."""
        self.session.execute(delete(StageChangeRow).where(StageChangeRow.deal_id == deal_id))
        self.session.execute(delete(VisitRow).where(VisitRow.deal_id == deal_id))
        self.session.execute(delete(DealRow).where(DealRow.id == deal_id))

    def changes(self, deal_id: int) -> list[StageChange]:
        rows = self.session.scalars(select(StageChangeRow).where(StageChangeRow.deal_id == deal_id)
                                    .order_by(StageChangeRow.at, StageChangeRow.id))
        return [StageChange(r.deal_id, r.from_stage, r.to_stage, r.kind, aware(r.at), r.by_user_id,
                            r.checklist_complete, tuple(r.ticked or ()), tuple(r.unticked or ()), r.note or "")
                for r in rows]

    def changes_of_team(self, team_id: int) -> dict[int, list[StageChange]]:
        """Every deal's stage history in one query (the digest reads them all)."""
        rows = self.session.scalars(select(StageChangeRow).join(DealRow, DealRow.id == StageChangeRow.deal_id)
                                    .where(DealRow.team_id == team_id)
                                    .order_by(StageChangeRow.deal_id, StageChangeRow.at, StageChangeRow.id))
        history: dict[int, list[StageChange]] = {}
        for r in rows:
            history.setdefault(r.deal_id, []).append(StageChange(
                r.deal_id, r.from_stage, r.to_stage, r.kind, aware(r.at), r.by_user_id, r.checklist_complete,
                tuple(r.ticked or ()), tuple(r.unticked or ()), r.note or ""))
        return history

    def add_visit(self, visit: Visit, at: datetime) -> int:
        row = VisitRow(deal_id=visit.deal_id, by_user_id=visit.by_user_id, kind=visit.kind,
                       visited_on=visit.visited_on, objective=visit.objective, result=visit.result,
                       customer_participants=visit.customer_participants,
                       our_participants=visit.our_participants, next_steps=list(visit.next_steps),
                       issues_customer=visit.issues_customer, issues_ours=visit.issues_ours,
                       next_due=visit.next_due, created_at=at)
        self.session.add(row)
        self.session.flush()
        return row.id

    def last_visits(self, team_id: int) -> dict[int, date]:
        """The latest visit date per customer of the team (after-sale revisits read it)."""
        rows = self.session.execute(
            select(DealRow.customer_id, func.max(VisitRow.visited_on)).join(VisitRow, VisitRow.deal_id == DealRow.id)
            .where(DealRow.team_id == team_id).group_by(DealRow.customer_id))
        return {customer_id: last for customer_id, last in rows}

    def visits(self, deal_id: int) -> list[Visit]:
        rows = self.session.scalars(
            select(VisitRow).where(VisitRow.deal_id == deal_id).order_by(VisitRow.visited_on, VisitRow.id))
        return [Visit(r.deal_id, r.kind, r.visited_on, r.objective, r.result, r.customer_participants,
                      r.our_participants, tuple(r.next_steps or ()), r.issues_customer, r.issues_ours,
                      r.next_due, r.by_user_id, r.id) for r in rows]


class Targets(Repository):
    def set(self, team_id: int, user_id: int | None, period: str, amount: Decimal, currency: str) -> None:
        row = self.session.scalars(select(TargetRow).where(
            TargetRow.team_id == team_id, TargetRow.period == period,
            TargetRow.user_id.is_(None) if user_id is None else TargetRow.user_id == user_id)).first()
        if row is None:
            self.session.add(TargetRow(team_id=team_id, user_id=user_id, period=period,
                                       amount=amount, currency=currency))
        else:
            row.amount, row.currency = amount, currency

    def of_team(self, team_id: int) -> dict[str, Decimal]:
        rows = self.session.scalars(select(TargetRow).where(TargetRow.team_id == team_id, TargetRow.user_id.is_(None)))
        return {row.period: Decimal(row.amount) for row in rows}

    def all_of_team(self, team_id: int) -> dict[tuple[int | None, str], Decimal]:
        """The team's targets and each rep's: (user id, None for the team; period) -> amount."""
        rows = self.session.scalars(select(TargetRow).where(TargetRow.team_id == team_id))
        return {(row.user_id, row.period): Decimal(row.amount) for row in rows}

    def get(self, team_id: int, user_id: int | None, period: str) -> Decimal | None:
        row = self.session.scalars(select(TargetRow).where(
            TargetRow.team_id == team_id, TargetRow.period == period,
            TargetRow.user_id.is_(None) if user_id is None else TargetRow.user_id == user_id)).first()
        return row.amount if row else None


class FlowStates(Repository):
    """Each person's row is read once per unit of work (a repository lives as long as its
    transaction, and the row is locked or written only through it), however often the router
    asks for the open flow."""

    def __init__(self, session: Session) -> None:
        super().__init__(session)
        self._rows: dict[ChatKey, FlowStateRow | None] = {}

    def _row(self, who: ChatKey) -> FlowStateRow | None:
        if who not in self._rows:
            self._rows[who] = self.session.scalars(select(FlowStateRow).where(*_flow_key(who))).first()
        return self._rows[who]

    def get(self, who: ChatKey) -> FlowState | None:
        row = self._row(who)
        if row is None or not row.flow:
            return None
        return FlowState(row.flow, row.step, dict(row.values or {}), dict(row.pending or {}), aware(row.updated_at))

    def lock(self, who: ChatKey, at: datetime) -> None:
        """Serialise this person's events: their flow-state row, created empty (`flow` "") if
        missing, is locked until the transaction ends, so two of their messages handled at once
        run one after the other. On SQLite the insert takes the database's write lock, which
        serialises every event; on PostgreSQL the row lock holds only this person's."""
        dialect = self.session.get_bind().dialect.name
        insert = pg_insert if dialect == "postgresql" else sqlite_insert
        self.session.execute(insert(FlowStateRow).values(
            platform=who.platform, tenant=who.tenant, chat=who.chat, user_ref=who.user, flow="", step=0,
            values={}, pending={}, updated_at=at).on_conflict_do_nothing())
        if dialect == "postgresql":  # the locking read is the transaction's one read of the row
            locked = select(FlowStateRow).where(*_flow_key(who)).with_for_update()
            self._rows[who] = self.session.scalars(locked).first()

    def save(self, who: ChatKey, state: FlowState | None, at: datetime) -> None:
        """No flow: the row stays, emptied, since it is the person's lock (`lock`)."""
        row = self._row(who)
        if state is None:
            if row is not None and row.flow:
                row.flow, row.step, row.values, row.pending, row.updated_at = "", 0, {}, {}, at
            return
        if row is None:
            row = FlowStateRow(platform=who.platform, tenant=who.tenant, chat=who.chat, user_ref=who.user)
            self.session.add(row)
            self._rows[who] = row
        row.flow, row.step, row.values, row.pending, row.updated_at = (
            state.flow, state.step, dict(state.values), dict(state.pending), at)


class Inbox(Repository):
    def first_time(self, platform: str, bot: str, event_id: str, at: datetime) -> bool:
        """Record an inbound event id of this bot; False if it was seen before (a redelivered
        update). Event ids count per bot, so another bot's same id is a new event."""
        dialect = self.session.get_bind().dialect.name
        insert = pg_insert if dialect == "postgresql" else sqlite_insert
        statement = (insert(ProcessedEventRow).values(platform=platform, bot=bot, event_id=event_id, at=at)
                     .on_conflict_do_nothing().returning(ProcessedEventRow.event_id))
        return self.session.execute(statement).scalar() is not None

    def seen(self, platform: str, bot: str, event_id: str) -> bool:
        """Whether this bot's event id is recorded already, without recording it (a read)."""
        return self.session.scalars(select(ProcessedEventRow.event_id).where(
            ProcessedEventRow.platform == platform, ProcessedEventRow.bot == bot,
            ProcessedEventRow.event_id == event_id)).first() is not None

    def prune(self, before: datetime) -> int:
        """Forget event ids recorded before `before`; how many were removed."""
        return rowcount(self.session.execute(delete(ProcessedEventRow).where(ProcessedEventRow.at < before)))


def _identity(platform: str, tenant: str, external_id: str) -> tuple:
    return (IdentityRow.platform == platform, IdentityRow.tenant == tenant, IdentityRow.external_id == external_id)


def _flow_key(who: ChatKey) -> tuple:
    return (FlowStateRow.platform == who.platform, FlowStateRow.tenant == who.tenant,
            FlowStateRow.chat == who.chat, FlowStateRow.user_ref == who.user)


def _chat_key(row: IdentityRow) -> ChatKey:
    return ChatKey(row.platform, row.chat_id or row.external_id, row.external_id, row.tenant)


def _team(row: TeamRow) -> Team:
    return Team(row.id, row.name, row.lang, row.timezone, row.currency, Funnel.from_dict(row.funnel),
                row.share_in_groups, dict(row.settings or {}))


def _user(row: UserRow) -> User:
    return User(row.id, row.team_id, row.name, Role(row.role), row.lang, row.active)


def _customer(row: CustomerRow) -> Customer:
    return Customer(row.id, row.team_id, row.owner_id, row.name)


def _stored(deal: Deal, name: str) -> object:
    """A deal's field as its column holds it (the check points as a JSON list)."""
    value = getattr(deal, name)
    return list(value) if name == "checked" else value


def _deal(row: DealRow, customer_name: str) -> Deal:
    values = {name: getattr(row, name) for name in _DEAL_FIELDS}
    for stamp in ("created_at", "last_activity_at", "closed_at", "assessed_at"):
        values[stamp] = aware(values[stamp])
    values["amount"] = Decimal(values["amount"])
    values["checked"] = tuple(values["checked"] or ())
    return Deal(id=row.id, customer_name=customer_name, **values)




class DealEdits(Repository):
    def add(self, edit: DealEdit) -> int:
        row = DealEditRow(deal_id=edit.deal_id, user_id=edit.user_id, kind=edit.kind, at=edit.at, before=edit.before,
                          after=edit.after, visit_id=edit.visit_id, stage_change_id=edit.stage_change_id)
        self.session.add(row)
        self.session.flush()
        return row.id

    def last_of(self, user_id: int) -> DealEdit | None:
        """This person's latest change not undone yet."""
        row = self.session.scalars(select(DealEditRow).where(DealEditRow.user_id == user_id,
                                                             DealEditRow.undone_at.is_(None))
                                   .order_by(DealEditRow.at.desc(), DealEditRow.id.desc())).first()
        return _deal_edit(row) if row else None

    def get(self, edit_id: int) -> DealEdit | None:
        row = self.session.get(DealEditRow, edit_id)
        return _deal_edit(row) if row else None

    def mark_undone(self, edit_id: int, at: datetime) -> bool:
        result = self.session.execute(update(DealEditRow).where(DealEditRow.id == edit_id,
                                                                DealEditRow.undone_at.is_(None)).values(undone_at=at))
        return rowcount(result) == 1


def _deal_edit(row: DealEditRow) -> DealEdit:
    return DealEdit(row.deal_id, row.user_id, row.kind, aware(row.at), row.before, row.after, row.visit_id,
                    row.stage_change_id, row.id, aware(row.undone_at) if row.undone_at else None)
