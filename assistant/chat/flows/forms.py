"""The form side of a flow: its fields shown at once (a Slack modal, a Feishu card), and the
submitted answer read by the same parsers as the chat steps.

A form shows the fields that read no other answer (`Field.when` is None); the rest (a stage's
checklist, a next step's date) follow in chat once the form is read. Nothing is saved before
every field is read: a refused field shows the form again with the user's input and an error
per field.

An answer a parser asks back (an `Ask`: a close customer name, several matching deals, a close
date in the past) is handed back to chat after the submit, every other answer kept. Chosen over
turning the field into a select: it works where a form closes on submit (a Slack modal), the
pick is one of the runner's nonce-checked buttons (a candidate is never trusted from the client)
and every kind of `Ask` goes the one way.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from assistant.chat.context import Ctx
from assistant.chat.flows.definition import Ask, Field, Flow, Option
from assistant.chat.flows.runner import Step, advance, problem_reply
from assistant.events import CHOICE, MULTI, Choice, Form, FormAnswer, FormField, Reply
from assistant.i18n import has_key
from assistant.method.model import FlowState, JsonDict
from assistant.method.results import Ok, Problem

SUBMIT = "form.submit"

FormValues = Mapping[str, str | tuple[str, ...]]


def form_fields(flow: Flow[Ctx]) -> tuple[Field[Ctx], ...]:
    """The fields a form shows: those that read no earlier answer."""
    return tuple(f for f in flow.fields if f.when is None)


def open_form(flow: Flow[Ctx], ctx: Ctx, values: FormValues | None = None,
              errors: Mapping[str, Reply] | None = None) -> Reply:
    """The reply that shows `flow` as a form; with the user's earlier input (`values`) and an
    error per refused field when a refused form is shown again."""
    values, errors = values or {}, errors or {}
    fields = tuple(_describe(flow, f, ctx, values.get(f.name), errors.get(f.name)) for f in form_fields(flow))
    form = Form(flow.name, f"form.{flow.name}.title", SUBMIT, fields)
    if errors:
        return Reply("form.invalid", ctx.lang, {"count": len(errors)}, errors=dict(errors), form=form)
    return Reply(form.title, ctx.lang, form=form)


def _describe(flow: Flow[Ctx], current: Field[Ctx], ctx: Ctx, value: str | tuple[str, ...] | None,
              error: Reply | None) -> FormField:
    hint = f"{flow.name}.{current.name}.hint"
    return FormField(
        name=current.name, label=f"{flow.name}.{current.name}.label",
        kind=MULTI if current.multi else CHOICE if current.options else current.kind,
        hint=hint if has_key(ctx.lang, hint) else None,
        options=tuple(Choice(str(o.value), o.key, o.params) for o in _options(current, ctx)),
        accepts_text=current.options is not None and current.parse is not None and not current.multi,
        optional=current.optional or current.default is not None, value=value, error=error)


def _options(current: Field[Ctx], ctx: Ctx) -> list[Option]:
    return list(current.options(ctx, {})) if current.options else []


def submit(flow: Flow[Ctx], ctx: Ctx, answer: FormAnswer) -> Step:
    """Read every field of a submitted form. Any refusal shows the form again (the chat's
    flow in progress, if any, is left as it was); otherwise the flow goes on as in chat:
    asked-back answers first, then the fields a form does not show, then its finish."""
    values: dict[str, Any] = {}
    typed: dict[str, str] = {}
    errors: dict[str, Reply] = {}
    notes: list[Reply] = []
    for current in form_fields(flow):
        raw = answer.values.get(current.name)
        outcome = _read(current, ctx, values, raw)
        if isinstance(outcome, Reply):
            errors[current.name] = outcome
        elif isinstance(outcome, Ask):
            typed[current.name] = _single(raw)
        else:
            values[current.name] = outcome.value
            if outcome.warning:
                notes.append(problem_reply(ctx, outcome.warning))
    if errors:
        return Step([open_form(flow, ctx, answer.values, errors)], ctx.uow.flow_states.get(ctx.who))
    start = {"_quick": False, **values} | ({"_typed": typed} if typed else {})
    return advance(flow, FlowState(flow.name, 0, start, {}), ctx, notes)


def _single(raw: str | tuple[str, ...] | None) -> str:
    if isinstance(raw, tuple):
        return raw[0].strip() if len(raw) == 1 else ""
    return (raw or "").strip()


def _read(current: Field[Ctx], ctx: Ctx, values: JsonDict, raw: str | tuple[str, ...] | None) -> Ok[Any] | Ask | Reply:
    """One field's answer: a value, a question back, or the error to show under the field."""
    offered = {str(o.value): o.value for o in _options(current, ctx)}
    if current.multi:
        picked = (raw,) if isinstance(raw, str) else tuple(raw or ())
        picked = tuple(p for p in picked if p.strip())
        if any(p not in offered for p in picked):
            return Reply("form.not_offered", ctx.lang)
        if picked:
            ticked = [offered[p] for p in picked]
            unticked = [v for v in offered.values() if v not in ticked]
            return Ok({"ticked": ticked, "unticked": unticked, "complete": not unticked})
    elif isinstance(raw, tuple) and len(raw) > 1:
        return Reply("form.not_offered", ctx.lang)
    text = "" if current.multi else _single(raw)
    if not text:
        if current.optional:
            return Ok(None)
        if current.default:
            return Ok(current.default(ctx, values))
        return Reply("form.required", ctx.lang)
    if text in offered:
        return Ok(offered[text])
    if current.parse is None:
        return Reply("form.not_offered", ctx.lang)
    result = current.parse(text, ctx, values)
    return problem_reply(ctx, result) if isinstance(result, Problem) else result
