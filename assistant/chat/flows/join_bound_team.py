"""Join the team a tenant is bound to, when the platform gave no name: the name is all it asks."""
from __future__ import annotations

from assistant.chat import tenant_binding
from assistant.chat.context import Visitor
from assistant.chat.flows import answers
from assistant.chat.flows.definition import Field, Flow
from assistant.events import Reply
from assistant.method.model import JsonDict
from assistant.method.results import Problem


def finish(ctx: Visitor, values: JsonDict) -> list[Reply] | Problem:
    member = tenant_binding.join(ctx, values["name"])
    if isinstance(member, Problem):
        return member
    return [tenant_binding.welcome(member), Reply(f"help.{member.user.role}", member.lang)]


FLOW: Flow[Visitor] = Flow("join_bound_team", quick=True, finish=finish, fields=(
    Field("name", parse=answers.text(answers.NAME_MAX)),
))
