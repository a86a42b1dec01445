"""Funnel stages: the shipped presets, lookups, and loading a team's own funnel file."""
from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from assistant.method.funnel_config import MAX_STAGES, PRESET_NAMES, load_funnel_file, parse_funnel, preset
from assistant.method.results import Problem
from assistant.method.stages import CheckPoint, Funnel, Stage

FUNNELS = Path(__file__).resolve().parents[1] / "data" / "funnels"


def keys(problems: list[Problem]) -> list[str]:
    return [problem.key for problem in problems]


# --- presets -------------------------------------------------------------------------

def test_preset_names() -> None:
    assert PRESET_NAMES == ("project", "four_stage", "six_step", "prospect_ladder", "quota_ladder")


@pytest.mark.parametrize("name", PRESET_NAMES)
def test_every_preset_loads_and_round_trips(name: str) -> None:
    funnel = preset(name)
    assert funnel.preset == name
    stored = json.loads(json.dumps(funnel.to_dict()))
    assert Funnel.from_dict(stored) == funnel


@pytest.mark.parametrize("name", PRESET_NAMES)
def test_every_preset_has_strictly_increasing_open_probabilities(name: str) -> None:
    probabilities = [stage.probability for stage in preset(name).stages]
    assert all(0 < p < 1 for p in probabilities)
    assert probabilities == sorted(set(probabilities))


@pytest.mark.parametrize("name", PRESET_NAMES)
def test_every_preset_is_written_in_both_languages(name: str) -> None:
    funnel = preset(name)
    assert funnel.won_zh and funnel.won_en
    for stage in funnel.stages:
        assert stage.zh and stage.en and stage.actions_zh and stage.actions_en
        assert len({check.key for check in stage.checklist}) == len(stage.checklist)
        assert all(check.zh and check.en for check in stage.checklist)


@pytest.mark.parametrize(("name", "expected", "won"), [
    ("project", [("target", "目标客户", "0.10"), ("qualified", "有效客户", "0.25"),
                 ("shortlisted", "入围客户", "0.50"), ("intent", "意向客户", "0.75"),
                 ("near_win", "接近赢单客户", "0.90")], "赢单客户"),
    ("four_stage", [("verify", "验证", "0.10"), ("develop", "开发", "0.30"),
                    ("propose", "提案", "0.50"), ("close", "成交", "0.80")], "签约"),
    ("six_step", [("prospect", "潜在客户", "0.05"), ("first_contact", "初步接触", "0.10"),
                  ("need_confirmed", "需求确认", "0.25"), ("proposal", "方案提出", "0.50"),
                  ("negotiation", "报价洽谈", "0.75")], "成交"),
    ("prospect_ladder", [("opportunity", "销售机会", "0.05"), ("first_meeting", "初次会晤", "0.10"),
                         ("prospect_25", "准客户25%", "0.25"), ("prospect_50", "准客户50%", "0.50"),
                         ("prospect_90", "准客户90%", "0.90")], "成交"),
    ("quota_ladder", [("potential", "潜在用户", "0.10"), ("candidate", "候选清单", "0.25"),
                      ("preferred", "优选清单", "0.50"), ("formalities", "手续待落实", "0.75")], "成交"),
])
def test_presets_follow_the_seeds(name: str, expected: list[tuple[str, str, str]], won: str) -> None:
    funnel = preset(name)
    assert [(s.key, s.zh, s.probability) for s in funnel.stages] == [
        (key, zh, Decimal(p)) for key, zh, p in expected]
    assert funnel.won_zh == won


def test_project_intent_stage_has_the_seven_numbered_points() -> None:
    intent = preset("project").stage("intent")
    assert intent is not None
    assert [check.zh[0] for check in intent.checklist] == list("1234567")
    assert [check.en[0] for check in intent.checklist] == list("1234567")


def test_prospect_ladder_fifty_percent_has_the_five_criteria() -> None:
    assert len(preset("prospect_ladder").stages[3].checklist) == 5


