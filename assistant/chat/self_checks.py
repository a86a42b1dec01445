"""Which week a self-check answers, and who left theirs unanswered: both read from the invites
actually sent (the outbox), not from the calendar, since quiet hours or weekends may carry a
Sunday-evening invite into the next ISO week, and a rep who joined later was never asked."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from assistant.chat.context import Ctx
from assistant.method.cadence import SELF_CHECK_INVITE, week_label
from assistant.method.model import Role, Team

ANSWER_WITHIN = timedelta(days=7)


def answering_week(ctx: Ctx) -> str:
    """The week a check started now is recorded under: that of the latest invite sent to this rep
    in the past week and not answered yet, else the current week (a check nobody asked for)."""
    return week_to_answer(ctx.uow, ctx.user.id, ctx.now, ctx.today)


def week_to_answer(uow: Any, user_id: int, now: datetime, today: date) -> str:
    """`answering_week` for any member (a manager's view of the team's checks)."""
    invite = uow.outbox.last_sent(user_id, SELF_CHECK_INVITE, now - ANSWER_WITHIN)
    if invite is not None and not uow.self_checks.done(user_id, invite.subject):
        return str(invite.subject)
    return week_label(today)


def skipped(uow: Any, team: Team, today: date) -> list[int]:
    """The reps whose invite went out last week (Monday to Sunday, team time, the week the
    digest reports on) and who have not answered it."""
    zone = ZoneInfo(team.timezone)
    start = datetime.combine(today - timedelta(days=today.weekday() + 7), time(), zone)
    reps = [member.id for member in uow.users.members(team.id) if member.role == Role.REP]
    invites = uow.outbox.sent_between(SELF_CHECK_INVITE, reps, start, start + timedelta(days=7))
    return sorted({invite.user_id for invite in invites if not uow.self_checks.done(invite.user_id, invite.subject)})
