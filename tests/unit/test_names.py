"""Customer names: the phrase corpus's pairs, normalisation, departments and matching."""
from __future__ import annotations

from pathlib import Path

import pytest

from assistant.method.customer_names import NameMatch, compare_names, match_names, normalise_name, split_department

PHRASES = Path(__file__).resolve().parent.parent / "data" / "phrases.tsv"


def customer_rows() -> list[tuple[str, str, str]]:
    """(a, b, verdict) of every customer row; "a | b" is split without trimming the names."""
    rows = []
    for line in PHRASES.read_text("utf-8").splitlines():
        fields = line.split("\t")
        if not line.startswith("#") and len(fields) >= 3 and fields[0] == "customer":
            a, b = fields[1].split(" | ", 1)
            rows.append((a, b, fields[2]))
    return rows


CUSTOMER_ROWS = customer_rows()


def test_corpus_has_customer_rows():
    assert len(CUSTOMER_ROWS) >= 5


@pytest.mark.parametrize(("a", "b", "verdict"), CUSTOMER_ROWS, ids=[f"{a} | {b}" for a, b, _ in CUSTOMER_ROWS])
def test_corpus_customer(a, b, verdict):
    assert compare_names(a, b) == verdict
    assert compare_names(b, a) == verdict


NORMALISED = [
    ("华为技术有限公司 ", "华为技术有限公司"),
    ("ＡＢＣ科技有限公司", "abc科技有限公司"),
    ("中国石油（北京）有限公司", "中国石油(北京)有限公司"),
    (" Foo  Bar\u3000Ltd\t", "foobarltd"),
    ("ABC\u200bCo", "abcco"),
    ("STRASSE GmbH", "strassegmbh"),
]


@pytest.mark.parametrize(("name", "key"), NORMALISED, ids=[name for name, _ in NORMALISED])
def test_normalise_name(name, key):
    assert normalise_name(name) == key


DEPARTMENTS = [
    ("腾讯科技（深圳）有限公司-采购部", ("腾讯科技（深圳）有限公司", "采购部")),
    ("中国移动－上海分公司", ("中国移动", "上海分公司")),
    ("某某科技有限公司 / 研发中心", ("某某科技有限公司", "研发中心")),
    ("某某集团·财务处", ("某某集团", "财务处")),
    ("某某集团—华东事业部", ("某某集团", "华东事业部")),
    ("ABC Ltd - Sales Dept.", ("ABC Ltd", "Sales Dept.")),
    ("ABC Ltd/Procurement Department", ("ABC Ltd", "Procurement Department")),
    ("Hewlett-Packard", ("Hewlett-Packard", None)),
    ("腾讯科技-深圳", ("腾讯科技-深圳", None)),
    ("华为技术有限公司 ", ("华为技术有限公司", None)),
    ("-采购部", ("-采购部", None)),
]


@pytest.mark.parametrize(("name", "parts"), DEPARTMENTS, ids=[name for name, _ in DEPARTMENTS])
def test_split_department(name, parts):
    assert split_department(name) == parts


COMPARED = [
    ("ABC Co., Ltd.", "abc co ltd", "ask"),
    ("Siemens AG", "Siemens", "ask"),
    ("Microsoft Corporation", "Mircosoft Corp", "ask"),  # one swapped pair of letters
    ("IBM", "IBM China", "ask"),
    ("华为", "华为技术有限公司", "ask"),
    ("腾讯科技有限公司", "腾讯科技（深圳）有限公司", "ask"),
    ("阿里巴巴网络技术有限公司", "阿里巴巴网络科技有限公司", "ask"),
    ("腾讯科技-采购部", "腾讯科技有限公司-采购部", "ask"),
    ("腾讯科技—采购部", "腾讯科技-采购部", "ask"),
    ("腾讯科技－采购部", "腾讯科技-采购部", "same"),
    ("腾讯科技-采购部", "腾讯科技-销售部", "distinct"),
    ("华", "华为技术有限公司", "distinct"),  # one character says too little
    ("AB", "ABC Ltd", "distinct"),
    ("中国银行", "中国建设银行", "distinct"),
    ("华为技术有限公司", "华夏技术有限公司", "distinct"),
    ("招商银行", "招商证券", "distinct"),
    ("Tesco", "Tesla", "distinct"),  # "co" inside a word is no legal form
]


@pytest.mark.parametrize(("a", "b", "verdict"), COMPARED, ids=[f"{a} | {b}" for a, b, _ in COMPARED])
def test_compare_names(a, b, verdict):
    assert compare_names(a, b) == verdict
    assert compare_names(b, a) == verdict


def ids_and_verdicts(matches: list[NameMatch]) -> list[tuple[int, str]]:
    return [(m.id, m.verdict) for m in matches]


def test_match_prefix_query_is_asked():
    matches = match_names("华为", [(1, "华为技术有限公司"), (2, "中兴通讯股份有限公司")])
    assert ids_and_verdicts(matches) == [(1, "ask")]
    assert matches[0].name == "华为技术有限公司" and 0 < matches[0].score < 1


def test_match_substring_of_two_customers_returns_both_closest_first():
    candidates = [(1, "华为云计算技术有限公司"), (2, "小米科技有限责任公司"), (3, "华为技术有限公司")]
    assert ids_and_verdicts(match_names("华为", candidates)) == [(3, "ask"), (1, "ask")]


def test_match_same_comes_first():
    candidates = [(1, "华为技术"), (2, "ＡＢＣ科技有限公司"), (3, "华为技术有限公司 ")]
    matches = match_names("华为技术有限公司", candidates)
    assert ids_and_verdicts(matches) == [(3, "same"), (1, "ask")]
    assert matches[0].score == 1.0


def test_match_nothing():
    assert match_names("小米", [(1, "华为技术有限公司"), (2, "中兴通讯股份有限公司")]) == []
    assert match_names("", [(1, "华为技术有限公司")]) == []
    assert match_names("   ", [(1, "华为技术有限公司")]) == []


def test_match_department_is_another_customer():
    candidates = [(1, "腾讯科技（深圳）有限公司"), (2, "腾讯科技（深圳）有限公司-采购部")]
    assert ids_and_verdicts(match_names("腾讯科技(深圳)有限公司", candidates)) == [(1, "same")]
    assert ids_and_verdicts(match_names("腾讯科技-采购部", candidates)) == [(2, "ask")]
    assert ids_and_verdicts(match_names("腾讯科技（深圳）有限公司－采购部", candidates)) == [(2, "same")]


def test_match_limit():
    candidates = [(i, f"华为{i}号技术有限公司") for i in range(1, 11)]
    assert len(match_names("华为", candidates)) == 5
    assert len(match_names("华为", candidates, limit=3)) == 3
    assert match_names("华为", candidates, limit=0) == []


def test_match_accepts_any_iterable():
    matches = match_names("华为", ((i, name) for i, name in [(7, "华为技术有限公司")]))
    assert ids_and_verdicts(matches) == [(7, "ask")]
