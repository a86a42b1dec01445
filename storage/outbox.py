"""What the scheduler writes and reads: the outbox, weekly self-checks, forecast snapshots."""
from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, and_, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from assistant.method.model import JsonDict, OutboxItem
from storage.models import ForecastSnapshotRow, IdentityRow, OutboxRow, SelfCheckRow
from storage.repositories import Repository, aware, rowcount


def _insert(session: Session) -> Any:
    """The dialect's INSERT, which has ON CONFLICT DO NOTHING (the two have no common type)."""
    return pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert


class Outbox(Repository):
    """Proactive messages: created once per key, claimed with a lease, then settled."""

    def add(self, item: OutboxItem, at: datetime) -> bool:
        statement = (_insert(self.session)(OutboxRow).values(
            key=item.key, kind=item.kind, user_id=item.user_id, platform=item.platform, tenant=item.tenant,
            subject=item.subject,
            due_at=item.due_at, status="pending", attempts=0, created_at=at)
            .on_conflict_do_nothing().returning(OutboxRow.id))
        return self.session.execute(statement).scalar() is not None

    def follow(self, now: datetime, fixed_kinds: Collection[str] = ()) -> int:
        """Point every row ready to go at the platform where its user is reachable now (the
        identity they last wrote from), so that the sender of that platform claims it. Rows of
        `fixed_kinds` go to a place, not a person (a group), and stay. Only rows whose user
        moved are written, in id order."""
        rows = self.session.execute(select(OutboxRow.id, OutboxRow.user_id, OutboxRow.platform).where(
            _ready(now), OutboxRow.kind.not_in(list(fixed_kinds))).order_by(OutboxRow.id)).all()
        if not rows:
            return 0
        identities = self.session.execute(
            select(IdentityRow.user_id, IdentityRow.platform)
            .where(IdentityRow.user_id.in_({row.user_id for row in rows}), IdentityRow.reachable.is_(True))
            .order_by(IdentityRow.last_seen_at.desc().nulls_last(), IdentityRow.id))
        where: dict[int, str] = {}
        for user_id, reached_on in identities:
            where.setdefault(user_id, reached_on)
        moved = 0
        for row in rows:
            platform = where.get(row.user_id)
            if platform is not None and platform != row.platform:
                moved += rowcount(self.session.execute(update(OutboxRow).where(
                    OutboxRow.id == row.id, _ready(now)).values(platform=platform)))
        return moved

    def claim(self, worker: str, platforms: tuple[str, ...], now: datetime, lease_until: datetime,
              limit: int, users: Collection[int] | None = None) -> list[OutboxItem]:
        """Take due rows for this worker (of `users` only, when given: the people this sender
        can reach). PostgreSQL skips rows another worker has locked; the conditional UPDATE
        makes the claim atomic on SQLite as well."""
        ready = _ready(now)
        query = select(OutboxRow.id).where(ready, OutboxRow.platform.in_(platforms))
        if users is not None:
            query = query.where(OutboxRow.user_id.in_(list(users)))
        query = query.order_by(OutboxRow.due_at, OutboxRow.id).limit(limit)
        if self.session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        claimed = []
        for row_id in self.session.scalars(query).all():
            result = self.session.execute(update(OutboxRow).where(OutboxRow.id == row_id, ready).values(
                status="sending", claimed_by=worker, lease_until=lease_until, attempts=OutboxRow.attempts + 1))
            if rowcount(result) == 1:
                claimed.append(row_id)
        return [_item(self.session.get_one(OutboxRow, row_id)) for row_id in claimed]

    def superseded(self, item: OutboxItem) -> bool:
        """A newer row of the same series exists (the key up to its last part, the period: the
        same digest or self-check of a later week, the same deal's reminder of a later day)."""
        series = item.key.rsplit(":", 1)[0] + ":"
        return self.session.scalars(select(OutboxRow.id).where(
            OutboxRow.key.startswith(series, autoescape=True), OutboxRow.id > item.id,
            OutboxRow.user_id == item.user_id).limit(1)).first() is not None

    def last_sent(self, user_id: int, kind: str, since: datetime) -> OutboxItem | None:
        """The latest row of `kind` sent to the user at or after `since`."""
        row = self.session.scalars(select(OutboxRow).where(
            OutboxRow.user_id == user_id, OutboxRow.kind == kind, OutboxRow.status == "sent",
            OutboxRow.sent_at >= since).order_by(OutboxRow.sent_at.desc(), OutboxRow.id.desc()).limit(1)).first()
        return _item(row) if row else None

    def sent_between(self, kind: str, user_ids: Collection[int], start: datetime, end: datetime) -> list[OutboxItem]:
        """Rows of `kind` sent to these users from `start` up to `end`."""
        rows = self.session.scalars(select(OutboxRow).where(
            OutboxRow.kind == kind, OutboxRow.user_id.in_(list(user_ids)), OutboxRow.status == "sent",
            OutboxRow.sent_at >= start, OutboxRow.sent_at < end).order_by(OutboxRow.id))
        return [_item(row) for row in rows]

    def by_key(self, key: str) -> OutboxItem | None:
        found = self.session.scalars(select(OutboxRow.id).where(OutboxRow.key == key)).first()
        return self.get(found) if found else None

    def get(self, item_id: int) -> OutboxItem | None:
        row = self.session.get(OutboxRow, item_id)
        if row is None:
            return None
        return _item(row)

    def settle(self, item_id: int, worker: str, status: str, at: datetime, error: str | None = None,
               retry_at: datetime | None = None, ref: str | None = None) -> None:
        """Record the outcome of a send by the worker that claimed it (sent, with the platform's
        handle of the message when it gave one; skipped; or pending again at `retry_at`)."""
        values: dict[str, object] = {"status": status, "last_error": error, "lease_until": None}
        if status == "sent":
            values["sent_at"], values["message_ref"] = at, ref
        if retry_at is not None:
            values["due_at"] = retry_at
        self.session.execute(update(OutboxRow).where(*self._held(item_id, worker)).values(**values))

    def record_parts(self, item_id: int, worker: str, parts: int) -> None:
        """`parts` messages of this push are accepted by the platform: a later attempt skips them."""
        self.session.execute(update(OutboxRow).where(*self._held(item_id, worker)).values(parts_sent=parts))

    def renew(self, item_id: int, worker: str, now: datetime, lease_until: datetime) -> bool:
        """Just before sending: still ours? (A send that waited too long lost the row to
        another sender, which will send it; this one must not.)"""
        result = self.session.execute(update(OutboxRow).where(*self._held(item_id, worker), OutboxRow.lease_until > now)
                                      .values(lease_until=lease_until))
        return rowcount(result) == 1

    def postpone(self, item_id: int, worker: str, due_at: datetime, platform: str | None = None) -> None:
        """Back to waiting until `due_at` (quiet hours began, the platform asked to wait), without
        counting an attempt; handed over to `platform` when given (the user moved there)."""
        values: dict[str, object] = {"status": "pending", "due_at": due_at, "lease_until": None,
                                     "attempts": OutboxRow.attempts - 1}
        if platform is not None:
            values["platform"] = platform
        self.session.execute(update(OutboxRow).where(*self._held(item_id, worker)).values(**values))

    @staticmethod
    def _held(item_id: int, worker: str) -> tuple[ColumnElement[bool], ...]:
        return OutboxRow.id == item_id, OutboxRow.claimed_by == worker, OutboxRow.status == "sending"

    def act(self, item_id: int, user_id: int, at: datetime) -> bool:
        """A button on this message was pressed: True the first time only."""
        result = self.session.execute(update(OutboxRow).where(
            OutboxRow.id == item_id, OutboxRow.user_id == user_id, OutboxRow.acted_at.is_(None)).values(acted_at=at))
        return rowcount(result) == 1

    def of_user(self, user_id: int) -> list[OutboxItem]:
        rows = self.session.scalars(select(OutboxRow).where(OutboxRow.user_id == user_id).order_by(OutboxRow.id))
        return [_item(row) for row in rows]


