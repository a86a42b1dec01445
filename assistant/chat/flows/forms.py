"""The form side of a flow: every field a form can show at once (a Slack modal, a Feishu card),
and a submitted form run through the same parsers as the chat steps."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from assistant.chat.context import Ctx
from assistant.chat.flows.definition import Ask, Field, Flow, Option
from assistant.chat.flows.runner import Step, advance, problem_reply
from assistant.events import Reply
from assistant.i18n import render
from assistant.method.model import FlowState
from assistant.method.results import Problem


@dataclass(frozen=True)
class FormField:
    """One input of a form (a Slack modal): label key, buttons if any."""

    name: str
    key: str
    options: tuple[Option, ...]
    optional: bool
    multi: bool


def describe(flow: Flow, ctx: Ctx) -> list[FormField]:
    """The fields a form can show at once: those that do not depend on earlier answers.
    The rest (a stage's checklist) follow in chat after the form is submitted."""
    return [FormField(f.name, f"{flow.name}.{f.name}.ask", tuple(f.options(ctx, {})) if f.options else (),
                      f.optional, f.multi) for f in flow.fields if f.when is None]


def submit_form(flow: Flow, ctx: Ctx, form: dict[str, str]) -> Step:
    """Run every field's parser on a submitted form. Any refusal comes back as
    `Reply.errors` keyed by field, nothing saved; otherwise the flow goes on as in chat."""
    values: dict[str, Any] = {}
    errors: dict[str, Reply] = {}
    for described in describe(flow, ctx):
        current = flow.field(described.name)
        outcome = _form_value(current, described, ctx, values, (form.get(current.name) or "").strip())
        if isinstance(outcome, Reply):
            errors[current.name] = outcome
        else:
            values[current.name] = outcome
    if errors:
        return Step([Reply("form.invalid", ctx.lang, {"count": len(errors)}, errors=errors)], None)
    return advance(flow, FlowState(flow.name, 0, {"_quick": False, **values}, {}), ctx, [])


def _form_value(current: Field, described: FormField, ctx: Ctx, values: dict, raw: str) -> Any:
    if not raw:
        if current.optional:
            return None
        if current.default:
            return current.default(ctx, values)
        return Reply("form.required", ctx.lang)
    if current.multi:
        offered = [o.value for o in described.options]
        ticked = [v for v in raw.split(",") if v in offered]
        return {"ticked": ticked, "unticked": [v for v in offered if v not in ticked],
                "complete": len(ticked) == len(offered)}
    if current.parse:
        result = current.parse(raw, ctx, values)
        if isinstance(result, Ask):
            names = [render(ctx.lang, o.key, **o.params) for o in result.options]
            return Reply("form.ambiguous", ctx.lang, {"choices": names})
        return problem_reply(ctx, result) if isinstance(result, Problem) else result.value
    picked = [o.value for o in described.options if str(o.value) == raw]
    return picked[0] if picked else Reply("common.pick_a_button", ctx.lang)
