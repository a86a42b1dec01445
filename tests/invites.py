"""Self-check invites as the outbox holds them once sent: the digest names only reps who were
asked and did not answer, so a test of that list sends the invites first."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from assistant.method.cadence import week_label
from assistant.method.model import OutboxItem
from assistant.push.self_check import SELF_CHECK

# The Monday before the fixtures' "today" (Wednesday 2026-11-18): the week a digest reports on.
LAST_MONDAY_9AM = datetime(2026, 11, 9, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai")).astimezone(UTC)


def invites_sent(make_uow, user_ids: list[int], at: datetime = LAST_MONDAY_9AM) -> None:
    week = week_label(at.date())
    with make_uow() as uow:
        for user_id in user_ids:
            uow.outbox.add(OutboxItem(f"{SELF_CHECK}:{user_id}:{week}", SELF_CHECK, user_id, "console", week, at), at)
        for item in uow.outbox.claim("inviter", ("console",), at, at + timedelta(minutes=5), 100, user_ids):
            uow.outbox.settle(item.id, "inviter", "sent", at)
        uow.commit()
