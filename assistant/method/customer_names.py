"""Customer names: when two typed names are one customer, and when to ask the rep.

A customer is identified by its registered legal name, unique per team, and two
departments serving the same customer are registered as "name + department" (domain
spec §5). Reps type the same name in many ways (full-width letters, with or without
"有限公司", with a stray space), so `normalise_name` gives the key stored in the
database, and `compare_names` says whether a second name is the same customer ("same":
refuse to create it), probably the same ("ask" the rep) or another one ("distinct").

Traditional characters are read as simplified (OpenCC's t2s), so 騰訊 and 腾讯 are one key.
A branch or department written without a separator ("招商银行深圳分行") is split after the
organisation word before it (银行, 公司, 集团 …) and is its own customer. An everyday
abbreviation ("建行", "国网") is expanded by a short curated table, and what it matches is
only ever asked, never taken as the same customer: "中行" is 中国银行 to one rep and a
local firm to another. `match_names(search=True)` also finds "name + department" for a
query that names no department (a rep looking up "腾讯" finds its 采购部).
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from opencc import OpenCC
from rapidfuzz import fuzz

Verdict = Literal["same", "ask", "distinct"]

# Cores this similar are asked about. rapidfuzz's ratio is 100 × (1 − Indel distance /
# total length). A one-character change in a 4–6 character Chinese core scores 75–83 and
# usually names another company (华为/华夏技术 75, 中国银行/中国建设银行 80), while a
# one-letter typo or swapped pair in a Latin name of 8+ letters scores 87–94
# (Mircosoft 89, Alibabba 93) and a changed word in a long Chinese core 86–88.
# 华为技术 vs 中兴通讯 share no character and score 0.
_ASK_THRESHOLD = 85.0

_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))
_SEPARATORS = "-－—–/／·・"
_SPLIT = re.compile(f"^(?P<head>.*\\S)\\s*[{_SEPARATORS}]\\s*(?P<tail>[^{_SEPARATORS}]+?)\\s*$")
_DEPARTMENT_ENDINGS = ("部", "处", "科", "室", "中心", "分公司")
_DEPARTMENT_LATIN = re.compile(r"\b(dept|department)\.?$")
# Everyday abbreviations of large Chinese organisations → the start of their registered name.
# Short on purpose: each entry is a name reps really type, and a match is asked, never merged.
ABBREVIATIONS = {
    "工行": "中国工商银行", "建行": "中国建设银行", "农行": "中国农业银行", "中行": "中国银行", "交行": "交通银行",
    "招行": "招商银行", "邮储": "中国邮政储蓄银行", "浦发": "上海浦东发展银行", "国开行": "国家开发银行",
    "国网": "国家电网", "南网": "中国南方电网", "中移动": "中国移动", "中国移动": "中国移动通信",
    "中联通": "中国联合网络通信", "联通": "中国联合网络通信", "中电信": "中国电信", "中石油": "中国石油",
    "中石化": "中国石油化工", "中海油": "中国海洋石油", "中建": "中国建筑", "中铁": "中国中铁", "国航": "中国国际航空",
    "东航": "中国东方航空", "南航": "中国南方航空", "中科院": "中国科学院", "平安": "中国平安",
}
# Latin names and abbreviations reps type for large Chinese organisations ("byd" for 比亚迪):
# a customer whose name holds the Chinese form is asked, as an abbreviation is, never merged.
LATIN_NAMES = {
    "byd": "比亚迪", "catl": "宁德时代", "huawei": "华为", "xiaomi": "小米", "midea": "美的", "gree": "格力",
    "haier": "海尔", "lenovo": "联想", "tencent": "腾讯", "alibaba": "阿里巴巴", "baidu": "百度", "jd": "京东",
    "bytedance": "字节跳动", "zte": "中兴", "icbc": "中国工商银行", "ccb": "中国建设银行", "boc": "中国银行",
    "cmb": "招商银行", "sinopec": "中国石油化工", "cnpc": "中国石油", "petrochina": "中国石油", "sfexpress": "顺丰",
}
# Endings that make a branch or department even when typed without a separator, and the
# organisation words one follows ("招商银行" + "深圳分行", "…有限公司" + "采购部").
_BRANCH_ENDINGS = ("分行", "支行", "分公司", "子公司", "营业部", "办事处", "分部", "采购部", "事业部", "分院",
                   "分店", "分中心", "研究院")
_ORGANISATION_WORDS = ("有限责任公司", "股份有限公司", "有限公司", "公司", "集团", "银行", "保险", "证券", "大学",
                       "医院", "研究院")
_BRANCH = re.compile("^(?P<head>(?:.+(?:" + "|".join(_ORGANISATION_WORDS) + r")(?:\([^()]*\))?|"
                     + "|".join(sorted(ABBREVIATIONS, key=len, reverse=True)) + "))"
                     "(?P<tail>[^()]{0,12}(?:" + "|".join(_BRANCH_ENDINGS) + "))$")

_T2S = OpenCC("t2s")

# Legal forms, longest first; stripped repeatedly from the end ("集团股份有限公司").
_CJK_LEGAL = ("股份有限公司", "有限责任公司", "有限公司", "股份公司", "有限合伙", "株式会社", "公司", "集团")
_LATIN_LEGAL = re.compile(
    r"(?<![a-z0-9])(co|company|ltd|limited|inc|incorporated|llc|corp|corporation|gmbh|plc|"
    r"pte|pty|ag|sa|bv|nv|srl|sarl|kk|group)[\s,&()-]*$"
)


@dataclass(frozen=True)
class NameMatch:
    id: int
    name: str
    verdict: Literal["same", "ask"]
    score: float  # similarity of the cores, 0..1


@dataclass(frozen=True)
class _NameKey:
    normalised: str
    department: str | None
    core: str


def normalise_name(name: str) -> str:
    """The "same customer" key: NFKC (full-width → half-width), simplified characters, no
    whitespace, casefolded. Stored keys are renewed by migration 0007 when this changes."""
    text = _T2S.convert(unicodedata.normalize("NFKC", name).translate(_INVISIBLE))
    return "".join(text.split()).casefold()


def core_name(name: str) -> str:
    """The distinctive part of a name, as compared: "美的" of 美的集团股份有限公司."""
    return _key(name).core


def split_department(name: str) -> tuple[str, str | None]:
    """("腾讯科技（深圳）有限公司", "采购部") from "腾讯科技（深圳）有限公司-采购部", and
    ("招商银行", "深圳分行") from "招商银行深圳分行"."""
    stripped = name.strip()
    found = _SPLIT.match(stripped)
    if found is not None and _is_department(found["tail"]):
        return found["head"].strip(), found["tail"].strip()
    folded = unicodedata.normalize("NFKC", stripped)
    found = _BRANCH.match(folded)
    if found is not None and len(found["head"]) < len(folded):
        cut = len(found["head"])  # NFKC keeps these characters one for one
        if len(folded) == len(stripped):
            return stripped[:cut].strip(), stripped[cut:].strip()
        return found["head"].strip(), found["tail"].strip()
    return stripped, None


def compare_names(a: str, b: str) -> Verdict:
    return _compare(_key(a), _key(b))[0]


def match_names(query: str, candidates: Iterable[tuple[int, str]], limit: int = 5,
                search: bool = False) -> list[NameMatch]:
    """The rep's customers that `query` may mean, "same" first, then the closest. With
    `search`, a query naming no department also finds each department of the customer."""
    wanted = _key(query)
    if not wanted.normalised:
        return []
    found: list[NameMatch] = []
    for id_, name in candidates:
        other = _key(name)
        if search and wanted.department is None and other.department is not None:
            other = _NameKey(other.normalised, None, other.core)
        verdict, score = _compare(wanted, other)
        if verdict != "distinct":
            found.append(NameMatch(id=id_, name=name, verdict=verdict, score=score))
    found.sort(key=lambda m: (m.verdict != "same", -m.score, normalise_name(m.name), m.id))
    return found[:max(limit, 0)]


def _is_department(tail: str) -> bool:
    text = unicodedata.normalize("NFKC", tail).strip().casefold()
    return len(text) >= 2 and (text.endswith(_DEPARTMENT_ENDINGS) or bool(_DEPARTMENT_LATIN.search(text)))


@lru_cache(maxsize=4096)
def _key(name: str) -> _NameKey:
    head, department = split_department(name)
    return _NameKey(
        normalised=normalise_name(name),
        department=_alnum(normalise_name(department)) if department is not None else None,
        core=_core(head),
    )


def _core(head: str) -> str:
    """The distinctive part of a name: no legal form, no punctuation, no spaces."""
    text = _T2S.convert(unicodedata.normalize("NFKC", head).translate(_INVISIBLE))
    text = " ".join(text.casefold().replace(".", "").split())
    while True:
        shorter = _strip_legal_form(text)
        if shorter == text or not _alnum(shorter):
            return _alnum(text)
        text = shorter


def _strip_legal_form(text: str) -> str:
    text = text.rstrip(" ,&()-")
    for suffix in _CJK_LEGAL:
        if text.endswith(suffix):
            return text[: -len(suffix)]
    return _LATIN_LEGAL.sub("", text)


def _alnum(text: str) -> str:
    return "".join(ch for ch in text if ch.isalnum())


def _compare(a: _NameKey, b: _NameKey) -> tuple[Verdict, float]:
    if a.normalised == b.normalised:
        return "same", 1.0
    if a.department != b.department:
        return "distinct", 0.0
    score = fuzz.ratio(a.core, b.core)
    if a.core and (a.core == b.core or _contains(a.core, b.core) or score >= _ASK_THRESHOLD):
        return "ask", score / 100
    if _abbreviated(a.core, b.core) or _abbreviated(b.core, a.core):
        return "ask", max(score, _ASK_THRESHOLD) / 100
    return "distinct", score / 100


def _abbreviated(short: str, long: str) -> bool:
    """"建行" for 中国建设银行…: an everyday abbreviation, expanded, begins the other name;
    a Latin name ("byd") stands for the Chinese one inside the other name."""
    latin = LATIN_NAMES.get(short)
    if latin is not None and latin in long:
        return True
    for abbreviation, expansion in ABBREVIATIONS.items():
        if short.startswith(abbreviation) and not long.startswith(abbreviation):
            expanded = expansion + short[len(abbreviation):]
            if long.startswith(expanded) or (expanded.startswith(long) and len(long) >= 4):
                return True
    return False


def _contains(a: str, b: str) -> bool:
    """One core inside the other ("华为" in "华为技术"), the shorter long enough to mean something."""
    short, long = sorted((a, b), key=len)
    return short in long and len(short) >= (2 if _has_cjk(short) else 3)


def _has_cjk(text: str) -> bool:
    return any("\u3400" <= ch <= "\u9fff" for ch in text)


class NameIndex:
    """`match_names` for many queries over many names (a spreadsheet import): each query is
    compared only with the names whose core shares a character with its own, since every "same"
    or "ask" verdict needs one (an equal or contained core, a ratio over the threshold, an
    abbreviation and its expansion all share characters). The verdicts and their order are
    `match_names`'s."""

    def __init__(self, candidates: Iterable[tuple[int, str]] = ()) -> None:
        self._names: dict[int, str] = {}
        self._by_char: dict[str, set[int]] = {}
        self._coreless: set[int] = set()
        for id_, name in candidates:
            self.add(id_, name)

    def add(self, id_: int, name: str) -> None:
        self._names[id_] = name
        core = _key(name).core
        if not core:
            self._coreless.add(id_)
        for char in set(core):
            self._by_char.setdefault(char, set()).add(id_)

    def match(self, query: str, limit: int = 5) -> list[NameMatch]:
        wanted = _key(query)
        if not wanted.core:
            return match_names(query, self._names.items(), limit)
        ids = set(self._coreless)
        for char in set(wanted.core):
            ids |= self._by_char.get(char, set())
        return match_names(query, [(i, self._names[i]) for i in ids], limit)