def test_unknown_preset_is_a_key_error() -> None:
    with pytest.raises(KeyError):
        preset("nope")


# --- lookups ---------------------------------------------------------------------------

def test_stage_index_next_previous() -> None:
    funnel = preset("four_stage")
    assert funnel.stage("develop").zh == "开发"
    assert funnel.stage("won") is None
    assert funnel.index("propose") == 2
    assert funnel.next_stage("verify").key == "develop"
    assert funnel.next_stage("close") is None
    assert funnel.previous_stage("develop").key == "verify"
    assert funnel.previous_stage("verify") is None
    with pytest.raises(KeyError):
        funnel.index("won")


@pytest.mark.parametrize(("text", "lang", "expected"), [
    ("qualified", "zh", "qualified"),
    ("有效客户", "zh", "qualified"),
    ("有效客户", "en", "qualified"),
    ("Qualified", "en", "qualified"),
    ("QUALIFIED", "zh", "qualified"),
    ("  shortlisted ", "en", "shortlisted"),
    ("near win", "en", "near_win"),
    ("Near-Win", "en", "near_win"),
    ("接近赢单客户", "zh", "near_win"),
    ("3", "zh", "shortlisted"),
    ("３", "zh", "shortlisted"),
    ("1", "en", "target"),
    ("5", "en", "near_win"),
    ("75%", "zh", "intent"),
    ("７５％", "zh", "intent"),
    ("0", "zh", None),
    ("6", "zh", None),
    ("30%", "zh", None),
    ("赢单客户", "zh", None),
    ("", "zh", None),
    ("%", "zh", None),
])
def test_find_a_stage_as_a_rep_types_it(text: str, lang: str, expected: str | None) -> None:
    found = preset("project").find(text, lang)
    assert (found.key if found else None) == expected


def test_find_prefers_names_in_the_reps_language() -> None:
    funnel = Funnel("custom", (
        Stage("a", "Alpha", "甲", Decimal("0.1")),
        Stage("b", "甲", "Alpha", Decimal("0.2")),
    ))
    assert funnel.find("甲", "zh").key == "b"
    assert funnel.find("甲", "en").key == "a"


def test_labels_by_language() -> None:
    stage = preset("project").stages[0]
    assert (stage.name("zh"), stage.name("en"), stage.name("fr")) == ("目标客户", "Target", "Target")
    assert stage.name("zh-CN") == "目标客户"
    assert stage.checklist[0].label("zh") == "清楚客户要解决哪些问题"
    assert stage.actions("en").startswith("Collect")
    assert preset("project").won_name("en") == "Won"
    assert CheckPoint("k", "中", "En").label("de") == "En"


# --- team files ------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["good.yaml", "good.toml"])
def test_good_files_load(name: str) -> None:
    funnel = load_funnel_file(FUNNELS / name)
    assert isinstance(funnel, Funnel)
    assert funnel.preset == "custom"
    assert (funnel.won_zh, funnel.won_en) == ("签约", "Signed")
    assert [s.probability for s in funnel.stages] == [Decimal("0.1"), Decimal("0.4"), Decimal("0.7")]
    lead = funnel.stages[0]
    assert lead.checklist == (CheckPoint("need", "需求明确", "Need is clear"),
                              CheckPoint("check_2", "已见过面", "已见过面"))
    assert (lead.actions_zh, lead.actions_en) == ("约见客户", "Meet the customer")
    assert (funnel.stages[2].actions_zh, funnel.stages[2].actions_en) == ("谈价格", "谈价格")
    assert Funnel.from_dict(json.loads(json.dumps(funnel.to_dict()))) == funnel


def test_yaml_and_toml_give_the_same_funnel() -> None:
    assert load_funnel_file(FUNNELS / "good.yaml") == load_funnel_file(FUNNELS / "good.toml")


