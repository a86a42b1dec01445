"""Register a customer by its legal name. The same name after normalisation is refused with
the existing one named; a close one is asked back ("name + department" is its own customer)."""
from __future__ import annotations

from typing import Any

from assistant.chat.context import Ctx
from assistant.chat.flows import answers
from assistant.chat.flows.definition import Ask, Field, Flow, Option
from assistant.events import Reply
from assistant.method.customer_names import normalise_name
from assistant.method.model import JsonDict
from assistant.method.results import Ok, Problem


def name(raw: str, ctx: Ctx, values: JsonDict) -> Ok[Any] | Problem | Ask:
    checked = answers.text(answers.NAME_MAX)(raw, ctx, values)
    if isinstance(checked, Problem):
        return checked
    typed = checked.value
    matches = answers.customer_matches(ctx, typed)
    same = [m for m in matches if m.verdict == "same"]
    if same:
        return Problem.of("new_customer.exists", name=same[0].name)
    if matches:
        options = [Option({"id": m.id, "name": m.name}, "new_customer.is_existing", {"name": m.name}) for m in matches]
        options.append(Option({"new": typed}, "new_customer.create_anyway", {"name": typed}))
        return Ask("new_customer.same_as", tuple(options), {"name": typed})
    return Ok({"new": typed})


def finish(ctx: Ctx, values: JsonDict) -> list[Reply]:
    chosen = values["name"]
    if "id" in chosen:
        return [Reply("new_customer.kept_existing", ctx.lang, {"name": chosen["name"]})]
    ctx.uow.customers.add(ctx.team.id, ctx.user.id, chosen["new"], normalise_name(chosen["new"]), ctx.now)
    return [Reply("new_customer.created", ctx.lang, {"name": chosen["new"]})]


FLOW: Flow[Ctx] = Flow("new_customer", finish=finish, form=True,
                       shortcut=lambda args, ctx: {"_typed": {"name": args.strip()}},
                       fields=(Field("name", parse=name),))
