"""Teams, members, invite codes, and the team groups that receive the digest."""
from __future__ import annotations

import logging
import secrets
from datetime import datetime, timedelta
from typing import NotRequired, TypedDict

from assistant.chat.context import Ctx
from assistant.events import ChatKey, Reply
from assistant.method.model import Invite, Role, Team, User
from assistant.method.numbers import shown
from assistant.method.results import Problem
from assistant.method.stages import Funnel
from assistant.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)

INVITE_DAYS = 7
LINK_MINUTES = 15  # a /link code is typed on another device right away; it need not live long
# No 0/O or 1/I/l: codes are read off a screen and typed on a phone.
_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def new_invite_code() -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(8))


def create_invite(uow: UnitOfWork, team: Team, by: User | None, role: Role, now: datetime) -> Invite:
    """A single-use code that joins `team` with `role`, valid for INVITE_DAYS."""
    invite = Invite(new_invite_code(), team.id, role, now + timedelta(days=INVITE_DAYS))
    uow.invites.add(invite, by.id if by else None)
    return invite


def create_link_code(uow: UnitOfWork, user: User, now: datetime) -> Invite:
    """A single-use code that, sent from another platform (or account), adds that identity to
    `user`: one person on Telegram and Slack with the same deals. Valid for LINK_MINUTES."""
    assert user.team_id is not None
    invite = Invite(new_invite_code(), user.team_id, user.role, now + timedelta(minutes=LINK_MINUTES),
                    link_user_id=user.id)
    uow.invites.add(invite, user.id)
    return invite


def create_team(uow: UnitOfWork, name: str, funnel: Funnel, lang: str, timezone_name: str, by: User | None,
                now: datetime, currency: str = "CNY") -> tuple[Team, Invite]:
    """A new team, reporting in `currency`, and the invite for its first manager."""
    team = uow.teams.add(name, funnel, now, lang=lang, timezone_name=timezone_name, currency=currency)
    return team, create_invite(uow, team, by, Role.MANAGER, now)


def may_invite(user: User, role: Role) -> bool:
    """Managers invite reps and managers to their team; only an admin invites an admin."""
    if role == Role.ADMIN:
        return user.role == Role.ADMIN
    return user.is_manager


INVITE_ATTEMPTS = 10  # codes that did not work, per identity and window; then refused until it passes
INVITE_WINDOW = timedelta(hours=1)


def try_invite(uow: UnitOfWork, who: ChatKey, code: str, now: datetime) -> Invite | Problem:
    """`check_invite` for someone typing a code: a code that does not work is recorded and
    logged, and after `INVITE_ATTEMPTS` of them within `INVITE_WINDOW` no code is even looked
    up (guessing codes stops there)."""
    if uow.invites.failed_attempts(who, now - INVITE_WINDOW) >= INVITE_ATTEMPTS:
        log.warning("invite attempt refused: %s %s has had %d failed attempts within %s", who.platform, who.user,
                    INVITE_ATTEMPTS, INVITE_WINDOW)
        return Problem.of("join.too_many_attempts", minutes=int(INVITE_WINDOW.total_seconds() // 60))
    found = check_invite(uow, code, now)
    if isinstance(found, Problem):
        uow.invites.record_failed_attempt(who, now)
        log.warning("invite code %r failed for %s %s (%s)", shown(code), who.platform, who.user, found.key)
    return found


def check_invite(uow: UnitOfWork, code: str, now: datetime) -> Invite | Problem:
    invite = uow.invites.get(code.strip().upper())
    if invite is None:
        return Problem.of("join.unknown_code", code=shown(code))
    if invite.used:
        # Someone already in the team writing from another platform is shown the way to be one
        # person there (/link), never joined to that member on the code alone, nor made a second one.
        member = uow.users.get(invite.used_by) if invite.used_by is not None else None
        return Problem.of("join.used_by_member", name=member.name) if member else Problem.of("join.used_code")
    if invite.expires_at <= now:
        return Problem.of("link.expired" if invite.link_user_id else "join.expired_code", minutes=LINK_MINUTES)
    return invite


class GroupChat(TypedDict):
    """A team group the weekly digest goes to, and the manager who registered it."""

    platform: str
    tenant: NotRequired[str]  # registered before tenants existed: ""
    chat: str
    by: int


def group_chats(team: Team) -> list[GroupChat]:
    return list(team.settings.get("digest_chats", []))


def toggle_group(ctx: Ctx) -> list[Reply]:
    """/groupdigest in a team group: the weekly digest also goes to this chat (or stops)."""
    if ctx.private:
        return [Reply("team.group_digest_in_group", ctx.lang)]
    chats = group_chats(ctx.team)
    kept = [c for c in chats if (c["platform"], c.get("tenant", ""), c["chat"])
            != (ctx.who.platform, ctx.who.tenant, ctx.who.chat)]
    on = len(kept) == len(chats)
    here = GroupChat(platform=ctx.who.platform, tenant=ctx.who.tenant, chat=ctx.who.chat, by=ctx.user.id)
    ctx.uow.teams.set_settings(ctx.team.id, ctx.team.settings | {"digest_chats": kept + ([here] if on else [])})
    return [Reply("team.group_digest_on" if on else "team.group_digest_off", ctx.lang, {"team": ctx.team.name})]
