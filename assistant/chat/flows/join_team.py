"""Join a team with an invite code: the only thing an unknown user can do. A `/link` code is
an invite too: it adds the sender's identity to the member who asked for it, so one person uses
Telegram and Slack on the same deals."""
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


def links(ctx: Visitor, values: JsonDict) -> bool:
    """The code is a `/link` code: the member is known, so no name is asked."""
    invite = ctx.uow.invites.get(str(values.get("code") or ""))
    return invite is not None and invite.link_user_id is not None


def finish(ctx: Visitor, values: JsonDict) -> list[Reply] | Problem:
    invite = check_invite(ctx.uow, values["code"], ctx.now)
    if isinstance(invite, Problem):
        return invite
    if not ctx.uow.invites.claim(invite.code, ctx.now):
        return Problem.of("join.used_code")
    team = ctx.uow.teams.get(invite.team_id)
    if team is None:
        return Problem.of("join.unknown_code", code=invite.code)
    if invite.link_user_id is not None:
        return _link(ctx, invite.code, invite.link_user_id)
    lang = normalise_lang(ctx.lang) if ctx.lang else team.lang
    user = ctx.uow.users.add(team.id, values["name"], invite.role, lang, ctx.now)
    ctx.uow.invites.record_user(invite.code, user.id)
    ctx.uow.users.link(user.id, ctx.who)
    return [Reply("join.welcome", lang, {"name": user.name, "team": team.name, "role": str(invite.role)}),
            Reply(f"help.{user.role}", lang)]


def _link(ctx: Visitor, code: str, user_id: int) -> list[Reply] | Problem:
    """This identity becomes the member's too, and the one their pushes go to now."""
    member = ctx.uow.users.get(user_id)
    team = ctx.uow.teams.get(member.team_id) if member and member.team_id else None
    if member is None or team is None or not member.active:
        return Problem.of("link.gone")
    if ctx.uow.users.by_identity(ctx.who.platform, ctx.who.tenant, ctx.who.user) is not None:
        return Problem.of("join.used_code")  # an identity already somebody's is never moved to another
    ctx.uow.invites.record_user(code, member.id)
    ctx.uow.users.link(member.id, ctx.who)
    ctx.uow.users.touch(ctx.who.platform, ctx.who.tenant, ctx.who.user, ctx.now)
    return [Reply("link.linked", member.lang, {"name": member.name, "team": team.name}), Reply(f"help.{member.role}",
                                                                                             member.lang)]


FLOW: Flow[Visitor] = Flow("join_team", shortcut=shortcut, quick=True, finish=finish, fields=(
    Field("code", parse=code),
    Field("name", parse=answers.text(answers.NAME_MAX), when=lambda ctx, values: not links(ctx, values)),
))
