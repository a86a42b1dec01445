"""The one way into the core: `handle(event, uow, clock)` -> replies to send.

Each event runs in one unit of work: dedupe, find the user, route to a command, a button
or the flow in progress, save the flow state, commit. Replies go out only after the commit.
"""
from __future__ import annotations

import logging

from assistant.chat import commands
from assistant.chat.context import Ctx
from assistant.chat.flows import runner
from assistant.chat.flows.registry import FLOWS
from assistant.clock import Clock
from assistant.events import ChatKey, Inbound, Reply
from assistant.i18n import normalise_lang

log = logging.getLogger(__name__)


def handle(event: Inbound, uow, clock: Clock) -> list[Reply]:
    with uow:
        if not uow.inbox.first_time(event.who.platform, event.bot, event.event_id, clock.now()):
            log.info("duplicate event %s ignored", event.event_id)
            return []
        ctx = _context(event, uow, clock)
        if ctx.user is not None:
            uow.users.touch(event.who.platform, event.who.tenant, event.who.user, clock.now())
        replies = _route(ctx, event)
        uow.commit()
    return replies  # charts are drawn by the front end (`draw_charts`), never in here


def mark_unreachable(who: ChatKey, uow) -> None:
    """A platform said this user blocked the bot: proactive messages skip them until they
    write again (any message of theirs makes them reachable)."""
    with uow:
        uow.users.set_reachable(who.platform, who.tenant, who.user, False)
        uow.commit()


def _context(event: Inbound, uow, clock: Clock) -> Ctx:
    user = uow.users.by_identity(event.who.platform, event.who.tenant, event.who.user)
    team = uow.teams.get(user.team_id) if user and user.team_id else None
    lang = user.lang if user else normalise_lang(event.lang_hint)
    return Ctx(uow=uow, clock=clock, who=event.who, lang=lang, user=user, team=team, private=event.private)


def _route(ctx: Ctx, event: Inbound) -> list[Reply]:
    if not event.private:
        return _group(ctx, event)
    if ctx.user is None:
        return _stranger(ctx, event)
    return _member(ctx, event)


def _group(ctx: Ctx, event: Inbound) -> list[Reply]:
    """A team group holds the bot for digests. Only the team's members are answered there,
    and deal details only if the team allows it; anyone else is ignored (no invite prompts
    in public)."""
    text = (event.text or "").strip()
    if ctx.user is None or not (text.startswith("/") or event.choice or event.form):
        return []
    command = commands.parse_command(text, ctx.lang, in_flow=False) if text else None
    if command is not None and command[0] == "groupdigest":
        return commands.run(ctx, *command)
    private_only = command is not None and command[0] in ("invite", "start", "join", "newteam")
    if not ctx.team.share_in_groups or private_only:
        return [Reply("common.private_only", ctx.lang, ephemeral=True)]
    return _member(ctx, event)


def _member(ctx: Ctx, event: Inbound) -> list[Reply]:
    text = (event.text or "").strip()
    state = ctx.uow.flow_states.get(ctx.who)
    if event.choice is None and event.form is None:
        command = commands.parse_command(text, ctx.lang, in_flow=state is not None)
        if command is not None:
            return commands.run(ctx, *command) + _still_waiting(ctx, command[0])
    if event.form is not None:
        return commands.submit_form(ctx, dict(event.form))
    if event.choice is not None and commands.is_global_choice(event.choice):
        return commands.run_choice(ctx, event.choice)
    if state is None:
        return [Reply("common.stale_button", ctx.lang)] if event.choice is not None else commands.idle(ctx, event)
    step = runner.resume(FLOWS[state.flow], state, ctx, event)
    ctx.uow.flow_states.save(ctx.who, step.state, ctx.now)
    return step.replies


def _still_waiting(ctx: Ctx, command: str) -> list[Reply]:
    """After a look-up in the middle of a flow (/funnel while adding a deal), ask the open
    question again so the next answer is not mistaken for something else."""
    state = ctx.uow.flow_states.get(ctx.who)
    if state is None or not commands.keeps_flow(command):
        return []
    step = runner.reprompt(FLOWS[state.flow], state, ctx)
    ctx.uow.flow_states.save(ctx.who, step.state, ctx.now)
    return [Reply("common.still_waiting", ctx.lang)] + step.replies


def _stranger(ctx: Ctx, event: Inbound) -> list[Reply]:
    """An unknown user gets nothing but the way to join."""
    text = (event.text or "").strip()
    state = ctx.uow.flow_states.get(ctx.who)
    name = {"name": event.display_name} if event.display_name else {}
    command = commands.parse_command(text, ctx.lang, in_flow=state is not None)
    if command and command[0] in ("start", "join") and command[1]:
        return commands.start_flow(ctx, "join_team", command[1], name)
    if command and command[0] not in ("start", "join"):
        ctx.uow.flow_states.save(ctx.who, None, ctx.now)
        return [Reply("join.prompt", ctx.lang)]
    if state is not None and state.flow == "join_team" and (text or event.choice):
        step = runner.resume(FLOWS[state.flow], state, ctx, event)
        ctx.uow.flow_states.save(ctx.who, step.state, ctx.now)
        return step.replies
    return commands.start_flow(ctx, "join_team", text if text and not event.choice else "", name)
