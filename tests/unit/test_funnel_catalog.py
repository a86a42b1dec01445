"""Every text the funnel code can ask for exists in both catalogs, with the same placeholders."""
from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from jinja2 import StrictUndefined, Template

from assistant.method.customer_class import CLASS_KEYS, TIMEFRAME_KEYS
from assistant.method.funnel_config import load_funnel_file, parse_funnel
from assistant.method.results import Problem

ROOT = Path(__file__).resolve().parents[2]
LANGS = ("zh", "en")
SOURCES = ("assistant/method/stages.py", "assistant/method/funnel_config.py", "assistant/method/customer_class.py",
           "assistant/method/forecast.py")
PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_]\w*)")
PROBLEM_KEY = re.compile(r"""Problem\.of\(\s*["']([\w.]+)["']""")


def flatten(table: dict, prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for name, value in table.items():
        if isinstance(value, dict):
            flat |= flatten(value, f"{prefix}{name}.")
        else:
            flat[f"{prefix}{name}"] = value
    return flat


def catalog(lang: str) -> dict[str, str]:
    with (ROOT / "templates" / lang / "funnel.toml").open("rb") as file:
        return flatten(tomllib.load(file))


def placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


def emitted_problem_keys() -> set[str]:
    return {key for source in SOURCES for key in PROBLEM_KEY.findall((ROOT / source).read_text())}


REQUIRED = sorted(emitted_problem_keys()
                  | {f"deal_class.{k}" for k in CLASS_KEYS}
                  | {f"timeframe.{k}" for k in TIMEFRAME_KEYS})


def test_the_code_emits_the_documented_problem_keys() -> None:
    assert {"funnel.unreadable_file", "funnel.unsupported_format", "funnel.no_stages",
            "funnel.stage_missing_field", "funnel.duplicate_key", "funnel.bad_probability",
            "funnel.probabilities_not_increasing", "funnel.too_many_stages",
            "funnel.checklist_item_invalid"} <= emitted_problem_keys()


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("key", REQUIRED)
def test_key_exists(lang: str, key: str) -> None:
    assert catalog(lang).get(key), f"{key} missing in templates/{lang}/funnel.toml"


def test_both_catalogs_have_the_same_keys_and_placeholders() -> None:
    zh, en = catalog("zh"), catalog("en")
    assert set(zh) == set(en)
    for key in zh:
        assert placeholders(zh[key]) == placeholders(en[key]), key


def test_labels() -> None:
    zh, en = catalog("zh"), catalog("en")
    assert (zh["deal_class.3S"], en["deal_class.3S"]) == ("3S 奖金型", "3S bonus")
    assert (zh["timeframe.A"], en["timeframe.A"]) == ("A（1个月内）", "A (within 1 month)")


# Inputs that, with the sample files, make the code emit every problem key it has.
EXTRA_INPUTS = [
    {"stages": ["lead"]},
    {"stages": [{"key": "a", "zh": 1, "en": "A", "probability": "10%", "actions": 3,
                 "checklist": [{"key": "x", "zh": "甲"}, {"key": "x", "zh": "乙"}]}]},
]


def sample_problems() -> list[Problem]:
    problems: list[Problem] = []
    for path in sorted((ROOT / "tests/data/funnels").iterdir()):
        loaded = load_funnel_file(path)
        problems += loaded if isinstance(loaded, list) else []
    for data in EXTRA_INPUTS:
        problems += parse_funnel(data)
    return problems


def test_the_samples_emit_every_problem_key() -> None:
    assert {problem.key for problem in sample_problems()} == emitted_problem_keys()


@pytest.mark.parametrize("lang", LANGS)
def test_problems_carry_every_param_their_message_uses(lang: str) -> None:
    texts = catalog(lang)
    for problem in sample_problems():
        assert placeholders(texts[problem.key]) <= set(problem.params), problem
        rendered = Template(texts[problem.key], undefined=StrictUndefined).render(**problem.params)
        assert "{{" not in rendered
