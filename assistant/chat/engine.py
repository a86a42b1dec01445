"""The one way into the core: `handle(event, uow, clock)` -> replies to send.

Each event runs in one unit of work: dedupe, find who is writing (a member or a visitor), let
the router take it to a command, a button's route or the flow in progress, commit. Replies go
out only after the commit.
"""
from __future__ import annotations

import logging

from assistant.chat import limits, router
from assistant.chat.context import Ctx, Visitor
from assistant.clock import Clock
from assistant.events import ChatKey, Inbound, Reply
from assistant.i18n import normalise_lang
from assistant.method.results import Problem
from assistant.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)


def handle(event: Inbound, uow: UnitOfWork, clock: Clock) -> list[Reply]:
    event = limits.clean(event)  # no NULs, invisible-only names or undecodable bytes past here
    too_long = limits.message_problem(event.text)
    if too_long is not None:
        return _refuse(event, uow, clock, too_long)
    answered = _look_up(event, uow, clock)
    if answered is not None:
        return answered
    try:
        with uow:
            uow.flow_states.lock(event.who, clock.now())  # this person's events one at a time
            if not uow.inbox.first_time(event.who.platform, event.bot, event.event_id, clock.now()):
                log.info("duplicate event %s ignored", event.event_id)
                return []
            ctx = _context(event, uow, clock)
            if isinstance(ctx, Ctx):
                uow.users.touch(event.who.platform, event.who.tenant, event.who.user, clock.now())
            replies = router.route(ctx, event)
            uow.commit()
    except Exception as error:
        problem = uow.storage_problem(error)
        if problem is None:
            raise
        log.error("the database refuses writes (%s): %s", problem, error)
        return _read_only(event, uow, clock, problem)
    return replies  # charts are drawn by the front end (`draw_charts`), never in here


def _look_up(event: Inbound, uow: UnitOfWork, clock: Clock) -> list[Reply] | None:
    """A member's read answered in a read-only transaction (`router.look_up`), or None: the event
    goes through the write transaction. A read takes no lock, so on SQLite it never waits for
    another member's write; one that turns out to write (the database refuses it here) or comes
    from an identity the member does not use for pushes yet is done the usual way."""
    try:
        with uow.reading():
            if uow.inbox.seen(event.who.platform, event.bot, event.event_id):
                log.info("duplicate event %s ignored", event.event_id)
                return []
            ctx = _context(event, uow, clock)
            replies = router.look_up(ctx, event)
            if replies is None or not isinstance(ctx, Ctx) or not _writes_here(event.who, ctx, uow):
                return None
    except Exception as error:  # a write the look-up attempted, refused by the read-only transaction
        if uow.storage_problem(error) != "read_only":
            raise
        log.debug("event %s is not a read: %s", event.event_id, error)
        return None
    uow.record_read(event.who.platform, event.bot, event.event_id, clock.now())
    return replies


def _writes_here(who: ChatKey, ctx: Ctx, uow: UnitOfWork) -> bool:
    """Whether pushes already go where this event came from: else the write transaction marks
    the identity as the member's latest (`users.touch`), which a read must not skip."""
    point = uow.users.contact_point(ctx.user.id)
    return point is not None and (point.platform, point.tenant, point.user) == (who.platform, who.tenant, who.user)


def _read_only(event: Inbound, uow: UnitOfWork, clock: Clock, problem: str) -> list[Reply]:
    """The database refuses writes (read-only, or full): the event runs again without the
    bookkeeping writes, so a read is answered; one that needs to write is told why it can't."""
    try:
        with uow:
            ctx = _context(event, uow, clock)
            replies = router.route(ctx, event)
            uow.commit()  # a read commits fine; a write fails here and is not claimed as done
            return replies
    except Exception as error:
        if uow.storage_problem(error) is None:
            raise
        with uow:
            ctx = _context(event, uow, clock)
            return [Reply("storage.full" if problem == "full" else "storage.read_only", ctx.lang)]


def _refuse(event: Inbound, uow: UnitOfWork, clock: Clock, problem: Problem) -> list[Reply]:
    """Input refused for what it is before any work: read-only, so it takes no write lock.
    In a group only a message meant for the bot is answered."""
    text = event.text or ""
    if not (event.private or event.addressed or text.lstrip().startswith("/")):
        return []
    with uow:
        lang = _context(event, uow, clock).lang
    return [Reply(problem.key, lang, dict(problem.params), ephemeral=True)]


def mark_unreachable(who: ChatKey, uow: UnitOfWork) -> None:
    """A platform said this user blocked the bot: proactive messages skip them until they
    write again (any message of theirs makes them reachable)."""
    with uow:
        uow.users.set_reachable(who.platform, who.tenant, who.user, False)
        uow.commit()


def _context(event: Inbound, uow: UnitOfWork, clock: Clock) -> Visitor:
    """A member's context when the identity belongs to a team member, a visitor's otherwise."""
    user = uow.users.by_identity(event.who.platform, event.who.tenant, event.who.user)
    team = uow.teams.get(user.team_id) if user and user.team_id else None
    if user is None or team is None:
        lang = user.lang if user else normalise_lang(event.lang_hint)
        return Visitor(uow=uow, clock=clock, who=event.who, lang=lang, private=event.private)
    return Ctx(uow=uow, clock=clock, who=event.who, lang=user.lang, private=event.private, can_form=event.can_form,
               user=user, team=team)
