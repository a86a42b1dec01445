"""Slack's rate limits on every Web API call the adapter makes: a 429 with Retry-After is waited
out for a reply (nothing lost, nothing sent twice), and a push's outbox row is delayed for as
long as Slack asks, not failed, while other pushes go."""
from __future__ import annotations

import threading
import time
from dataclasses import replace
from datetime import UTC, date, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from assistant.events import ChatKey, Reply
from assistant.push import agenda
from assistant.push.delivery import deliver_due
from handlers import slack as adapter
from storage.models import OutboxRow
from tests.adapters.slack_chat import CHANNEL, REP, client_for, texts
from tests.adapters.test_slack import deals_of, join, posted


def attempts(fake, method: str) -> list[int]:
    return [c.status for c in fake.sent(method, ok_only=False)]


def limit_next(fake, method: str, wait: int = 1, after: int = 0) -> None:
    fake.fail_next(method, "ratelimited", status=429, retry_after=wait, after=after)


def test_a_429_on_an_ephemeral_reply_is_waited_out(slack, invite, fake_slack):
    join(slack, REP, invite())
    limit_next(fake_slack, "chat.postEphemeral")
    began = time.monotonic()
    response = slack.mention(REP, CHANNEL, "deals")
    assert attempts(fake_slack, "chat.postEphemeral") == [429, 200] and time.monotonic() - began >= 1
    assert "只在私聊里显示" in texts(response.calls)


def test_a_429_on_an_update_in_place_is_waited_out_and_nothing_is_posted_instead(slack, invite, demo, fake_slack):
    join(slack, REP, invite())
    slack.command(REP, "new 华为技术有限公司 机房搬迁 30万 月底")
    slack.command(REP, f"advance {deals_of(demo, REP)[-1].id}")
    limit_next(fake_slack, "chat.update")
    box = next(label for label in slack.button(REP, "⬜")[0].labels() if label.startswith("⬜"))
    tick = slack.press(REP, box)
    assert attempts(fake_slack, "chat.update") == [429, 200]
    assert not posted(tick.calls)  # the same message edited, not a second one posted


def test_a_429_on_views_open_still_opens_the_form(slack, invite, fake_slack):
    join(slack, REP, invite())
    limit_next(fake_slack, "views.open")
    response = slack.command(REP, "new")
    assert attempts(fake_slack, "views.open") == [429, 200]
    assert not posted(response.calls)  # the form, not its text as a message


def test_a_429_on_views_publish_still_publishes_home(slack, invite, fake_slack):
    join(slack, REP, invite())
    limit_next(fake_slack, "views.publish")
    slack.open_home(REP)
    assert attempts(fake_slack, "views.publish")[-2:] == [429, 200]
    assert "赵敏" in slack.home(REP).view_text


@pytest.mark.parametrize("method", ["files.getUploadURLExternal", "files.completeUploadExternal"])
def test_a_429_in_a_chart_upload_is_waited_out_and_the_chart_goes_once(slack, invite, fake_slack, method):
    join(slack, REP, invite())
    slack.command(REP, "new 华为技术有限公司 机房搬迁 30万 月底")
    limit_next(fake_slack, method)
    calls = slack.dm(REP, "漏斗").calls
    assert attempts(fake_slack, method) == [429, 200]
    assert [c.method for c in calls].count("upload") == 1 and "目标客户" in texts(calls)


def _overdue_reminder(slack, demo, clock) -> None:
    slack.command(REP, "new 华为技术有限公司 机房搬迁 30万 月底")
    deal = deals_of(demo, REP)[-1]
    with demo() as uow:
        uow.deals.save(replace(deal, next_step="提交方案", next_due=date(2026, 11, 10)))
        assert agenda.enqueue(uow, clock) >= 1
        uow.commit()


def _rows(demo):
    with demo() as uow:
        rows = uow.session.scalars(select(OutboxRow).where(OutboxRow.kind == agenda.AGENDA,
                                                       OutboxRow.platform == "slack"))
        return [SimpleNamespace(status=r.status, due_at=r.due_at) for r in rows]


def test_a_rate_limited_push_waits_in_the_outbox_as_long_as_slack_asks_then_goes_once(
        slack, invite, demo, clock, fake_slack):
    join(slack, REP, invite())
    _overdue_reminder(slack, demo, clock)
    deliverer = adapter.SlackDeliverer(adapter.Sender(client_for(fake_slack)))
    limit_next(fake_slack, "chat.postMessage", wait=30)
    began = time.monotonic()
    tally = deliver_due(demo, clock, deliverer, "w1")
    assert (tally.sent, tally.delayed, tally.retried) == (0, 1, 0) and time.monotonic() - began < 5  # not slept on
    [row] = [r for r in _rows(demo) if r.status == "pending"]
    assert row.due_at.replace(tzinfo=UTC) == clock.now() + timedelta(seconds=30)
    assert deliver_due(demo, clock, deliverer, "w1").sent == 0  # not before its time
    clock.at += timedelta(seconds=31)
    mark = fake_slack.mark()
    assert deliver_due(demo, clock, deliverer, "w1").sent == 1
    [reminder] = posted(fake_slack.since(mark))
    assert reminder.channel == REP.dm and "提交方案" in reminder.text
    assert {r.status for r in _rows(demo)} == {"sent"}


def test_a_429_after_part_of_a_push_went_is_waited_out_so_nothing_is_sent_twice(slack, invite, fake_slack):
    join(slack, REP, invite())
    deliverer = adapter.SlackDeliverer(adapter.Sender(client_for(fake_slack)))
    limit_next(fake_slack, "chat.postMessage", after=1)
    to = ChatKey("slack", REP.dm, REP.id, REP.team)
    mark = fake_slack.mark()
    outcome = deliverer.send(to, [Reply("common.cancelled", "zh"), Reply("common.nothing_to_cancel", "zh")])
    sent = [c for c in fake_slack.since(mark, ok_only=False) if c.method == "chat.postMessage"]
    assert [c.status for c in sent] == [200, 429, 200]
    assert isinstance(outcome, adapter.Delivered)


def test_per_person_turns_serialise_and_leave_nothing_behind(demo, clock, fake_slack):
    """One person's events run one at a time; the table of their locks empties when none waits,
    so a process meeting many people does not grow it without bound."""
    bridge = adapter._Bridge(demo, clock, adapter.Sender(client_for(fake_slack)))
    who = ChatKey("slack", REP.dm, REP.id, REP.team)
    order: list[str] = []

    def second() -> None:
        with bridge.in_turn(who):
            order.append("second")
    with bridge.in_turn(who):
        waiting = threading.Thread(target=second)
        waiting.start()
        time.sleep(0.2)
        order.append("first")
    waiting.join(5)
    assert order == ["first", "second"]
    for n in range(200):
        with bridge.in_turn(ChatKey("slack", f"D{n}", f"U{n}", REP.team)):
            pass
    assert bridge._chats == {}
