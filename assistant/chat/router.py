"""Where one event goes: a command, a button's route, a submitted form, or the answer to the
flow in progress. Every property a decision needs comes from the command table
(`commands.COMMANDS`) and every button value is read by the codec (`routes.decode`), so an
event is routed here once and handed to a command, a view or the flow engine.
"""
from __future__ import annotations

import secrets
from dataclasses import replace
from datetime import timedelta

from assistant.chat import agenda, checkpoints, commands, limits, routes, tenant_binding, transfers
from assistant.chat.commands import COMMANDS, DEAL_FLOWS, Command
from assistant.chat.context import Ctx, Visitor
from assistant.chat.flows import forms, runner
from assistant.chat.flows.answers import load_own_deal
from assistant.chat.flows.registry import FLOWS
from assistant.chat.routes import (
    AgendaAct,
    AgendaItem,
    DealAction,
    FlowPick,
    ReminderAction,
    RepDeals,
    Route,
    RunCommand,
    button,
    decode,
)
from assistant.events import FormAnswer, Inbound, Reply
from assistant.method.dates import parse_date
from assistant.method.model import FlowState, JsonDict
from assistant.method.numbers import shown
from assistant.method.results import Problem


def route(ctx: Visitor, event: Inbound) -> list[Reply]:
    if not isinstance(ctx, Ctx):
        return _stranger(ctx, event) if event.private else []
    if not event.private:
        return _group(ctx, event)
    return _member(ctx, event)


def look_up(ctx: Visitor, event: Inbound) -> list[Reply] | None:
    """The replies of a member's event that only reads, or None for one that may write.

    A read is a look-up command (`Command.reads`) typed or pressed in a private chat with nothing
    waiting for an answer, or text that only brings the menu; the engine runs this in a read-only
    transaction, so it never waits for another member's write. A one-liner of a `read_ahead` flow
    (`/new 华为 扩容 120万 下月底`) is read here, before its write transaction opens."""
    if not isinstance(ctx, Ctx) or not event.private or event.form is not None:
        return None
    if ctx.uow.flow_states.get(ctx.who) is not None:
        return None
    if event.choice is not None:
        pressed = decode(event.choice)
        if isinstance(pressed, RepDeals) and COMMANDS["rep"].allows(ctx.user):
            return commands.rep_deals(ctx, pressed.user_id, pressed.page)
        if isinstance(pressed, RunCommand) and pressed.name in COMMANDS and COMMANDS[pressed.name].reads:
            return _run(ctx, pressed.name, pressed.arg)
        return None
    text = (event.text or "").strip()
    typed = commands.parse_command(text, ctx.lang, in_flow=False, invoked=event.addressed)
    if typed is None:
        return commands.idle(ctx, event) if text else None
    name, args = typed
    if COMMANDS[name].reads:
        return _run(ctx, name, args)
    flow_name = COMMANDS[name].flow
    flow = FLOWS[flow_name] if flow_name else None
    if flow is not None and flow.read_ahead and flow.shortcut is not None and args.strip() \
            and COMMANDS[name].allows(ctx.user) and limits.shortcut_problem(args) is None:
        flow.shortcut(args, ctx)  # remembered by the line reader for the write transaction
    return None


def _group(ctx: Ctx, event: Inbound) -> list[Reply]:
    """A team group holds the bot for digests. Only the team's members are answered there,
    and deal details only if the team allows it; anyone else is ignored (no invite prompts
    in public). A message is read there when it is a command: a slash, or a mention of the bot."""
    text = (event.text or "").strip()
    if not (text.startswith("/") or event.addressed or event.choice or event.form):
        return []
    if event.attachment is not None:  # files are for the private chat (an import is private)
        return [Reply("common.private_only", ctx.lang, ephemeral=True)]
    typed = commands.parse_command(text, ctx.lang, in_flow=False, invoked=event.addressed) if text else None
    command = COMMANDS[typed[0]] if typed else None
    if typed and command and command.in_groups:
        return _run(ctx, typed[0], typed[1])
    if not ctx.team.share_in_groups or (command is not None and command.private_only):
        return [Reply("common.private_only", ctx.lang, ephemeral=True)]
    return _member(ctx, event)


def _member(ctx: Ctx, event: Inbound) -> list[Reply]:
    state, expired = _open_state(ctx)
    if event.attachment is not None:  # a file, photo, voice note …: answered, the open flow left as it was
        return expired + transfers.received(ctx, event)
    return expired + _member_event(ctx, state, event)