def test_names_in_one_language_fall_back_to_the_other() -> None:
    funnel = load_funnel_file(FUNNELS / "zh_only.yml")
    assert isinstance(funnel, Funnel)
    assert [(s.zh, s.en, s.probability) for s in funnel.stages] == [
        ("线索", "线索", Decimal("0.05")), ("商机", "商机", Decimal("0.5"))]
    assert (funnel.won_zh, funnel.won_en) == ("赢单", "Won")


@pytest.mark.parametrize(("name", "expected"), [
    ("bad_many.yaml", [
        "funnel.bad_probability", "funnel.checklist_item_invalid", "funnel.checklist_item_invalid",
        "funnel.stage_missing_field", "funnel.duplicate_key", "funnel.probabilities_not_increasing"]),
    ("bad_many.toml", [
        "funnel.unknown_field", "funnel.bad_won_label", "funnel.bad_key", "funnel.bad_probability",
        "funnel.unknown_stage_field", "funnel.bad_probability", "funnel.checklist_invalid",
        "funnel.duplicate_name"]),
    ("bad_empty.yaml", ["funnel.no_stages"]),
    ("bad_no_stages.toml", ["funnel.no_stages"]),
    ("bad_too_many.yaml", ["funnel.too_many_stages"]),
    ("bad_list.yaml", ["funnel.not_a_mapping"]),
    ("bad_syntax.yaml", ["funnel.unreadable_file"]),
    ("bad_syntax.toml", ["funnel.unreadable_file"]),
    ("funnel.json", ["funnel.unsupported_format"]),
    ("missing.yaml", ["funnel.unreadable_file"]),
])
def test_bad_files_report_every_problem(name: str, expected: list[str]) -> None:
    problems = load_funnel_file(FUNNELS / name)
    assert isinstance(problems, list)
    assert keys(problems) == expected


def test_bad_file_problems_name_the_place() -> None:
    problems = load_funnel_file(FUNNELS / "bad_many.yaml")
    assert Problem.of("funnel.bad_probability", stage="lead", value="150%") in problems
    assert Problem.of("funnel.checklist_item_invalid", stage="lead", index=2) in problems
    assert Problem.of("funnel.stage_missing_field", index=4, field="probability") in problems
    assert Problem.of("funnel.duplicate_key", stage_key="lead") in problems
    assert Problem.of("funnel.probabilities_not_increasing", stage="talks", previous="lead") in problems


def test_unreadable_file_says_where() -> None:
    [problem] = load_funnel_file(FUNNELS / "bad_syntax.yaml")
    assert problem.params["path"].endswith("bad_syntax.yaml")
    assert "line 4" in problem.params["error"]


def test_too_many_stages_gives_the_limit() -> None:
    [problem] = load_funnel_file(FUNNELS / "bad_too_many.yaml")
    assert problem.params == {"max": MAX_STAGES, "count": 13}


# --- parse_funnel ----------------------------------------------------------------------

def one_stage(**fields: object) -> dict:
    return {"stages": [{"key": "lead", "zh": "线索", "en": "Lead", "probability": "10%", **fields}]}


@pytest.mark.parametrize(("written", "expected"), [
    ("10%", "0.1"), ("10 %", "0.1"), ("12.5%", "0.125"), ("１０％", "0.1"), ("0.5%", "0.005"),
    (10, "0.1"), (99, "0.99"), ("10", "0.1"), (0.1, "0.1"), ("0.25", "0.25"), (Decimal("0.9"), "0.9"),
])
def test_probability_written_three_ways(written: object, expected: str) -> None:
    funnel = parse_funnel(one_stage(probability=written))
    assert isinstance(funnel, Funnel)
    assert funnel.stages[0].probability == Decimal(expected)


@pytest.mark.parametrize("written", [
    0, "0%", 1, "100%", 100, 150, -5, "-10%", "abc", "10%%", True, "NaN", "inf", [10], {"p": 1}])
def test_bad_probability(written: object) -> None:
    assert keys(parse_funnel(one_stage(probability=written))) == ["funnel.bad_probability"]


