"""Charts are drawn by the front end after the commit, never inside `handle`: a drawing takes
100 ms or more, and Slack or Feishu must have their answer within 3 seconds."""
from __future__ import annotations

from assistant import ChatKey, Inbound, draw_charts, handle


def test_handle_returns_the_chart_undrawn_and_the_edge_draws_it(demo, clock):
    event = Inbound(ChatKey("console", "王伟", "王伟"), "console-chart-1", text="/funnel")
    replies = handle(event, demo(), clock)
    funnel = next(reply for reply in replies if reply.key == "funnel.mine")
    assert funnel.chart is not None and funnel.image is None
    drawn = next(reply for reply in draw_charts(replies) if reply.key == "funnel.mine")
    assert drawn.chart is None and drawn.image is not None and drawn.image.startswith(b"\x89PNG")


def test_the_terminal_chat_still_shows_the_chart_as_a_file(demo, chat):
    text = chat("王伟").say("/funnel")
    assert ".png" in text