def _member_event(ctx: Ctx, state: FlowState | None, event: Inbound) -> list[Reply]:
    if event.form is not None:
        return _submit_form(ctx, event.form)
    if event.choice is not None:
        return _press(ctx, state, decode(event.choice), event)
    text = (event.text or "").strip()
    typed = commands.parse_command(text, ctx.lang, in_flow=state is not None, invoked=event.addressed)
    if state is not None and typed is None:
        typed = _bare_reset(text, ctx.lang)
    if state is not None:
        switch = _switch_for_text(ctx, state, text, typed)
        if switch is not None:
            return _ask_switch(ctx, state, switch)
        if "switch" in state.pending and typed is None:
            return [Reply("common.pick_a_button", ctx.lang)] + _switch_question(ctx, state)
    if typed is not None:
        return _run(ctx, *typed) + _still_waiting(ctx, COMMANDS[typed[0]])
    if state is None:
        return commands.idle(ctx, event)
    return _resume(ctx, state, event)


def _press(ctx: Ctx, state: FlowState | None, pressed: Route | None, event: Inbound) -> list[Reply]:
    """A button. Every route is re-checked: a forged or outdated one changes nothing."""
    if isinstance(pressed, FlowPick) and state is not None and "switch" in state.pending:
        return _answer_switch(ctx, state, pressed, event)
    if isinstance(pressed, FlowPick) and state is not None:
        return _resume(ctx, state, event)
    if state is not None and isinstance(pressed, RunCommand | DealAction | ReminderAction | AgendaAct) and event.choice:
        switch = _switch_for_press(ctx, state, pressed, event.choice)
        if switch is not None:
            return _ask_switch(ctx, state, switch)
    if isinstance(pressed, RunCommand) and pressed.name in COMMANDS and pressed.name != "unknown":
        return _run(ctx, pressed.name, pressed.arg) + _still_waiting(ctx, COMMANDS[pressed.name])
    if isinstance(pressed, RepDeals) and COMMANDS["rep"].allows(ctx.user):
        return commands.rep_deals(ctx, pressed.user_id, pressed.page)
    if isinstance(pressed, DealAction) and pressed.flow in DEAL_FLOWS:
        return _deal_action(ctx, pressed)
    if isinstance(pressed, routes.DealTick):
        return checkpoints.tick_on_card(ctx, pressed)
    if isinstance(pressed, ReminderAction):
        return commands.reminder_action(ctx, pressed.action, pressed.item_id)
    if isinstance(pressed, AgendaItem):
        return agenda.item_actions(ctx, pressed.deal_id)
    if isinstance(pressed, AgendaAct):
        return agenda.act(ctx, pressed.action, pressed.deal_id, pressed.due)
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
    command = _command_of(action.flow)
    if command is None or not command.allows(ctx.user):
        return [Reply("common.not_allowed", ctx.lang)]
    deal = load_own_deal(ctx, action.deal_id)
    if isinstance(deal, Problem):
        return [Reply(deal.key, ctx.lang, dict(deal.params))]
    if ctx.can_form and FLOWS[action.flow].form:
        return [forms.open_form(FLOWS[action.flow], ctx, {"deal": str(deal.id)})]
    return commands.start_flow(ctx, action.flow, "", {"deal": deal.id})


def _submit_form(ctx: Ctx, answer: FormAnswer) -> list[Reply]:
    """A whole flow submitted at once (a Slack modal): only a form-capable flow of a command
    this user may run."""
    command = _command_of(answer.flow)
    if command is None or not command.form or not command.allows(ctx.user):
        return [Reply("common.stale_button", ctx.lang)]
    step = forms.submit(FLOWS[answer.flow], ctx, answer)
    ctx.uow.flow_states.save(ctx.who, step.state, ctx.now)
    return step.replies


def _command_of(flow_name: str) -> Command | None:
    """The command that starts `flow_name`, whose roles decide who may run it by any route."""
    return next((c for c in COMMANDS.values() if c.flow == flow_name), None)


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
    state, expired = _open_state(ctx)
    return expired + _stranger_event(ctx, state, event)


