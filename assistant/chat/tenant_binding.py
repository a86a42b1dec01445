"""A team bound to a tenant: the manager's `/bind` makes everyone of their tenant (a Feishu
tenant, a Slack workspace) who writes to the bot a member, with the role the manager set, no
invite code needed; `/bind off` ends it. The tenant is the one the platform gives with each
event (`ChatKey.tenant`), never one a user types, so only a platform that has tenants can bind.

Invite codes keep working beside a binding: a code someone sends is read as a code.
"""
from __future__ import annotations

import logging

from assistant.chat.context import Ctx, Visitor
from assistant.chat.routes import RunCommand, button
from assistant.chat.teams import may_invite
from assistant.events import Choice, Inbound, Reply
from assistant.i18n import LANGS, catalog, normalise_lang, render
from assistant.method.model import Role, TenantBinding
from assistant.method.results import Problem

log = logging.getLogger(__name__)

BOUND_ROLES = (Role.REP, Role.MANAGER)


def _words(key: str) -> set[str]:
    return {word.strip().lower() for lang in LANGS for word in catalog(lang).get(key, "").split("|") if word.strip()}


def _role_of(word: str) -> Role | None:
    names = {str(role): role for role in BOUND_ROLES}
    names |= {render(lang, f"role.{role}").lower(): role for lang in LANGS for role in BOUND_ROLES}
    return names.get(word)


def bind(ctx: Ctx, args: str) -> list[Reply]:
    """`/bind` (newcomers join as reps), `/bind 经理` (as managers), `/bind off`; `/bind` on a
    bound tenant shows the binding with its buttons."""
    if not ctx.who.tenant:
        return [Reply("bind.no_tenant", ctx.lang)]
    word = args.strip().lower()
    current = ctx.uow.tenant_bindings.get(ctx.who.platform, ctx.who.tenant)
    ours = current is not None and current.team_id == ctx.team.id
    if word in _words("bind.off_words"):
        if not ours or not ctx.uow.tenant_bindings.unbind(ctx.who.platform, ctx.who.tenant, ctx.team.id):
            return [Reply("bind.not_bound", ctx.lang)]
        log.info("tenant %s %s unbound from team %s by user %s", ctx.who.platform, ctx.who.tenant, ctx.team.id,
                 ctx.user.id)
        return [Reply("bind.off", ctx.lang, {"team": ctx.team.name})]
    if current is not None and not ours:
        return [Reply("bind.taken", ctx.lang)]
    if not word and current is not None:
        return [_status(ctx, current)]
    role = _role_of(word) if word else Role.REP
    if role is None:
        return [Reply("bind.unknown_role", ctx.lang)]
    if not may_invite(ctx.user, role):
        return [Reply("common.not_allowed", ctx.lang)]
    binding = TenantBinding(ctx.who.platform, ctx.who.tenant, ctx.team.id, role)
    if not ctx.uow.tenant_bindings.bind(binding, ctx.user.id, ctx.now):
        return [Reply("bind.taken", ctx.lang)]
    log.info("tenant %s %s bound to team %s (%s) by user %s", ctx.who.platform, ctx.who.tenant, ctx.team.id, role,
             ctx.user.id)
    return [Reply("bind.on", ctx.lang, {"team": ctx.team.name, "role": str(role)}, _buttons(role))]


def _status(ctx: Ctx, binding: TenantBinding) -> Reply:
    return Reply("bind.status", ctx.lang, {"team": ctx.team.name, "role": str(binding.role)}, _buttons(binding.role))


def _buttons(role: Role) -> tuple[Choice, ...]:
    other = Role.MANAGER if role == Role.REP else Role.REP
    return (button(RunCommand("bind", str(other)), "bind.button_role", {"role": str(other)}),
            button(RunCommand("bind", "off"), "bind.button_off"))


def binding_for(ctx: Visitor, event: Inbound) -> TenantBinding | None:
    """The binding that lets this stranger in: a private chat on a bound tenant, unless what
    they sent is an invite code (a code is read as a code)."""
    if not event.private or not ctx.who.tenant:
        return None
    binding = ctx.uow.tenant_bindings.get(ctx.who.platform, ctx.who.tenant)
    if binding is None or ctx.uow.teams.get(binding.team_id) is None:
        return None
    words = (event.text or "").split()
    if words and ctx.uow.invites.get(words[-1].upper()) is not None:
        return None
    return binding


def join(ctx: Visitor, name: str) -> Ctx | Problem:
    """Make the person a member of the bound team under `name`; the binding is read again, so
    one ended in the meantime lets no one in."""
    binding = ctx.uow.tenant_bindings.get(ctx.who.platform, ctx.who.tenant) if ctx.who.tenant else None
    team = ctx.uow.teams.get(binding.team_id) if binding is not None else None
    if binding is None or team is None:
        return Problem.of("bind.ended")
    lang = normalise_lang(ctx.lang) if ctx.lang else team.lang
    user = ctx.uow.users.add(team.id, name, binding.role, lang, ctx.now)
    ctx.uow.users.link(user.id, ctx.who)
    log.info("%s %s joined team %s through the tenant's binding", ctx.who.platform, ctx.who.user, team.id)
    return Ctx(uow=ctx.uow, clock=ctx.clock, who=ctx.who, lang=lang, private=ctx.private, can_form=ctx.can_form,
               user=user, team=team)


def welcome(member: Ctx) -> Reply:
    return Reply("bind.welcome", member.lang, {"name": member.user.name, "team": member.team.name,
                                               "role": str(member.user.role)})
