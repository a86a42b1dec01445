"""Join a team with an invite code: the only thing an unknown user can do."""
from __future__ import annotations

from typing import Any

from assistant.chat.context import Visitor
from assistant.chat.flows import answers
from assistant.chat.flows.definition import Field, Flow
from assistant.chat.teams import check_invite, try_invite
from assistant.events import Reply
from assistant.i18n import normalise_lang
from assistant.method.model import JsonDict, Params
from assistant.method.results import Ok, Problem


def code(raw: str, ctx: Visitor, values: JsonDict) -> Ok[Any] | Problem:
    found = try_invite(ctx.uow, ctx.who, raw, ctx.now)
    return found if isinstance(found, Problem) else Ok(found.code)


def shortcut(args: str, ctx: Visitor) -> Params:
    return {"_typed": {"code": args.split()[0]}}


def finish(ctx: Visitor, values: JsonDict) -> list[Reply] | Problem:
    invite = check_invite(ctx.uow, values["code"], ctx.now)
    if isinstance(invite, Problem):
        return invite
    if not ctx.uow.invites.claim(invite.code, ctx.now):
        return Problem.of("join.used_code")
    team = ctx.uow.teams.get(invite.team_id)
    if team is None:
        return Problem.of("join.unknown_code", code=invite.code)
    lang = normalise_lang(ctx.lang) if ctx.lang else team.lang
    user = ctx.uow.users.add(team.id, values["name"], invite.role, lang, ctx.now)
    ctx.uow.invites.record_user(invite.code, user.id)
    ctx.uow.users.link(user.id, ctx.who)
    return [Reply("join.welcome", lang, {"name": user.name, "team": team.name, "role": str(invite.role)}),
            Reply(f"help.{user.role}", lang)]


FLOW: Flow[Visitor] = Flow("join_team", shortcut=shortcut, quick=True, finish=finish, fields=(
    Field("code", parse=code),
    Field("name", parse=answers.text(answers.NAME_MAX)),
))
