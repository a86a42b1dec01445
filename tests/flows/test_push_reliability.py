"""The outbox under faults: a row that breaks stalls no other, pushes follow the user to the
platform they use now, a process claims only what it can deliver, superseded pushes are dropped,
and each push's condition is checked again when it is built."""
from __future__ import annotations

import logging
from dataclasses import replace
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from assistant.push import reminders
from assistant.push.delivery import MAX_ATTEMPTS, SENT, deliver_due

SHANGHAI = ZoneInfo("Asia/Shanghai")


def local(year, month, day, hour, minute=0):
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI).astimezone(UTC)


class Recorder:
    """A platform's sender that records what it sends; `broken` deals make it raise (a chart
    that can't be drawn, a template error)."""

    def __init__(self, platform="console", broken=()):
        self.platform, self.broken, self.sent = platform, set(broken), []

    def send(self, to, replies):
        if replies[0].params.get("id") in self.broken:
            raise ValueError("chart could not be drawn")
        self.sent.append((to.platform, to.user, replies[0].key, replies[0].params.get("id")))
        return SENT


def all_rows(make_uow):
    with make_uow() as uow:
        return [item for user in uow.users.members(1) for item in uow.outbox.of_user(user.id)]


def overdue_everywhere(make_uow, clock):
    with make_uow() as uow:
        for deal in uow.deals.find(1, status="open"):
            uow.deals.save(replace(deal, next_due=date(2026, 11, 10)))
        added = reminders.enqueue(uow, clock)
        uow.commit()
    return added


def test_one_failing_row_stalls_no_other_and_fails_after_its_last_attempt(demo, make_uow, clock, caplog):
    assert overdue_everywhere(make_uow, clock) == 8
    bad = int(min(all_rows(make_uow), key=lambda item: item.id).subject)
    sender = Recorder(broken={bad})
    with caplog.at_level(logging.ERROR, logger="assistant.push.delivery"):
        tally = deliver_due(make_uow, clock, sender, "w1")
    assert tally.sent == 7 and len(sender.sent) == 7 and bad not in {deal for *_, deal in sender.sent}
    [failing] = [item for item in all_rows(make_uow) if item.subject == str(bad)]
    assert failing.status == "pending" and failing.attempts == 1 and "chart could not be drawn" in failing.last_error
    assert failing.due_at > clock.now()
    assert any(str(failing.id) in record.getMessage() for record in caplog.records)
    for _ in range(3 * MAX_ATTEMPTS):  # each retry when it is due (quiet hours move some to the morning)
        clock.at = max(clock.at, failing.due_at)
        deliver_due(make_uow, clock, sender, "w1")
        [failing] = [item for item in all_rows(make_uow) if item.subject == str(bad)]
    assert failing.status == "failed" and failing.attempts == MAX_ATTEMPTS
    assert len(sender.sent) == 7
