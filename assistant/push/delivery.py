"""Sending what the outbox holds, once, through the front end where its user is now.

A worker claims due rows with a lease (a crashed worker's rows are taken over when it
expires), builds each message from the data as it is now (a row superseded by a newer one of
its series, or whose condition no longer holds, is skipped), sends it outside any transaction,
then settles the row: sent, skipped (nothing to say, or the user blocked the bot), or
pending again with exponential backoff. A process that dies between the platform accepting a
message and the settle's commit leaves the row claimed: it is sent again once the lease runs
out. That is the only way a push arrives twice, and then twice at most per crash. A push sent
as several messages records each one accepted (`SendsInParts`), so a retry sends only the rest.
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol, runtime_checkable

from assistant.chat.context import Ctx
from assistant.clock import Clock
from assistant.events import ChatKey, MessageRef, Reply
from assistant.method.cadence import cadence, is_quiet, next_allowed
from assistant.method.model import OutboxItem
from assistant.push import agenda, self_check, team_digest
from assistant.unit_of_work import UnitOfWork, UnitOfWorkFactory

log = logging.getLogger(__name__)

SENT, BLOCKED, RETRY = "sent", "blocked", "retry"
LEASE = timedelta(minutes=5)
MAX_ATTEMPTS = 6
BUILDERS: dict[str, Callable[[Ctx, OutboxItem], list[Reply]]] = {
    agenda.AGENDA: agenda.build,
    self_check.SELF_CHECK: self_check.build, self_check.NUDGE: self_check.build, team_digest.DIGEST: team_digest.build,
    team_digest.GROUP_DIGEST: team_digest.build}

FIXED_DESTINATION = (team_digest.GROUP_DIGEST,)  # kinds that go to a place (a group), not to a person


@dataclass(frozen=True)
class Delivered:
    """Sent, and the platform's handle of the message (the last one, which carries the
    buttons): stored with the outbox row so a later reply can update it (`Reply.edits`)."""

    ref: MessageRef


@dataclass(frozen=True)
class Later:
    """Not sent: the platform asked to wait this long (flood control). The row waits that long
    and no attempt is counted; nothing of it may still be on its way."""

    wait: timedelta


class Deliverer(Protocol):
    """What a front end supplies to send proactive messages. The outbox only builds the
    replies; the deliverer renders them, in its platform's markup and command `Vocabulary`
    (`render(..., vocabulary=...)`), so a push names commands the way its reader types them."""

    platform: str

    def send(self, to: ChatKey, replies: list[Reply]) -> str | Delivered | Later:
        """Send the replies (drawing their charts, `draw_charts`); answer Delivered (or SENT
        when the platform has no handle to give), BLOCKED (the user blocked the bot), Later (the
        platform asked to wait) or RETRY. A send given up on (RETRY, Later) must be stopped
        before answering, never left running: the row will be sent again."""


@runtime_checkable
class SendsInParts(Protocol):
    """A deliverer whose push may go out as several messages (a long text split for its
    platform's size limit). The outbox records each message the platform accepts, so an attempt
    after a crash or an error mid-way sends only the parts still missing."""

    def send_parts(self, to: ChatKey, replies: list[Reply], skip: int,
                   accepted: Callable[[int], None]) -> str | Delivered | Later:
        """As `Deliverer.send`, but the first `skip` messages are not sent again (an earlier
        attempt sent them), and `accepted(n)` is called once the platform has taken the n-th
        message of this push (n counts from its first, the skipped ones included)."""


@runtime_checkable
class SomeRecipients(Protocol):
    """A deliverer that reaches only some of its platform's users (a terminal reaches whoever
    sits at it): it claims only their rows, and leaves the others to a process that can send them."""

    def recipients(self) -> Collection[ChatKey]:
        """The identities this deliverer can write to now."""


@dataclass
class Tally:
    sent: int = 0
    skipped: int = 0
    retried: int = 0
    delayed: int = 0


def deliver_due(make_uow: UnitOfWorkFactory, clock: Clock, deliverer: Deliverer, worker: str, limit: int = 50) -> Tally:
    """Send what is due on this deliverer's platform: rows are first pointed at the platform where
    their user is reachable now (`follow`), so a push goes where the user is, whichever front end
    enqueued it."""
    now = clock.now()
    with make_uow() as uow:
        uow.outbox.follow(now, FIXED_DESTINATION)
        users = _reachable_users(uow, deliverer)
        items = uow.outbox.claim(worker, (deliverer.platform,), now, now + LEASE, limit, users)
        uow.commit()
    tally = Tally()
    for item in items:
        try:
            _deliver_one(make_uow, clock, deliverer, worker, item, tally)
        except Exception as error:  # one row's failure (a template, a chart, a bug) stalls no other row
            log.exception("outbox row %s (%s) failed, will retry", item.id, item.kind)
            _retry(make_uow, item, worker, clock, tally, f"{type(error).__name__}: {error}"[:500])
    return tally


def _reachable_users(uow: UnitOfWork, deliverer: Deliverer) -> list[int] | None:
    if not isinstance(deliverer, SomeRecipients):
        return None
    found = (uow.users.by_identity(who.platform, who.tenant, who.user) for who in deliverer.recipients())
    return [user.id for user in found if user is not None]


def _deliver_one(make_uow: UnitOfWorkFactory, clock: Clock, deliverer: Deliverer, worker: str, item: OutboxItem,
                 tally: Tally) -> None:
    with make_uow() as uow:
        now = clock.now()
        if not uow.outbox.renew(item.id, worker, now, now + LEASE):
            return
        user = uow.users.get(item.user_id)
        team = uow.teams.get(user.team_id) if user and user.team_id else None
        plan = cadence(team) if team is not None else None
        if plan is not None and is_quiet(now, plan):
            uow.outbox.postpone(item.id, worker, next_allowed(now, plan))
            uow.commit()
            return
        if uow.outbox.superseded(item):  # a newer one of its kind is queued or sent: say it once, up to date
            uow.outbox.settle(item.id, worker, "skipped", now, "superseded")
            uow.commit()
            tally.skipped += 1
            return
        to = team_digest.group_target(item) or uow.users.contact_point(item.user_id)
        if to is not None and to.platform != deliverer.platform:  # the user moved since the claim: hand over
            uow.outbox.postpone(item.id, worker, now, to.platform)
            uow.commit()
            return
        uow.commit()
        replies: list[Reply] = []
        if user is not None and team is not None and to is not None and item.kind in BUILDERS:
            ctx = Ctx(uow=uow, clock=clock, who=to, lang=user.lang, user=user, team=team)
            replies = BUILDERS[item.kind](ctx, item)
    if not replies or to is None:
        return _settle(make_uow, item, worker, "skipped", clock, tally)
    # From here to the settle's commit is the window a crash leaves unrecorded (the row is sent
    # again after its lease): nothing else happens in it.
    outcome = _send(make_uow, deliverer, worker, item, to, replies)
    if outcome == BLOCKED:
        with make_uow() as uow:
            uow.outbox.settle(item.id, worker, "skipped", clock.now(), "blocked")
            uow.users.set_reachable(to.platform, to.tenant, to.user, False)
            uow.commit()
        tally.skipped += 1
        return None
    if outcome == RETRY:
        return _retry(make_uow, item, worker, clock, tally)
    if isinstance(outcome, Later):
        with make_uow() as uow:
            uow.outbox.postpone(item.id, worker, clock.now() + outcome.wait)
            uow.commit()
        tally.delayed += 1
        return None
    ref = outcome.ref.handle if isinstance(outcome, Delivered) else None
    _settle(make_uow, item, worker, "sent", clock, tally, ref=ref)


def _send(make_uow: UnitOfWorkFactory, deliverer: Deliverer, worker: str, item: OutboxItem, to: ChatKey,
          replies: list[Reply]) -> str | Delivered | Later:
    if not isinstance(deliverer, SendsInParts):
        return deliverer.send(to, replies)

    def accepted(parts: int) -> None:  # committed at once: a crash after it resends none of these
        with make_uow() as uow:
            uow.outbox.record_parts(item.id, worker, parts)
            uow.commit()
    return deliverer.send_parts(to, replies, item.parts_sent, accepted)


def _settle(make_uow: UnitOfWorkFactory, item: OutboxItem, worker: str, status: str, clock: Clock, tally: Tally,
            error: str | None = None, ref: str | None = None) -> None:
    with make_uow() as uow:
        uow.outbox.settle(item.id, worker, status, clock.now(), error, ref=ref)
        uow.commit()
    if status == "sent":
        tally.sent += 1
    else:
        tally.skipped += 1


def _retry(make_uow: UnitOfWorkFactory, item: OutboxItem, worker: str, clock: Clock, tally: Tally,
           error: str = "send failed") -> None:
    """Back off 1, 2, 4 … minutes; after MAX_ATTEMPTS the row is marked failed and logged."""
    status = "failed" if item.attempts >= MAX_ATTEMPTS else "pending"
    retry_at = clock.now() + timedelta(minutes=2 ** (item.attempts - 1))
    with make_uow() as uow:
        uow.outbox.settle(item.id, worker, status, clock.now(), error, retry_at)
        uow.commit()
    if status == "failed":
        log.error("giving up on outbox row %s after %s attempts", item.id, item.attempts)
    tally.retried += 1
