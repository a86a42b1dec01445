"""Where one event goes: a command, a button's route, a submitted form, or the answer to the
flow in progress. Every property a decision needs comes from the command table
(`commands.COMMANDS`) and every button value is read by the codec (`routes.decode`), so an
event is routed here once and handed to a command, a view or the flow engine.
"""
from __future__ import annotations

from assistant.chat import commands, limits
from assistant.chat.commands import COMMANDS, DEAL_FLOWS, Command
from assistant.chat.context import Ctx, Visitor
from assistant.chat.flows import forms, runner
from assistant.chat.flows.answers import load_own_deal
from assistant.chat.flows.registry import FLOWS
from assistant.chat.routes import DealAction, FlowPick, ReminderAction, RepDeals, Route, RunCommand, decode
from assistant.events import FormAnswer, Inbound, Reply
from assistant.method.model import FlowState
from assistant.method.results import Problem


def route(ctx: Visitor, event: Inbound) -> list[Reply]:
    if not isinstance(ctx, Ctx):
        return _stranger(ctx, event) if event.private else []
    if not event.private:
        return _group(ctx, event)
    return _member(ctx, event)


def _group(ctx: Ctx, event: Inbound) -> list[Reply]:
    """A team group holds the bot for digests. Only the team's members are answered there,
    and deal details only if the team allows it; anyone else is ignored (no invite prompts
    in public). A message is read there when it is a command: a slash, or a mention of the bot."""
    text = (event.text or "").strip()
    if not (text.startswith("/") or event.addressed or event.choice or event.form):
        return []
    typed = commands.parse_command(text, ctx.lang, in_flow=False, invoked=event.addressed) if text else None
    command = COMMANDS[typed[0]] if typed else None
    if typed and command and command.in_groups:
        return _run(ctx, typed[0], typed[1])
    if not ctx.team.share_in_groups or (command is not None and command.private_only):
        return [Reply("common.private_only", ctx.lang, ephemeral=True)]
    return _member(ctx, event)


def _member(ctx: Ctx, event: Inbound) -> list[Reply]:
    state = ctx.uow.flow_states.get(ctx.who)
    if event.form is not None:
        return _submit_form(ctx, event.form)
    if event.choice is not None:
        return _press(ctx, state, decode(event.choice), event)
    typed = commands.parse_command((event.text or "").strip(), ctx.lang, in_flow=state is not None,
                                   invoked=event.addressed)
    if typed is not None:
        return _run(ctx, *typed) + _still_waiting(ctx, COMMANDS[typed[0]])
    if state is None:
        return commands.idle(ctx, event)
    return _resume(ctx, state, event)


def _press(ctx: Ctx, state: FlowState | None, pressed: Route | None, event: Inbound) -> list[Reply]:
    """A button. Every route is re-checked: a forged or outdated one changes nothing."""
    if isinstance(pressed, FlowPick) and state is not None:
        return _resume(ctx, state, event)
    if isinstance(pressed, RunCommand) and pressed.name in COMMANDS and pressed.name != "unknown":
        return _run(ctx, pressed.name, pressed.arg) + _still_waiting(ctx, COMMANDS[pressed.name])
    if isinstance(pressed, RepDeals) and COMMANDS["rep"].allows(ctx.user):
        return commands.rep_deals(ctx, pressed.user_id, pressed.page)
    if isinstance(pressed, DealAction) and pressed.flow in DEAL_FLOWS:
        return _deal_action(ctx, pressed)
    if isinstance(pressed, ReminderAction):
        return commands.reminder_action(ctx, pressed.action, pressed.item_id)
    return [Reply("common.stale_button", ctx.lang)]


def _run(ctx: Ctx, name: str, args: str) -> list[Reply]:
    command = COMMANDS[name]
    if not command.allows(ctx.user):
        return [Reply("common.not_allowed", ctx.lang)]
    if ctx.can_form and not args.strip() and command.form and command.flow:
        return [forms.open_form(FLOWS[command.flow], ctx)]
    if command.flow and FLOWS[command.flow].shortcut and (too_long := limits.shortcut_problem(args)):
        return [Reply(too_long.key, ctx.lang, dict(too_long.params))]  # refused before any parser runs
    return command.run(ctx, args)


def _deal_action(ctx: Ctx, action: DealAction) -> list[Reply]:
    if not _command_of(action.flow).allows(ctx.user):
        return [Reply("common.not_allowed", ctx.lang)]
    deal = load_own_deal(ctx, action.deal_id)
    if isinstance(deal, Problem):
        return [Reply(deal.key, ctx.lang, dict(deal.params))]
    return commands.start_flow(ctx, action.flow, "", {"deal": deal.id})


def _submit_form(ctx: Ctx, answer: FormAnswer) -> list[Reply]:
    """A whole flow submitted at once (a Slack modal): only a form-capable flow of a command
    this user may run."""
    command = next((c for c in COMMANDS.values() if c.flow == answer.flow), None)
    if command is None or not command.form or not command.allows(ctx.user):
        return [Reply("common.stale_button", ctx.lang)]
    step = forms.submit(FLOWS[answer.flow], ctx, answer)
    ctx.uow.flow_states.save(ctx.who, step.state, ctx.now)
    return step.replies


def _command_of(flow_name: str) -> Command:
    return next(c for c in COMMANDS.values() if c.flow == flow_name)


def _resume(ctx: Visitor, state: FlowState, event: Inbound) -> list[Reply]:
    step = runner.resume(FLOWS[state.flow], state, ctx, event)
    ctx.uow.flow_states.save(ctx.who, step.state, ctx.now)
    return step.replies


def _still_waiting(ctx: Ctx, command: Command) -> list[Reply]:
    """After a look-up in the middle of a flow (/funnel while adding a deal), ask the open
    question again so the next answer is not mistaken for something else."""
    state = ctx.uow.flow_states.get(ctx.who)
    if state is None or not command.keeps_flow:
        return []
    step = runner.reprompt(FLOWS[state.flow], state, ctx)
    ctx.uow.flow_states.save(ctx.who, step.state, ctx.now)
    return [Reply("common.still_waiting", ctx.lang)] + step.replies


def _stranger(ctx: Visitor, event: Inbound) -> list[Reply]:
    """An unknown user gets nothing but the way to join."""
    text = (event.text or "").strip()
    state = ctx.uow.flow_states.get(ctx.who)
    name = {"name": event.display_name} if event.display_name else {}
    typed = commands.parse_command(text, ctx.lang, in_flow=state is not None, invoked=event.addressed)
    if typed and COMMANDS[typed[0]].for_strangers and typed[1]:
        return _join(ctx, typed[1], name)
    if typed and not COMMANDS[typed[0]].for_strangers:
        ctx.uow.flow_states.save(ctx.who, None, ctx.now)
        return [Reply("join.prompt", ctx.lang)]
    if state is not None and state.flow == "join_team" and (text or event.choice):
        return _resume(ctx, state, event)
    return _join(ctx, text if text and not event.choice else "", name)


def _join(ctx: Visitor, code: str, values: dict[str, str]) -> list[Reply]:
    step = runner.start(FLOWS["join_team"], ctx, code, values)
    ctx.uow.flow_states.save(ctx.who, step.state, ctx.now)
    return step.replies