def _ready(now: datetime) -> ColumnElement[bool]:
    """Due and waiting, or claimed by a sender whose lease ran out."""
    return or_(and_(OutboxRow.status == "pending", OutboxRow.due_at <= now),
               and_(OutboxRow.status == "sending", OutboxRow.lease_until < now))


def _item(row: OutboxRow) -> OutboxItem:
    return OutboxItem(row.key, row.kind, row.user_id, row.platform, row.subject, aware(row.due_at), row.id,
                      row.status, row.attempts, aware(row.acted_at), aware(row.sent_at), row.tenant, row.message_ref,
                      row.last_error, row.parts_sent)


class Snapshots(Repository):
    """Forecasts as they stood when each period began."""

    def take(self, user_id: int, period: str, amount: Decimal, currency: str, at: datetime) -> bool:
        statement = (_insert(self.session)(ForecastSnapshotRow).values(
            user_id=user_id, period=period, amount=amount, currency=currency, taken_at=at)
            .on_conflict_do_nothing().returning(ForecastSnapshotRow.id))
        return self.session.execute(statement).scalar() is not None

    def of_users(self, user_ids: list[int]) -> dict[tuple[int, str], Decimal]:
        rows = self.session.execute(select(ForecastSnapshotRow.user_id, ForecastSnapshotRow.period,
                                           ForecastSnapshotRow.amount).where(ForecastSnapshotRow.user_id.in_(user_ids)))
        return {(user_id, period): Decimal(amount) for user_id, period, amount in rows}

    def of_period(self, period: str) -> dict[int, Decimal]:
        rows = self.session.execute(select(ForecastSnapshotRow.user_id, ForecastSnapshotRow.amount)
                                    .where(ForecastSnapshotRow.period == period))
        return {user_id: Decimal(amount) for user_id, amount in rows}


class SelfChecks(Repository):
    def complete(self, user_id: int, week: str, at: datetime, plan: list[JsonDict], note: str) -> bool:
        """Record a finished self-check; False if that week's was already recorded."""
        statement = (_insert(self.session)(SelfCheckRow).values(
            user_id=user_id, week=week, completed_at=at, plan=plan, note=note)
            .on_conflict_do_nothing().returning(SelfCheckRow.id))
        return self.session.execute(statement).scalar() is not None

    def done(self, user_id: int, week: str) -> bool:
        return self.session.scalars(select(SelfCheckRow.id).where(
            SelfCheckRow.user_id == user_id, SelfCheckRow.week == week)).first() is not None

    def plan(self, user_id: int, week: str) -> tuple[list[JsonDict], str] | None:
        row = self.session.scalars(select(SelfCheckRow).where(
            SelfCheckRow.user_id == user_id, SelfCheckRow.week == week)).first()
        return (list(row.plan or []), row.note) if row else None
