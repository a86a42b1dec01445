"""The zh and en catalogs mirror each other, and every key the code can ask for exists.

zh is written first; en must have exactly its keys, and per key the same Jinja variables
and the same included templates. Keys the code asks for are found two ways: string
literals in the Python source (calls such as `Reply("...")`, and any literal that looks
like `<catalog table>.<name>`), and the keys built at run time (flow prompts, option
labels, menu buttons), listed here from the same constants the code builds them from.
A zh key nobody asks for fails too: it is either dead text or a key the code misspells.
"""
from __future__ import annotations

import ast
import re
import tomllib
from collections import defaultdict
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from functools import cache
from pathlib import Path
from types import SimpleNamespace

import pytest
from jinja2 import Environment, meta, nodes

from assistant.chat.commands import COMMANDS, DEAL_FLOWS, MENU
from assistant.chat.flows import next_step, set_target
from assistant.chat.flows.answers import MAN_FLAGS
from assistant.chat.flows.back_off import BACK_OFF_SIGNALS
from assistant.chat.flows.edit_deal import EDITABLE
from assistant.chat.flows.forms import form_fields
from assistant.chat.flows.registry import FLOWS
from assistant.i18n import LANGS, TEMPLATES, catalog, render
from assistant.method.currency import CURRENCIES
from assistant.method.customer_class import CLASS_KEYS, TIMEFRAME_KEYS
from assistant.method.model import CONTACT_ROLES, LEAD_SOURCES, LOST_CATEGORIES, VISIT_KINDS, Role
from assistant.method.sentences import ACTIONS as SENTENCE_ACTIONS

ROOT = Path(__file__).resolve().parents[1]
SOURCES = (sorted((ROOT / "assistant").rglob("*.py")) + sorted((ROOT / "handlers").rglob("*.py"))
           + [ROOT / "bot.py", ROOT / "storage" / "db.py", ROOT / "storage" / "backup.py"])

# Parsing only: the same block options as assistant.i18n, and its four locale filters
# (dummies) so that compiling also catches a misspelt filter name.
ENV = Environment(trim_blocks=True, lstrip_blocks=True)
ENV.filters.update({name: (lambda value, *args: str(value)) for name in ("money", "date", "datetime", "percent")})

# Calls whose argument at this position (or `key=`) is a catalog key.
KEY_ARGUMENT = {"Reply": 0, "Ask": 0, "Problem": 0, "Choice": 1, "Option": 1, "render": 1, "has_key": 1,
                "deal_card": 2, "deal_list": 3, "StartupError": 0}
KEY_LIKE = re.compile(r"[a-z_]+(?:\.[A-Za-z0-9_]+)+")

# `t('prefix.' ~ value)` in templates: the values each prefix can be followed by.
TEMPLATE_FAMILIES = {
    "role.": tuple(str(role) for role in Role),
    "visit_kind.": VISIT_KINDS,
    "timeframe.": TIMEFRAME_KEYS,
    "deal_class.": CLASS_KEYS,
    "contact_role.": CONTACT_ROLES,
    "forecast.period.": ("this_month", "next_month", "next_quarter"),
    "schedule.day.": tuple(str(day) for day in range(7)),
    "agenda.section.": ("overdue", "due_today", "quiet", "revisit"),
    "edit_deal.field.": EDITABLE,
    "lost_category.": LOST_CATEGORIES,
    "lead_source.": (*LEAD_SOURCES, "none"),
    "flow_name.": tuple(FLOWS),  # what an expired or interrupted flow is called
    "currency.name.": CURRENCIES,
    "undo.kind.": ("created", "visit", "advance", "back_off", "won", "lost", "reopen", "edit", "next_step", "qualify",
                   "snooze"),
    "sentence.action.": (*SENTENCE_ACTIONS, "note"),
    "sentence.phrase.": SENTENCE_ACTIONS,
}

# Chinese in the English texts on purpose: the language picker shows both languages.
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
CJK_ALLOWED_IN_EN = {"lang.ask", "lang.zh"}
SHANGHAI = timezone(timedelta(hours=8))


# ---- reading the catalogs and the code ------------------------------------------------------

