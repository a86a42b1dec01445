"""The flow engine: a flow is data (fields with parsers or options), run one step per event.

A step *describes* what it needs (a prompt key, buttons); front ends render it. State lives in
the database (`FlowState`): values collected so far, and the buttons on offer (`pending`), so
a restart continues at the same step and a button press is checked against what was offered.
Buttons carry a `FlowPick` (the prompt's nonce and the option's index, see `routes`), and a
stale or forged one is refused without touching any data.
"""
from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, replace
from typing import Any

from assistant.chat.context import Visitor
from assistant.chat.flows.definition import ANYWAY, DONE, SKIP, Ask, C, Field, Flow, Option
from assistant.chat.routes import FlowPick, Route, button, decode
from assistant.events import Choice, Inbound, Reply
from assistant.i18n import render
from assistant.method.model import FlowState, JsonDict
from assistant.method.numbers import parse_id
from assistant.method.results import Ok, Problem


@dataclass
class Step:
    """What handling one event produced: replies to send and the state to keep (None: done)."""

    replies: list[Reply]
    state: FlowState | None


def start(flow: Flow[C], ctx: C, args: str = "", values: JsonDict | None = None) -> Step:
    """Begin `flow`; a one-line shortcut (`args`) pre-fills fields, and in a `quick` flow
    skips the optional ones."""
    prefilled = dict(values or {})
    given = bool(args.strip()) and flow.shortcut is not None
    quick = given and flow.quick
    if given and flow.shortcut is not None:
        parsed = flow.shortcut(args, ctx)
        if isinstance(parsed, Problem):
            return Step([problem_reply(ctx, parsed)], None)
        prefilled.update(parsed)
    state = FlowState(flow.name, 0, {"_quick": quick, **prefilled}, {})
    return advance(flow, state, ctx, [])


def resume(flow: Flow[C], state: FlowState, ctx: C, event: Inbound) -> Step:
    """Feed one text or button press to the field the flow is waiting on."""
    current = flow.fields[state.step]
    if event.choice is not None:
        return _on_choice(flow, state, ctx, current, decode(event.choice))
    return _on_text(flow, state, ctx, current, (event.text or "").strip())


def reprompt(flow: Flow[C], state: FlowState, ctx: C) -> Step:
    return _prompt(flow, state, ctx, [], flow.fields[state.step])


def _on_choice(flow: Flow[C], state: FlowState, ctx: C, current: Field[C], pressed: Route | None) -> Step:
    if not isinstance(pressed, FlowPick) or pressed.nonce != state.pending.get("nonce"):
        return Step([Reply("common.stale_button", ctx.lang)] + _prompt(flow, state, ctx, [], current).replies, state)
    if pressed.pick in (SKIP, DONE, ANYWAY):
        return _on_control(flow, state, ctx, current, pressed.pick)
    options = state.pending.get("options", [])
    index = parse_id(pressed.pick)
    if index is None or index >= len(options):
        return Step([Reply("common.stale_button", ctx.lang)], state)
    value = options[index]["value"]
    if current.multi:
        return _toggle(flow, state, ctx, current, value)
    return _accept(flow, state, ctx, current, Ok(value))


def _on_text(flow: Flow[C], state: FlowState, ctx: C, current: Field[C], text: str) -> Step:
    if current.optional and text.lower() in _skip_words(ctx.lang):
        return _on_control(flow, state, ctx, current, SKIP)
    controls = {DONE: "common.confirm", ANYWAY: "checklist.anyway", SKIP: "common.skip"}
    for control, key in controls.items():
        if current.multi and _same_label(text, render(ctx.lang, key)):
            return _on_control(flow, state, ctx, current, control)
    picked = _match_option(state, ctx, text)
    if picked is not None:
        return _on_choice(flow, state, ctx, current, FlowPick(state.pending["nonce"], str(picked)))
    if current.parse is None:
        return _prompt(flow, state, ctx, [Reply("common.pick_a_button", ctx.lang)], current)
    result = current.parse(text, ctx, state.values)
    if isinstance(result, Ask):
        return _ask(state, ctx, result)
    return _accept(flow, state, ctx, current, result)


def _skip_words(lang: str) -> set[str]:
    return {word.strip().lower() for word in render(lang, "common.skip_words").split("|")} | {"-", "/skip"}


def _match_option(state: FlowState, ctx: C, text: str) -> int | None:
    """A typed answer that names a button by its label. Never by a number: buttons come back
    as choices, and a typed "2" is the answer's own text (deal #2 at a deal prompt); only a
    front end that shows numbered buttons (the terminal) turns a bare number into a press."""
    options = state.pending.get("options", [])
    if not options:
        return None
    for index, option in enumerate(options):
        if _same_label(text, render(ctx.lang, option["key"], **option.get("params", {}))):
            return index
    return None


def names_option(state: FlowState, ctx: Visitor, text: str) -> bool:
    """Whether typed text is the label of one of the buttons on offer (a choice, not a command)."""
    return _match_option(state, ctx, text) is not None


def _same_label(typed: str, label: str) -> bool:
    """"确认" names the button "✔ 确认": emoji, marks and spaces do not count."""
    def letters(text: str) -> str:
        return re.sub(r"[\W_]+", "", text).casefold()
    return bool(letters(typed)) and letters(typed) == letters(label)


