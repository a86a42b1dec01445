"""Creating a deal past the first stage skips stages: their check points are asked with the
stage's own, and what is left unticked is a breach like "advance anyway" (domain §8)."""
from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from assistant.method.deals import creation_points, is_breach, point_key, tick
from assistant.method.funnel_config import preset
from assistant.method.model import Deal, DealStatus, StageChange
from assistant.method.results import Problem

PROJECT, FOUR = preset("project"), preset("four_stage")
NOW = datetime(2026, 11, 18, 2, tzinfo=UTC)


@pytest.mark.parametrize(("funnel", "stage", "stages", "count"), [
    (PROJECT, "target", [], 0),                                         # the first stage: ticks on the card
    (PROJECT, "qualified", ["target", "qualified"], 5 + 3),             # 004: five points, then three
    (PROJECT, "shortlisted", ["target", "qualified", "shortlisted"], 5 + 3 + 3),
    (PROJECT, "near_win", ["target", "qualified", "shortlisted", "intent", "near_win"], 5 + 3 + 3 + 7 + 5),
    (FOUR, "develop", ["verify", "develop"], 4 + 5),                    # 001's entry elements
    (PROJECT, "nowhere", [], 0),
])
def test_the_points_asked_at_creation(funnel, stage, stages, count):
    points = creation_points(funnel, stage)
    assert list(dict.fromkeys(s.key for s, _ in points)) == stages and len(points) == count


def test_skipped_stages_points_are_recorded_under_their_stage():
    keys = [point_key(s, p, "qualified") for s, p in creation_points(PROJECT, "qualified")]
    assert all(k.startswith("target:") for k in keys[:5]) and all(":" not in k for k in keys[5:])
    assert len(set(keys)) == len(keys)


def change(kind: str, to: str, unticked: tuple[str, ...] = ()) -> StageChange:
    return StageChange(1, None if kind == "created" else "target", to, kind, NOW, 1, not unticked, (), unticked)


@pytest.mark.parametrize(("move", "breach"), [
    (change("created", "target", ("need",)), False),                    # every deal starts there
    (change("created", "qualified", ("target:need", "budget")), True),  # created past the first stage
    (change("created", "qualified"), False),                            # every point confirmed
    (change("advance", "qualified", ("budget",)), True),                # advance anyway
    (change("advance", "qualified"), False),
    (change("back_off", "target", ("x",)), False),
])
def test_what_counts_as_advance_anyway(move, breach):
    assert is_breach(move, PROJECT) is breach


def test_ticking_a_first_stage_point_on_the_card():
    deal = Deal(1, 1, 1, 1, "华为", "扩容", Decimal(1), "CNY", date(2026, 12, 31), "target")
    first = PROJECT.stages[0].checklist[0].key
    ticked = tick(deal, PROJECT, first)
    assert not isinstance(ticked, Problem) and ticked.checked == (first,)
    unticked_again = tick(ticked, PROJECT, first)
    assert not isinstance(unticked_again, Problem) and unticked_again.checked == ()
    assert isinstance(tick(deal, PROJECT, "budget"), Problem)           # not a point of this stage
    assert isinstance(tick(replace(deal, status=DealStatus.WON), PROJECT, first), Problem)