@cache
def parsed(lang: str, key: str) -> nodes.Template:
    return ENV.parse(catalog(lang)[key])


def parses(lang: str, key: str) -> bool:
    try:
        meta.find_undeclared_variables(parsed(lang, key))  # compiles: catches unknown filters too
    except Exception:
        return False
    return True


def variables(lang: str, key: str) -> set[str]:
    return set(meta.find_undeclared_variables(parsed(lang, key)))


def includes(lang: str, key: str) -> set[str | None]:
    """Included template names; None stands for an include whose name is computed."""
    return set(meta.find_referenced_templates(parsed(lang, key)))


def t_calls(lang: str, key: str) -> tuple[set[str], set[str], int]:
    """(literal keys, literal prefixes of `'prefix.' ~ value` keys, fully dynamic calls)."""
    literals, prefixes, dynamic = set(), set(), 0
    for call in parsed(lang, key).find_all(nodes.Call):
        if not (isinstance(call.node, nodes.Name) and call.node.name == "t" and call.args):
            continue
        first = call.args[0]
        if isinstance(first, nodes.Const) and isinstance(first.value, str):
            literals.add(first.value)
        elif (isinstance(first, nodes.Concat) and isinstance(first.nodes[0], nodes.Const)
              and isinstance(first.nodes[0].value, str)):
            prefixes.add(first.nodes[0].value)
        else:
            dynamic += 1
    return literals, prefixes, dynamic


