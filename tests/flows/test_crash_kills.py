"""A sender process killed after the platform took a message and before its row was settled
sends that message once more, after the lease, and nothing else twice; nothing is lost
(issue 14, item 4; the figures over many pushes: bench/crash_kills.py)."""
from __future__ import annotations

from bench.crash_kills import report, run_crashes


def test_each_kill_in_the_send_settle_window_costs_one_duplicate_and_nothing_is_lost(tmp_path):
    run = run_crashes(f"sqlite:///{tmp_path / 'crash.sqlite'}", pushes=12, window_p=0.0, random_every=0.0,
                      kill_on=frozenset({3, 8}))
    figures = report(run, 12)
    assert figures["kills in the send-settle window"] == 2
    assert (figures["duplicates"], figures["lost"], figures["distinct pushes received"]) == (2, 0, 12)
    assert figures["messages received"] == 14
