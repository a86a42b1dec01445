"""The scheduler run with a controllable clock: scan and send every half hour, then count what
each person received, and when: a week of the demo team, and a month of a busy rep."""
from collections import Counter, defaultdict
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from assistant.push import jobs
from assistant.push.delivery import SENT, deliver_due

SHANGHAI = ZoneInfo("Asia/Shanghai")
WEEKLY = ("weekly_check.invite", "weekly_check.nudge")


class Recorder:
    platform = "console"

    def __init__(self, clock):
        self.clock = clock
        self.sent = []

    def send(self, to, replies):
        deals = [item["id"] for reply in replies for item in reply.params.get("items", ())]
        self.sent.append((to.user, replies[0].key, self.clock.now().astimezone(SHANGHAI), deals))
        return SENT


def run(make_uow, clock, recorder, days, step=timedelta(minutes=30)):
    end = clock.at + timedelta(days=days)
    while clock.at < end:
        jobs.scan(make_uow, clock)
        deliver_due(make_uow, clock, recorder, "w1")
        clock.at += step


def test_a_simulated_week(demo, make_uow, clock):
    recorder = Recorder(clock)
    clock.at = datetime(2026, 11, 23, 0, 0, tzinfo=SHANGHAI).astimezone(UTC)
    run(make_uow, clock, recorder, 7)
    assert all(8 <= at.hour < 20 and at.weekday() < 5 for _, _, at, _ in recorder.sent)
    received = Counter((user, key) for user, key, _, _ in recorder.sent)
    # one agenda each working day (every deal of theirs is late by Monday); the self-check on
    # Monday 09:00, its nudge carried by Tuesday's agenda, which names it with its button
    for rep in ("王伟", "李娜"):
        assert received[(rep, "agenda.view")] == 5
        assert received[(rep, "weekly_check.invite")] == 1 and received[(rep, "weekly_check.nudge")] == 0
    assert received[("张强", "digest.weekly")] == 1 and received[("陈静", "digest.weekly")] == 1
    assert sum(received.values()) == 2 * 6 + 2
    firsts = {}
    for user, key, at, _ in sorted(recorder.sent, key=lambda s: s[2]):
        if user == "王伟":
            firsts.setdefault(key, at)
    assert firsts["agenda.view"].strftime("%a %H:%M") == "Mon 08:30"
    assert firsts["weekly_check.invite"].strftime("%a %H:%M") == "Mon 09:00"


def test_a_simulated_month_keeps_a_busy_rep_at_two_pushes_a_working_day(demo, make_uow, clock):
    """The issue's rep: eight next steps overdue and eight deals gone quiet used to get 16-17
    messages every Monday morning. Now: at most 2 pushes a working day besides the weekly
    self-check and its nudge, none at weekends or in quiet hours, a deal once per push."""
    with make_uow() as uow:
        wang = uow.users.by_name("王伟")
        deals = uow.deals.find(1, owner_id=wang.id)
        for n in range(16):
            template = deals[n % len(deals)]
            late = n < 8
            uow.deals.add(replace(template, id=0, title=f"项目{n}", next_due=date(2026, 11, 2) if late else None,
                                  last_activity_at=clock.now() - timedelta(days=40)))
        uow.commit()
    recorder = Recorder(clock)
    clock.at = datetime(2026, 11, 23, 0, 0, tzinfo=SHANGHAI).astimezone(UTC)
    run(make_uow, clock, recorder, 28, step=timedelta(hours=1))
    per_day = defaultdict(Counter)
    for user, key, at, deals in recorder.sent:
        assert 8 <= at.hour < 20 and at.weekday() < 5, (user, key, at)
        assert len(deals) == len(set(deals)), f"a deal named twice in one push to {user} on {at}"
        if key not in WEEKLY:
            per_day[(user, at.date())][key] += 1
    working_days = [d for d in (date(2026, 11, 23) + timedelta(days=n) for n in range(28)) if d.weekday() < 5]
    wang_days = [sum(per_day[("王伟", d)].values()) for d in working_days]
    assert max(wang_days) <= 2 and len(working_days) == 20
    assert wang_days == [1] * 20  # the agenda, every working morning: the late steps are there daily
    first_monday = [deals for user, key, at, deals in recorder.sent
                    if user == "王伟" and key == "agenda.view" and at.date() == date(2026, 11, 23)]
    assert [len(deals) for deals in first_monday] == [21]  # 8 + 5 late, 8 quiet: one message
    weekly = Counter(key for user, key, _, _ in recorder.sent if user == "王伟" and key in WEEKLY)
    assert weekly == {"weekly_check.invite": 4}
    total = sum(1 for user, *_ in recorder.sent if user == "王伟")
    assert total == 24  # was 234 in 26 working days