@pytest.mark.parametrize(("fields", "expected"), [
    ({"key": None}, ["funnel.stage_missing_field"]),
    ({"key": "  "}, ["funnel.stage_missing_field"]),
    ({"key": "3"}, ["funnel.bad_key"]),
    ({"key": "lead stage"}, ["funnel.bad_key"]),
    ({"key": 7}, ["funnel.bad_key"]),
    ({"zh": None, "en": None}, ["funnel.stage_missing_field"]),
    ({"zh": 12}, ["funnel.stage_bad_text"]),
    ({"actions": ["a"]}, ["funnel.stage_bad_text"]),
    ({"actions": {"zh": "约见", "fr": "x"}}, ["funnel.stage_bad_text"]),
    ({"checklist": {"a": "b"}}, ["funnel.checklist_invalid"]),
    ({"checklist": ["", {"key": "a"}, {"key": "bad key", "zh": "甲"}]},
     ["funnel.checklist_item_invalid"] * 3),
    ({"checklist": [{"key": "a", "zh": "甲"}, {"key": "a", "zh": "乙"}]}, ["funnel.duplicate_checkpoint"]),
    ({"checklist": ["甲", {"key": "check_1", "zh": "乙"}]}, ["funnel.duplicate_checkpoint"]),
    ({"probabilty": "20%"}, ["funnel.unknown_stage_field"]),
])
def test_stage_field_problems(fields: dict, expected: list[str]) -> None:
    assert keys(parse_funnel(one_stage(**fields))) == expected


def test_optional_fields_may_be_left_empty() -> None:
    funnel = parse_funnel(one_stage(checklist=None, actions=""))
    assert isinstance(funnel, Funnel)
    assert funnel.stages[0].checklist == ()
    assert funnel.stages[0].actions_en == ""


@pytest.mark.parametrize(("data", "expected"), [
    (None, ["funnel.no_stages"]),
    ({}, ["funnel.no_stages"]),
    ({"stages": "lead"}, ["funnel.no_stages"]),
    ("stages", ["funnel.not_a_mapping"]),
    ({"stages": ["lead", 3]}, ["funnel.stage_invalid", "funnel.stage_invalid"]),
    ({"won": {"zh": "签约", "en": ""}, "stages": one_stage()["stages"]}, ["funnel.bad_won_label"]),
])
def test_funnel_level_problems(data: object, expected: list[str]) -> None:
    assert keys(parse_funnel(data)) == expected


def test_several_problems_in_one_stage_are_all_reported() -> None:
    data = {"stages": [{"zh": 5, "probability": "200%", "checklist": [1], "colour": "red"}]}
    assert sorted(keys(parse_funnel(data))) == sorted([
        "funnel.unknown_stage_field", "funnel.stage_missing_field", "funnel.stage_bad_text",
        "funnel.bad_probability", "funnel.checklist_item_invalid"])


def test_a_misplaced_stage_is_reported_once() -> None:
    stages = [{"key": k, "zh": k, "en": k, "probability": p}
              for k, p in [("a", "10%"), ("b", "60%"), ("c", "30%"), ("d", "40%"), ("e", "40%")]]
    problems = parse_funnel({"stages": stages})
    assert problems == [
        Problem.of("funnel.probabilities_not_increasing", stage="c", previous="b"),
        Problem.of("funnel.probabilities_not_increasing", stage="e", previous="d"),
    ]


def test_duplicate_names_are_compared_as_typed() -> None:
    stages = [{"key": "a", "zh": "线索", "en": "Lead", "probability": "10%"},
              {"key": "b", "zh": "线 索", "en": "LEAD", "probability": "20%"}]
    assert keys(parse_funnel({"stages": stages})) == ["funnel.duplicate_name", "funnel.duplicate_name"]


def test_twelve_stages_are_allowed() -> None:
    stages = [{"key": f"s{n}", "zh": f"阶段{n}", "en": f"Stage {n}", "probability": f"{n * 7}%"}
              for n in range(1, MAX_STAGES + 1)]
    assert isinstance(parse_funnel({"stages": stages}), Funnel)