def _call_name(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        if func.attr == "of" and isinstance(func.value, ast.Name) and func.value.id == "Problem":
            return "Problem"
        return func.attr
    return None


def _constants(node: ast.expr) -> set[str]:
    """The string(s) an argument can be: "k", or both branches of `"a" if c else "b"`."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, ast.IfExp):
        return _constants(node.body) | _constants(node.orelse)
    return set()  # f-strings and variables: covered by test_dynamic_keys_exist


@cache
def code_keys() -> dict[str, str]:
    """Every literal key in the source -> where it was found (file:line)."""
    tables = {key.split(".")[0] for lang in LANGS for key in catalog(lang)}
    found: dict[str, str] = {}
    for path in SOURCES:
        tree = ast.parse(path.read_text("utf-8"), str(path))
        where = lambda node, path=path: f"{path.relative_to(ROOT)}:{node.lineno}"  # noqa: E731
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and (name := _call_name(node.func)) in KEY_ARGUMENT:
                position = KEY_ARGUMENT[name]
                arguments = [kw.value for kw in node.keywords if kw.arg == "key"]
                if len(node.args) > position:
                    arguments.append(node.args[position])
                for argument in arguments:
                    for key in _constants(argument):
                        found.setdefault(key, where(node))
            elif (isinstance(node, ast.Constant) and isinstance(node.value, str) and KEY_LIKE.fullmatch(node.value)
                  and node.value.split(".")[0] in tables):
                found.setdefault(node.value, where(node))
    return found


def _period_keys() -> set[str]:
    """The label keys of the target periods set_target offers (it needs only a date from its context)."""
    return {option.key for option in set_target._periods(SimpleNamespace(today=date(2026, 11, 18)), {})}


@cache
def dynamic_keys() -> frozenset[str]:
    """Keys the code builds at run time (f-strings), from the constants it builds them from."""
    keys = {field.key or f"{flow.name}.{field.name}.ask" for flow in FLOWS.values() for field in flow.fields}
    keys |= {f"lead_source.{x}" for x in LEAD_SOURCES}
    keys |= {f"visit_kind.{x}" for x in VISIT_KINDS}
    keys |= {f"man.{x}" for x in MAN_FLAGS}
    keys |= {f"action.{x}" for x in DEAL_FLOWS}
    keys |= {f"menu.{x}" for x in MENU}
    keys |= {f"role.{x}" for x in Role}
    keys |= {f"help.{x}" for x in Role}
    keys |= {f"back_off.signal.{x}" for x in BACK_OFF_SIGNALS}
    keys |= {f"reminder.acted.{x}" for x in ("done", "snooze", "date")}  # rem.<action>.<id> (commands._reminder_action)
    keys |= {f"lang.{x}" for x in LANGS}
    keys |= {f"next_step.after_sale.{x}" for x in next_step.AFTER_SALE}
    keys |= _period_keys()
    keys |= {f"{prefix}{value}" for prefix, values in TEMPLATE_FAMILIES.items() for value in values}
    keys |= set(form_keys())
    hints = {f"{flow.name}.{field.name}.hint" for flow in FORM_FLOWS for field in form_fields(flow)}
    keys |= hints & set(catalog("zh"))  # a hint is optional
    return frozenset(keys)


FORM_FLOWS = tuple(flow for flow in FLOWS.values() if flow.form)


def form_keys() -> dict[str, str]:
    """The title of every form-capable flow and the label of each field its form shows -> what it names."""
    keys = {f"form.{flow.name}.title": flow.name for flow in FORM_FLOWS}
    return keys | {f"{flow.name}.{field.name}.label": f"{flow.name}.{field.name}"
                   for flow in FORM_FLOWS for field in form_fields(flow)}


def template_references(lang: str) -> set[str]:
    """Keys reached from inside the templates: includes and literal t('...') calls."""
    refs: set[str] = set()
    for key in filter(lambda key: parses(lang, key), catalog(lang)):
        refs |= {name for name in includes(lang, key) if name is not None}
        refs |= t_calls(lang, key)[0]
    return refs


def messages_keys(lang: str) -> set[str]:
    """The keys of messages.toml and the .j2 files (funnel.toml and parse.toml have owners of their own)."""
    root = TEMPLATES / lang
    keys = set(_flatten(tomllib.loads((root / "messages.toml").read_text("utf-8"))))
    return keys | {".".join(p.relative_to(root).with_suffix("").parts) for p in root.rglob("*.j2")}


def _flatten(table: dict, prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for name, value in table.items():
        flat |= _flatten(value, f"{prefix}{name}.") if isinstance(value, dict) else {f"{prefix}{name}": value}
    return flat


def alias_owners() -> dict[str, set[tuple[str, str]]]:
    """Each alias word (as commands._aliases folds it) -> {(lang, command)}."""
    owners: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for lang in LANGS:
        for key, words in catalog(lang).items():
            if key.startswith("alias."):
                for word in words.split("|"):
                    owners[word.strip().casefold()].add((lang, key.removeprefix("alias.")))
    return owners


# ---- the two languages mirror each other ----------------------------------------------------

def test_zh_and_en_have_the_same_keys() -> None:
    zh, en = set(catalog("zh")), set(catalog("en"))
    assert not zh - en, f"missing in en: {sorted(zh - en)}"
    assert not en - zh, f"missing in zh (or stray in en): {sorted(en - zh)}"


def test_no_j2_file_shadows_a_toml_key() -> None:
    for lang in LANGS:
        root = TEMPLATES / lang
        toml_keys: set[str] = set()
        for path in root.glob("*.toml"):
            toml_keys |= set(_flatten(tomllib.loads(path.read_text("utf-8"))))
        j2_keys = {".".join(p.relative_to(root).with_suffix("").parts) for p in root.rglob("*.j2")}
        assert not toml_keys & j2_keys, f"{lang}: defined in a .toml and as a .j2 file: {sorted(toml_keys & j2_keys)}"


@pytest.mark.parametrize("lang", LANGS)
def test_every_template_compiles(lang: str) -> None:
    broken = {}
    for key, text in catalog(lang).items():
        try:
            ENV.parse(text)
            ENV.from_string(text)
        except Exception as error:
            broken[key] = f"{type(error).__name__}: {error}"
    assert not broken, broken


def test_same_variables_and_includes_per_key() -> None:
    differ = {}
    for key in sorted(set(catalog("zh")) & set(catalog("en"))):
        if not (parses("zh", key) and parses("en", key)):
            continue
        zh_vars, en_vars = variables("zh", key), variables("en", key)
        if zh_vars != en_vars:
            differ[key] = f"variables zh-only {sorted(zh_vars - en_vars)}, en-only {sorted(en_vars - zh_vars)}"
        zh_inc, en_inc = includes("zh", key), includes("en", key)
        if zh_inc != en_inc:
            differ[f"{key} (includes)"] = f"zh {sorted(map(str, zh_inc))}, en {sorted(map(str, en_inc))}"
        zh_t, en_t = t_calls("zh", key), t_calls("en", key)
        if zh_t != en_t:
            differ[f"{key} (t calls)"] = f"zh {zh_t}, en {en_t}"
    assert not differ, differ


@pytest.mark.parametrize("lang", LANGS)
def test_included_and_t_keys_exist(lang: str) -> None:
    texts = catalog(lang)
    missing, computed = [], []
    for key in filter(lambda key: parses(lang, key), texts):
        for name in includes(lang, key):
            if name is None:
                computed.append(f"{key}: include with a computed name")
            elif name not in texts:
                missing.append(f"{key}: includes {name!r}")
        literals, prefixes, dynamic = t_calls(lang, key)
        missing += [f"{key}: t({literal!r})" for literal in sorted(literals - set(texts))]
        computed += [f"{key}: t({prefix!r} ~ ...), add the prefix and its values to TEMPLATE_FAMILIES"
                     for prefix in sorted(prefixes - set(TEMPLATE_FAMILIES))]
        if dynamic:
            computed.append(f"{key}: t() with a computed key")
    assert not missing, missing
    assert not computed, computed


# ---- every key the code asks for exists -----------------------------------------------------

def test_the_scan_finds_the_code_keys() -> None:
    """A guard on the scanner itself: a few keys known to be used in each way."""
    assert {"common.cancelled", "common.nothing_to_cancel",   # Reply("a" if c else "b")
            "deal.not_found", "funnel.unreadable_file",         # Problem.of(...)
            "team.rep_button", "common.confirm",                 # Choice(value, key)
            "stage.option", "deal.option",                       # Option(value, key)
            "customer.did_you_mean",                             # Ask(key, ...)
            "cli.team_created", "common.skip_words",             # render(lang, key)
            "new_deal.created", "deals.list",                    # deal_card / deal_list arguments
            "advance_deal.done", "advance_deal.done_anyway"} <= set(code_keys())


@pytest.mark.parametrize("lang", LANGS)
def test_every_literal_key_in_the_code_exists(lang: str) -> None:
    texts = catalog(lang)
    missing = {key: where for key, where in code_keys().items() if key not in texts}
    assert not missing, f"keys used in the code but missing in templates/{lang}: {missing}"


@pytest.mark.parametrize("lang", LANGS)
def test_dynamic_keys_exist(lang: str) -> None:
    missing = sorted(dynamic_keys() - set(catalog(lang)))
    assert not missing, f"keys the code builds at run time, missing in templates/{lang}: {missing}"


def test_the_flows_the_issue_names_are_form_capable() -> None:
    assert {"new_deal", "log_visit", "mark_lost", "set_target", "new_customer", "add_contact"} <= {
        flow.name for flow in FORM_FLOWS}


@pytest.mark.parametrize("lang", LANGS)
def test_every_form_has_a_title_and_every_form_field_a_short_label(lang: str) -> None:
    """Labels name the field (客户名称 / Customer); the chat's questions are the `.ask` keys."""
    texts = catalog(lang)
    missing = sorted(key for key in form_keys() if key not in texts)
    assert not missing, f"form keys missing in templates/{lang}: {missing}"
    questions = {key: texts[key] for key in form_keys()
                 if key.endswith(".label") and (len(texts[key]) > 30 or any(mark in texts[key] for mark in "?？\n"))}
    assert not questions, f"labels that read as questions or run long: {questions}"


@pytest.mark.parametrize("lang", LANGS)
def test_alias_keys_name_commands(lang: str) -> None:
    strays = [key for key in catalog(lang) if key.startswith("alias.") and key.removeprefix("alias.") not in COMMANDS]
    assert not strays, f"alias keys naming no command: {strays}"


def test_every_zh_key_is_used() -> None:
    """zh keys that neither the code nor another template asks for (alias.* is read as a
    whole by commands._aliases)."""
    used = set(code_keys()) | dynamic_keys() | template_references("zh")
    unused = sorted(key for key in catalog("zh") if key not in used and not key.startswith("alias."))
    assert not unused, f"zh keys nothing uses: {unused}"


# ---- aliases --------------------------------------------------------------------------------

def test_no_alias_word_starts_two_commands() -> None:
    clashes = {word: sorted(owners) for word, owners in alias_owners().items()
               if len({command for _, command in owners}) > 1}
    assert not clashes, clashes


def test_alias_words_are_single_words_and_not_other_commands() -> None:
    """A message's start is matched, longest alias first ("new deal" before "new"), and `/word`
    tries COMMANDS before aliases; after a slash only a single word can be an alias."""
    bad = {}
    for word, owners in alias_owners().items():
        commands = {command for _, command in owners}
        if not word or word != " ".join(word.split()) or word.startswith("/"):
            bad[repr(word)] = "not words"
        elif word in COMMANDS and commands != {word}:
            bad[word] = f"is the command /{word} but starts {sorted(commands)}"
    assert not bad, bad


# ---- the English reads as English ------------------------------------------------------------

def test_english_has_no_chinese_left() -> None:
    texts = catalog("en")
    leftovers = {key: texts[key] for key in sorted(messages_keys("en"))
                 if key in texts and key not in CJK_ALLOWED_IN_EN and CJK.search(texts[key])}
    assert not leftovers, leftovers


def _card(status: str = "open", **extra) -> dict:
    return {"id": 3, "customer": "Huawei", "title": "DC expansion", "amount": Decimal(1200000), "currency": "CNY",
            "close_date": date(2026, 12, 31), "stage": "Qualified", "probability": Decimal("0.25"),
            "weighted": Decimal(300000), "status": status, "won_label": "Won", "man_class": "2S", "timeframe": "B",
            "next_step": "Send proposal", "next_due": date(2026, 11, 17), "overdue": True, "lead_source": "referral",
            "suggestion": "Run the product test", "lost_reason_ours": "Price", "lost_reason_customer": "Budget",
            "lost_prevention": "Qualify budget earlier", "reporting": "CNY", "converted": None, "no_rate": False,
            **extra}


def _funnel(**extra) -> dict:
    line = {"stage": "Qualified", "probability": Decimal("0.25"), "count": 2, "amount": Decimal(2000000),
            "weighted": Decimal(500000)}
    return {"lines": [line, line | {"count": 1}], "count": 3, "amount": Decimal(3000000),
            "weighted": Decimal(750000), "currency": "CNY", "other_currency": 1, "period": "all",
            "missing_rates": ["USD"], **extra}


def _home(**extra) -> dict:
    step = {"id": 3, "customer": "Huawei", "title": "DC expansion", "next_step": "Send proposal",
            "due": date(2026, 11, 17), "owner": ""}
    steps = [step, step | {"next_step": "", "owner": "Bob"}]
    return _funnel(**{"name": "Alice", "team": "East", "overdue_steps": steps, "more_overdue": 2,
                      "self_check": {"week": "2026-W47", "done": False},
                      "next_month": {"label": "2026-12", "weighted": Decimal(500000), "count": 2,
                                     "target": Decimal(1000000), "coverage": Decimal("0.5")}} | extra)


def _rep(**extra) -> dict:
    return {"name": "Alice", "count": 2, "weighted": Decimal(500000), "next_month": Decimal(200000), "overdue": 1,
            "self_check": False, **extra}


def _outlook(target: Decimal | None = Decimal(1000000)) -> dict:
    period = {"label": "2026-12", "weighted": Decimal(927500), "count": 4, "target": target,
              "coverage": target and Decimal(927500) / target, "gap": target and target - Decimal(927500)}
    return {"id": 1, "name": "Alice", "next_month": period, "next_quarter": period | {"label": "2027-Q1"},
            "won": Decimal(0), "won_label": "2026-Q4", "won_target": target}


SAMPLES = [
    ("deal.card", _card()),
    ("deal.card", _card("won")),
    ("deal.card", _card("lost")),
    ("deal.card", _card(next_step=None, next_due=None)),
    ("deal.card", _card(man_class=None)),
    ("qualify_deal.done", _card()),
    ("new_deal.created", _card()),
    ("deal.detail", _card(owner="Alice", contacts=[{"name": "Bob", "title": "CIO", "role": "decision_maker"}], history=[
        {"kind": "created", "from": None, "to": "Target", "at": datetime(2026, 10, 1, 9, 30, tzinfo=SHANGHAI),
         "by": "Alice",
         "complete": True, "unticked": 0, "note": ""},
        {"kind": "advance", "from": "Target", "to": "Qualified", "at": datetime(2026, 10, 9, 14, 30, tzinfo=SHANGHAI),
         "by": "Alice",
         "complete": False, "unticked": 2, "note": ""},
        {"kind": "back_off", "from": "Qualified", "to": "Target", "at": datetime(2026, 10, 20, 17, 30, tzinfo=SHANGHAI),
         "by": "Alice",
         "complete": True, "unticked": 0, "note": "No reply"}],
        visits=[{"on": date(2026, 11, 17), "kind": "follow_up", "objective": "Demo", "result": "Liked it",
                 "next_steps": ["Send proposal", "Book the test"], "customer_participants": "Bob (CIO)",
                 "our_participants": "", "issues_customer": "Budget", "issues_ours": ""}])),
    ("deals.list", {"items": [_card(), _card(overdue=False)], "page": 1, "pages": 2, "total": 6}),
    ("deals.list", {"items": [], "page": 1, "pages": 1, "total": 0}),
    ("team.rep_deals", {"rep": "Alice", "items": [_card()], "page": 1, "pages": 1, "total": 1,
                        "outlook": _outlook(), "currency": "CNY"}),
    ("team.rep_deals", {"rep": "Alice", "items": [_card()], "page": 1, "pages": 1, "total": 1,
                        "outlook": _outlook(None), "currency": "CNY"}),
    ("funnel.mine", _funnel()),
    ("funnel.mine", _funnel(lines=[], count=0, other_currency=0)),
    ("funnel.team", _funnel(team="East", reps=[{"name": "Alice", **_funnel(), "outlook": _outlook()}])),
    ("forecast.view", {"who": "Alice", "currency": "CNY", "other_currency": 1, "missing_rates": ["USD"], "periods": [
        {"name": "next_month", "label": "2026-12", "weighted": Decimal(500000),
         "count": 2, "target": Decimal(1000000), "coverage": Decimal("0.5")},
        {"name": "next_quarter", "label": "2027-Q1", "weighted": Decimal(0),
         "count": 0, "target": None, "coverage": None}]}),
    ("invite.created", {"code": "ABCD2345", "role": "rep", "team": "East",
        "expires": datetime(2026, 11, 25, 10, 0, tzinfo=SHANGHAI)}),
    ("join.welcome", {"name": "Alice", "team": "East", "role": "manager"}),
    ("checklist.incomplete", {"missing": 1}),
    ("set_target.done", {"period": "2027-Q1", "amount": Decimal(5000000), "currency": "CNY", "rep": ""}),
    ("home.rep", _home()),
    ("home.rep", _home(overdue_steps=[], more_overdue=0, self_check={"week": "2026-W47", "done": True})),
    ("home.manager", _home(reps=[_rep(), _rep(name="Bob", self_check=None)])),
]


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize(("key", "params"), SAMPLES, ids=[f"{key}-{i}" for i, (key, _) in enumerate(SAMPLES)])
def test_long_texts_render(lang: str, key: str, params: dict) -> None:
    text = render(lang, key, **params)
    assert text and "{{" not in text and "{%" not in text
    if lang == "en":
        assert not CJK.search(text), text


# ---- an included text keeps its own lines ---------------------------------------------------
# trim_blocks eats the newline after a block tag at line end, `{% include %}` too: write
# `{% include 'x' +%}` where text follows on the next line (see the note in messages.toml).

def _include_contexts() -> list[dict]:
    """Parameters enough for every key that includes another, in the branches that end differently."""
    base = _card() | _home(reps=[_rep(**_funnel())]) | dict(SAMPLES[7][1]) | {
        "items": [_card(), _card(overdue=False)], "page": 1, "pages": 2, "total": 6, "rep": "Alice",
        "who": "Alice", "periods": SAMPLES[15][1]["periods"], "position": 1, "days": 3, "idle_days": 30,
        "reviewed": 2, "moved": 1, "steps": 1, "note": "Busy week", "outlook": _outlook(),
        "points": ["Budget confirmed", "Decision maker met"],
        "plan": [{"kind": "advance", "stage": "Qualified", "id": 3, "customer": "Huawei", "title": "DC expansion",
                  "next_step": "Send proposal"},
                 {"kind": "new_lead", "id": 4, "customer": "ZTE", "title": "Campus", "next_step": None}]}
    return [base, base | {"status": "won"}, base | {"status": "lost"}, base | {"next_step": None, "next_due": None},
            base | {"other_currency": 0, "points": [], "note": "", "plan": []},
            base | {"lines": [], "count": 0, "items": [], "history": [], "visits": [], "contacts": [],
                    "overdue_steps": [], "more_overdue": 0}]


INCLUDE_TAG = re.compile(r"\{%[-+]?\s*include\b")


def _keys_with_includes(lang: str) -> list[str]:
    return sorted(key for key, text in catalog(lang).items() if INCLUDE_TAG.search(text))


@pytest.mark.parametrize("lang", LANGS)
def test_included_texts_keep_their_own_lines(lang: str) -> None:
    keys = _keys_with_includes(lang)
    assert {"help.manager", "help.admin", "deal.card"} <= set(keys)
    glued: dict[str, str] = {}
    for key in ["help.rep", *keys]:
        for number, params in enumerate(_include_contexts()):
            lines = render(lang, key, **params).split("\n")
            for name in filter(None, includes(lang, key)):
                part = render(lang, name, **params).split("\n")
                if part != [""] and not any(lines[i:i + len(part)] == part for i in range(len(lines))):
                    glued.setdefault(f"{key} includes {name!r}", f"(context {number}):\n" + "\n".join(lines))
    assert not glued, "lines run together:\n" + "\n\n".join(f"{k} {v}" for k, v in glued.items())


# ---- commands are written by the reader's platform -------------------------------------------
# `{{ cmd('new') }}` gives /new on Telegram, /sales new on Slack, “新商机” in a chat without slash
# commands (assistant.i18n.Vocabulary): a `/new` typed into a text would be Telegram's alone.

SLASH_COMMAND = re.compile(r"(?<![\w/:<])/[a-z]+")  # not n/a, Asia/Shanghai, 1/3, a URL or </tag>


def test_the_pattern_finds_a_slash_command() -> None:
    assert SLASH_COMMAND.findall("用 /new 新建（/start 邀请码）") == ["/new", "/start"]
    assert not SLASH_COMMAND.findall("n/a 1/3 Asia/Shanghai https://t.me/bot?start=x 金额/日期")


@pytest.mark.parametrize("lang", LANGS)
def test_no_text_hard_codes_a_slash_command(lang: str) -> None:
    found = {key: SLASH_COMMAND.findall(text) for key, text in catalog(lang).items() if SLASH_COMMAND.search(text)}
    assert not found, f"write commands as {{{{ cmd('name') }}}} in templates/{lang}: {found}"


def _cmd_names(lang: str) -> dict[str, str]:
    """Command names used as cmd('name') in `lang` -> a key that uses it."""
    names: dict[str, str] = {}
    for key in filter(lambda key: parses(lang, key), catalog(lang)):
        for call in parsed(lang, key).find_all(nodes.Call):
            if isinstance(call.node, nodes.Name) and call.node.name == "cmd" and call.args:
                first = call.args[0]
                names.setdefault(first.value if isinstance(first, nodes.Const) else "<computed>", key)
    return names


@pytest.mark.parametrize("lang", LANGS)
def test_every_command_a_text_names_exists_and_has_a_word_in_each_language(lang: str) -> None:
    """Where commands are typed as words, cmd('x') shows the first word of alias.x."""
    names = _cmd_names(lang)
    assert {"new", "start", "groupdigest"} <= set(names)
    unknown = {name: key for name, key in names.items() if name not in COMMANDS}
    assert not unknown, f"cmd() naming no command: {unknown}"
    for other in LANGS:
        wordless = sorted(name for name in names if f"alias.{name}" not in catalog(other))
        assert not wordless, f"commands named in templates/{lang} without alias.* in templates/{other}: {wordless}"
