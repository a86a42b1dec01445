"""Add a contact to a customer with their role in the purchase (domain §6)."""
from __future__ import annotations

from typing import Any

from assistant.chat.context import Ctx
from assistant.chat.flows import answers
from assistant.chat.flows.definition import Ask, Field, Flow, Option
from assistant.events import Reply
from assistant.method.model import CONTACT_ROLES, JsonDict, Params
from assistant.method.numbers import shown
from assistant.method.results import Ok, Problem


def existing_customer(raw: str, ctx: Ctx, values: JsonDict) -> Ok[Any] | Problem | Ask:
    """One of the team's customers; unlike a new deal, no customer is created here, so a
    name without department also finds the customer's departments ("腾讯" → its 采购部)."""
    matches = answers.customer_matches(ctx, raw.strip(), search=True)
    same = [m for m in matches if m.verdict == "same"]
    if same:
        return Ok(same[0].id)
    if not matches:
        return Problem.of("add_contact.no_customer", name=shown(raw))
    return Ask("add_contact.which_customer", tuple(Option(m.id, "customer.use_existing", {"name": m.name})
                                                   for m in matches), {"name": raw.strip()})


def finish(ctx: Ctx, values: JsonDict) -> list[Reply] | Problem:
    customer = ctx.uow.customers.get(values["customer"])
    if customer is None:
        return Problem.of("deal.not_found", ref=str(values["customer"]))
    ctx.uow.customers.add_contact(customer.id, values["name"], values.get("title") or "", values["role"])
    contacts = [{"name": c.name, "title": c.title, "role": c.role} for c in ctx.uow.customers.contacts(customer.id)]
    return [Reply("add_contact.done", ctx.lang, {"customer": customer.name, "contacts": contacts})]


def shortcut(args: str, ctx: Ctx) -> Params:
    """`/contact 华为技术有限公司 王芳 采购经理`: customer, then name, then title."""
    return {"_typed": dict(zip(("customer", "name", "title"), args.split(maxsplit=2), strict=False))}


FLOW: Flow[Ctx] = Flow("add_contact", finish=finish, form=True, shortcut=shortcut,
            fields=(
                Field("customer", parse=existing_customer),
                Field("name", parse=answers.text(answers.NAME_MAX)),
                Field("title", parse=answers.text(answers.NAME_MAX), optional=True),
                Field("role", options=lambda ctx, values: [Option(r, f"contact_role.{r}") for r in CONTACT_ROLES]),
            ))