def _stranger_event(ctx: Visitor, state: FlowState | None, event: Inbound) -> list[Reply]:
    text = (event.text or "").strip()
    if state is not None and state.flow == "join_bound_team":
        return _resume(ctx, state, event)
    if tenant_binding.binding_for(ctx, event) is not None:
        return _join_bound(ctx, event)
    name = {"name": event.display_name} if event.display_name else {}
    typed = commands.parse_command(text, ctx.lang, in_flow=state is not None, invoked=event.addressed)
    if typed and COMMANDS[typed[0]].for_strangers and typed[1]:
        return _join(ctx, typed[1], name)
    if typed and typed[0] == "unknown" and event.addressed:  # `/sales K7Q2M9XD`: the code after the command
        return _join(ctx, text, name)
    if typed and not COMMANDS[typed[0]].for_strangers:
        ctx.uow.flow_states.save(ctx.who, None, ctx.now)
        return [Reply("join.prompt", ctx.lang)]
    if state is not None and state.flow == "join_team" and (text or event.choice):
        return _resume(ctx, state, event)
    return _join(ctx, text if text and not event.choice else "", name)


def _join_bound(ctx: Visitor, event: Inbound) -> list[Reply]:
    """A stranger of a bound tenant: a member at once, under the name the platform gives (asked
    when it gives none); what they sent is then read as a member's message, unless it was only a
    greeting, which the help answers."""
    if not event.display_name:
        step = runner.start(FLOWS["join_bound_team"], ctx, "", {})
        ctx.uow.flow_states.save(ctx.who, step.state, ctx.now)
        return step.replies
    member = tenant_binding.join(ctx, event.display_name)
    if isinstance(member, Problem):
        return [Reply(member.key, ctx.lang, dict(member.params))]
    ctx.uow.flow_states.save(ctx.who, None, ctx.now)
    text = (event.text or "").strip()
    typed = commands.parse_command(text, member.lang, in_flow=False, invoked=event.addressed) if text else None
    if event.choice is None and event.form is None and (typed is None or typed[0] in ("unknown", "start", "help")):
        return [tenant_binding.welcome(member), Reply(f"help.{member.user.role}", member.lang)]
    return [tenant_binding.welcome(member)] + _member(member, event)


def _join(ctx: Visitor, code: str, values: dict[str, str]) -> list[Reply]:
    step = runner.start(FLOWS["join_team"], ctx, code, values)
    ctx.uow.flow_states.save(ctx.who, step.state, ctx.now)
    return step.replies


FLOW_TIMEOUT = timedelta(hours=3)
"""How long an open step waits for its answer. A rep who writes after a longer silence has
moved on: their message is read fresh, never as the answer to a question asked hours ago (a
sentence typed three days later must not become the lost reason of a 90% deal). Three hours
still covers a customer meeting between two answers; the rep is told what was dropped."""


def _open_state(ctx: Visitor) -> tuple[FlowState | None, list[Reply]]:
    """The flow in progress, unless it has been quiet longer than FLOW_TIMEOUT: then it is
    dropped, and the notice saying what was dropped comes first in the replies."""
    state = ctx.uow.flow_states.get(ctx.who)
    if state is None or state.saved_at is None or ctx.now - state.saved_at <= FLOW_TIMEOUT:
        return state, []
    ctx.uow.flow_states.save(ctx.who, None, ctx.now)
    return None, [Reply("common.flow_expired", ctx.lang, _what(ctx, state))]


def _what(ctx: Visitor, state: FlowState) -> dict[str, str]:
    """A flow as a rep recognises it: its name and what it is about (the deal's customer, or
    the customer being named)."""
    subject = ""
    deal_id = state.values.get("deal")
    if isinstance(deal_id, int) and isinstance(ctx, Ctx):
        deal = ctx.uow.deals.get(deal_id)
        subject = deal.customer_name if deal is not None and deal.team_id == ctx.team.id else ""
    elif isinstance(state.values.get("customer"), dict):
        customer = state.values["customer"]
        subject = str(customer.get("name") or customer.get("new") or "")
    return {"flow": state.flow, "subject": shown(subject) if subject else ""}


def _answered(state: FlowState) -> bool:
    """Whether replacing this flow would lose something the rep gave: an answer to one of its
    fields, or a part of a one-liner still to be read."""
    fields = {f.name for f in FLOWS[state.flow].fields}
    if state.values.get("_after"):  # a next step asked after an update: only its own answer counts
        fields -= {"deal", "next_due"}
    return bool(state.values.get("_typed")) or any(name in fields for name in state.values)


def _bare_reset(text: str, lang: str) -> tuple[str, str] | None:
    """An alias word alone that leaves the flow ("取消", "cancel"): as immediate as /cancel,
    never taken as an answer."""
    word = commands.parse_command(text, lang, in_flow=False)
    if word is None or word[0] == "unknown" or word[1] or not COMMANDS[word[0]].resets_flow:
        return None
    return word


