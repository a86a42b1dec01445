"""A whole week of the scheduler with a controllable clock: scan and send every half hour,
then count what each person received, and when."""
from collections import Counter
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from assistant.push import jobs
from assistant.push.delivery import SENT, deliver_due

SHANGHAI = ZoneInfo("Asia/Shanghai")


class Recorder:
    platform = "console"

    def __init__(self, clock):
        self.clock = clock
        self.sent = []

    def send(self, to, replies):
        self.sent.append((to.user, replies[0].key, self.clock.now().astimezone(SHANGHAI)))
        return SENT


def test_a_simulated_week(demo, make_uow, clock):
    recorder = Recorder(clock)
    clock.at = datetime(2026, 11, 23, 0, 0, tzinfo=SHANGHAI).astimezone(UTC)
    end = clock.at + timedelta(days=7)
    while clock.at < end:
        jobs.scan(make_uow, clock)
        deliver_due(make_uow, clock, recorder, "w1")
        clock.at += timedelta(minutes=30)
    assert all(8 <= at.hour < 20 and at.weekday() < 5 for _, _, at in recorder.sent)
    received = Counter((user, key) for user, key, _ in recorder.sent)
    # 王伟: overdue next steps Mon 4 (#1 #2 #4 #5) + Tue-Fri 5 (#3 from Tue) = 24; stalled once each
    # for #5 (near-win, 7 days), #4 (intent, 10) and #3 (shortlisted, 14); self-check and its nudge.
    assert received[("王伟", "reminder.overdue")] == 24
    assert received[("王伟", "reminder.stalled")] == 3
    assert received[("王伟", "weekly_check.invite")] == 1 and received[("王伟", "weekly_check.nudge")] == 1
    # 李娜: #6 and #7 overdue Mon-Fri, #8 from Wed = 13; #7 stalls on Sunday: held for Monday.
    assert received[("李娜", "reminder.overdue")] == 13 and received[("李娜", "reminder.stalled")] == 0
    assert received[("李娜", "weekly_check.invite")] == 1 and received[("李娜", "weekly_check.nudge")] == 1
    assert received[("张强", "digest.weekly")] == 1 and received[("陈静", "digest.weekly")] == 1
    assert sum(received.values()) == 24 + 3 + 2 + 13 + 2 + 2
    firsts = {key: at for user, key, at in sorted(recorder.sent, key=lambda s: s[2]) if user == "王伟"}
    assert firsts["weekly_check.invite"].strftime("%a %H:%M") == "Mon 09:00"
