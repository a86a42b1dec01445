"""The button codec: what it builds it reads back, and nothing else."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assistant.chat.routes import DealAction, FlowPick, ReminderAction, RepDeals, RunCommand, decode, encode
from assistant.method.numbers import MAX_ID

ids = st.integers(min_value=1, max_value=MAX_ID)
words = st.from_regex(r"[a-z0-9_]{1,24}", fullmatch=True)
routes = st.one_of(
    st.builds(RunCommand, words, st.one_of(st.just(""), words)),
    st.builds(RepDeals, ids, ids),
    st.builds(DealAction, words, ids),
    st.builds(ReminderAction, st.sampled_from(ReminderAction.ACTIONS), ids),
    st.builds(FlowPick, st.from_regex(r"[0-9a-f]{6}", fullmatch=True), words),
)


@given(routes)
def test_every_route_reads_back_as_itself_within_telegrams_64_bytes(route):
    value = encode(route)
    assert decode(value) == route
    assert len(value.encode()) <= 64


@given(st.text(max_size=80))
def test_any_text_reads_as_a_route_or_as_nothing_never_an_error(value):
    route = decode(value)
    assert route is None or decode(encode(route)) == route


@pytest.mark.parametrize("value", [
    "act.mark_won", "act.mark_won.x", "act.mark_won.1.2", "rep.1.1.1", "rep.x.1", "rem.delete.5", "rem.done",
    "cmd.", "cmd.new.a.b", "cmd.NEW", "deal.-1", "deal.#1", "deal.１", "abz123.1", "x" * 64, "", ".", "cmd.new.中文",
])
def test_forged_or_truncated_values_read_as_nothing(value):
    assert decode(value) is None


def test_buttons_already_in_users_chats_keep_working():
    assert decode("deal.12") == RunCommand("deal", "12")
    assert decode("deals.2") == RunCommand("deals", "2")
    assert decode("lang.en") == RunCommand("lang", "en")
    assert decode("cmd.share_on") == RunCommand("share", "on")
    assert decode("rep.3.2") == RepDeals(3, 2)
    assert decode("a1b2c3.4") == FlowPick("a1b2c3", "4")