def _switch_for_text(ctx: Ctx, state: FlowState, text: str, typed: tuple[str, str] | None) -> JsonDict | None:
    """What to ask before a typed command replaces the open flow, or None to go on as usual.

    A slash command (or one the platform marks as a command) replaces a flow at once when
    nothing would be lost, and look-ups (/funnel) leave it waiting; a flow-starting command
    over a half-filled flow is asked first. An alias word at the start ("丢单 美的") is a
    command or an answer ("visit the CTO" as a next step): asked either way, unless it is
    alone and cancels, reads as a date ("next Tue") or names one of the buttons on offer."""
    if typed is not None:
        command = COMMANDS[typed[0]]
        if command.resets_flow or command.keeps_flow or typed[0] == "unknown" or not _answered(state):
            return None
        return {"name": typed[0], "args": typed[1], "text": text, "word": False}
    if "switch" in state.pending:
        return None
    word = commands.parse_command(text, ctx.lang, in_flow=False)
    if word is None or word[0] == "unknown":
        return None
    if not isinstance(parse_date(text, ctx.today), Problem) or runner.names_option(state, ctx, text):
        return None
    return {"name": word[0], "args": word[1], "text": text, "word": True}


def _switch_for_press(ctx: Ctx, state: FlowState, pressed: RunCommand | DealAction | ReminderAction | AgendaAct,
                      value: str) -> JsonDict | None:
    """A menu, card or reminder button that would start another flow over a half-filled one
    (a reminder's or an agenda item's "done" and "new date" open the next step; "tomorrow"
    and snooze open nothing)."""
    if isinstance(pressed, ReminderAction | AgendaAct):
        flow = "next_step" if pressed.action in ("done", "date") else None
    elif isinstance(pressed, DealAction):
        flow = pressed.flow if pressed.flow in DEAL_FLOWS else None
    else:
        flow = COMMANDS[pressed.name].flow if pressed.name in COMMANDS else None
    if flow is None or not _answered(state):
        return None
    return {"choice": value, "flow": flow}


def _ask_switch(ctx: Ctx, state: FlowState, switch: JsonDict) -> list[Reply]:
    """"Finish X or start Y?": the open flow is kept as it was, the question on top of it."""
    original = state.pending.get("resume", {}) if "switch" in state.pending else state.pending
    asking = replace(state, pending={"nonce": secrets.token_hex(3), "switch": switch, "resume": original})
    ctx.uow.flow_states.save(ctx.who, asking, ctx.now)
    return _switch_question(ctx, asking)


def _switch_question(ctx: Ctx, state: FlowState) -> list[Reply]:
    switch, nonce = state.pending["switch"], state.pending["nonce"]
    target = switch["flow"] if "choice" in switch else COMMANDS[switch["name"]].flow
    params = _what(ctx, state)
    choices = (button(FlowPick(nonce, "resume"), "common.switch_keep", params),
               button(FlowPick(nonce, "switch"), "common.switch_start",
                      {"flow": target or "", "text": shown(switch.get("text") or "")}))
    return [Reply("common.switch_ask", ctx.lang, params, choices)]


def _answer_switch(ctx: Ctx, state: FlowState, pressed: FlowPick, event: Inbound) -> list[Reply]:
    """Keep the open flow (a typed alias word is then its answer) or leave it for the new one."""
    switch = state.pending["switch"]
    original = replace(state, pending=state.pending.get("resume") or {})
    if pressed.nonce != state.pending.get("nonce") or pressed.pick not in ("resume", "switch"):
        return [Reply("common.stale_button", ctx.lang)] + _switch_question(ctx, state)
    if pressed.pick == "resume":
        if switch.get("word"):
            return _resume(ctx, original, replace(event, choice=None, text=switch["text"]))
        step = runner.reprompt(FLOWS[original.flow], original, ctx)
        ctx.uow.flow_states.save(ctx.who, step.state, ctx.now)
        return step.replies
    if "choice" in switch:
        ctx.uow.flow_states.save(ctx.who, None, ctx.now)
        return _press(ctx, None, decode(switch["choice"]), replace(event, choice=switch["choice"]))
    command = COMMANDS[switch["name"]]
    if command.keeps_flow:
        ctx.uow.flow_states.save(ctx.who, original, ctx.now)
        return _run(ctx, switch["name"], switch["args"]) + _still_waiting(ctx, command)
    ctx.uow.flow_states.save(ctx.who, None, ctx.now)
    return _run(ctx, switch["name"], switch["args"])