def _on_control(flow: Flow[C], state: FlowState, ctx: C, current: Field[C], control: str) -> Step:
    if control == SKIP and current.optional:
        return _accept(flow, state, ctx, current, Ok(None))
    if current.multi and control in (DONE, ANYWAY):
        ticked = list(state.pending.get("ticked", []))
        everything = [o["value"] for o in state.pending.get("options", [])]
        missing = [key for key in everything if key not in ticked]
        if control == DONE and missing and current.checklist:
            note = Reply("checklist.incomplete", ctx.lang, {"missing": len(missing)})
            return _prompt(flow, state, ctx, [note], current)
        return _accept(flow, state, ctx, current, Ok({"ticked": ticked, "unticked": missing, "complete": not missing}))
    return Step([Reply("common.stale_button", ctx.lang)], state)


def _toggle(flow: Flow[C], state: FlowState, ctx: C, current: Field[C], value: Any) -> Step:
    ticked = list(state.pending.get("ticked", []))
    if value in ticked:
        ticked.remove(value)
    else:
        ticked.append(value)
    state = replace(state, pending={**state.pending, "ticked": ticked})
    step = _prompt(flow, state, ctx, [], current)
    step.replies[-1] = replace(step.replies[-1], replace=True)
    return step


def _accept(flow: Flow[C], state: FlowState, ctx: C, current: Field[C], result: Ok[Any] | Problem,
            notes: list[Reply] | None = None) -> Step:
    notes = list(notes or [])
    if isinstance(result, Problem):
        return _prompt(flow, state, ctx, notes + [problem_reply(ctx, result)], current)
    if result.warning:
        notes.append(problem_reply(ctx, result.warning))
    values = {**state.values, current.name: result.value}
    return advance(flow, FlowState(flow.name, state.step + 1, values, {}), ctx, notes)


def advance(flow: Flow[C], state: FlowState, ctx: C, notes: list[Reply]) -> Step:
    values = dict(state.values)
    index = state.step
    while index < len(flow.fields):
        current = flow.fields[index]
        if current.name in values or (current.when and not current.when(ctx, values)):
            index += 1
            continue
        typed = values.get("_typed", {})
        if current.name in typed and current.parse:
            values["_typed"] = {k: v for k, v in typed.items() if k != current.name}
            here = FlowState(flow.name, index, values, {})
            result = current.parse(typed[current.name], ctx, values)
            if isinstance(result, Ask):
                step = _ask(here, ctx, result)
                return Step(notes + step.replies, step.state)
            return _accept(flow, here, ctx, current, result, notes)
        if values.get("_quick") and (current.default or current.optional):
            values[current.name] = current.default(ctx, values) if current.default else None
            index += 1
            continue
        return _prompt(flow, FlowState(flow.name, index, values, {}), ctx, notes, current)
    outcome = flow.finish(ctx, values)
    if isinstance(outcome, Problem):
        return Step(notes + [problem_reply(ctx, outcome)], None)
    follow = flow.then(ctx, values) if flow.then is not None else None
    if follow is None:
        return Step(notes + list(outcome), None)
    following = start(follow[0], ctx, "", follow[1])
    return Step(notes + list(outcome) + following.replies, following.state)


def _prompt(flow: Flow[C], state: FlowState, ctx: C, notes: list[Reply], current: Field[C]) -> Step:
    options = list(current.options(ctx, state.values)) if current.options else []
    nonce = secrets.token_hex(3)
    if "ticked" in state.pending:
        ticked = list(state.pending["ticked"])
    else:
        ticked = list(current.ticked(ctx, state.values)) if current.ticked else []
    params = current.prompt(ctx, state.values) if current.prompt else {}
    choices = [_choice(nonce, i, o, current.multi, o.value in ticked) for i, o in enumerate(options)]
    if current.multi:
        choices.append(button(FlowPick(nonce, DONE), "common.confirm"))
    if current.checklist:
        choices.append(button(FlowPick(nonce, ANYWAY), "checklist.anyway"))
    if current.optional:
        choices.append(button(FlowPick(nonce, SKIP), "common.skip"))
    pending = {"nonce": nonce, "options": [_stored(o) for o in options], "ticked": ticked}
    reply = Reply(current.key or f"{flow.name}.{current.name}.ask", ctx.lang, params, tuple(choices))
    return Step(notes + [reply], FlowState(flow.name, state.step, state.values, pending))


def _ask(state: FlowState, ctx: C, ask: Ask) -> Step:
    nonce = secrets.token_hex(3)
    choices = tuple(_choice(nonce, i, o, False, False) for i, o in enumerate(ask.options))
    pending = {"nonce": nonce, "options": [_stored(o) for o in ask.options], "ticked": []}
    return Step([Reply(ask.key, ctx.lang, ask.params, choices)], replace(state, pending=pending))


def _choice(nonce: str, index: int, option: Option, multi: bool, ticked: bool) -> Choice:
    if multi:
        return button(FlowPick(nonce, str(index)), "checklist.tick" if ticked else "checklist.untick",
                      {"label": render_label(option)})
    return button(FlowPick(nonce, str(index)), option.key, option.params)


def render_label(option: Option) -> Any:
    """Checklist labels arrive pre-localised in params (team-configured text, not catalog keys)."""
    return option.params.get("label", option.key)


def _stored(option: Option) -> JsonDict:
    return {"value": option.value, "key": option.key, "params": option.params}


def problem_reply(ctx: Visitor, problem: Problem) -> Reply:
    return Reply(problem.key, ctx.lang, dict(problem.params))
