"""What an import would do, decided before anything is written: per row, create a deal,
update one, leave one as it is, or refuse the row with its reason.

Rows are matched to deals by an id column from an earlier export, or by customer and deal name,
so importing the same file twice changes nothing. A customer name close to an existing one
(华为 / 华为技术有限公司) is refused, never merged or created beside it. A rep imports only their
own deals; a manager any of the team's, each row's rep named in the owner column.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import Any

from assistant.method.customer_names import NameIndex
from assistant.method.customer_names import normalise_name as _normalise
from assistant.method.model import Customer, Deal, DealStatus, Team, User
from assistant.method.results import Problem
from assistant.method.stages import Stage, fold
from assistant.transfer import reading
from assistant.transfer.columns import Layout
from assistant.transfer.tables import Cell, Sheet

CREATE, UPDATE, SAME = "create", "update", "same"


_REPEATED = ("stage", "probability", "status", "currency", "close_date", "next_due", "source")  # read once per value


@lru_cache(maxsize=65536)
def normalise_name(name: str) -> str:
    """The method's customer key, remembered: a sheet names the same customers row after row."""
    return _normalise(name)
# What an update may change; status and owner are changed in chat (/won, /lost, a hand-over).
UPDATABLE = ("amount", "currency", "close_date", "stage_key", "lead_source", "next_step", "next_due")


@dataclass(frozen=True)
class Setting:
    """What the rows are checked against: the team as it is now, and who imports."""

    team: Team
    importer: User
    members: list[User]
    customers: list[Customer]
    deals: list[Deal]
    today: date
    lang: str


@dataclass(frozen=True)
class Refusal:
    row: int
    key: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Planned:
    """One row to write. `customer_id` is None for a customer the import creates (`customer`)."""

    row: int
    action: str
    customer: str
    customer_id: int | None
    deal_id: int | None
    owner_id: int
    values: dict[str, Any]  # the deal's fields as the row gives them (dates as ISO text, amounts as text)
    changed: tuple[str, ...] = ()


@dataclass(frozen=True)
class ImportPlan:
    layout: Layout
    rows: tuple[Planned, ...]
    refused: tuple[Refusal, ...]

    def count(self, action: str) -> int:
        return sum(1 for row in self.rows if row.action == action)

    @property
    def new_customers(self) -> int:
        return len({normalise_name(r.customer) for r in self.rows if r.customer_id is None and r.action == CREATE})

    def fingerprint(self) -> str:
        """Changes whenever what would be written changes: a confirm writes only what was shown."""
        rows = [(r.row, r.action, r.customer, r.customer_id, r.deal_id, r.owner_id, sorted(r.values.items()),
                 r.changed) for r in self.rows]
        refused = [(r.row, r.key, sorted(r.params.items())) for r in self.refused]
        body = json.dumps([rows, refused], default=str, ensure_ascii=False)
        return hashlib.sha256(body.encode()).hexdigest()


def make_plan(sheet: Sheet, layout: Layout, setting: Setting) -> ImportPlan:
    planner = _Planner(setting, layout)
    for number, cells in sheet.rows:
        if number > layout.header_row:
            planner.take(number, cells)
    return ImportPlan(layout, tuple(planner.rows), tuple(planner.refused))


class _Planner:
    def __init__(self, setting: Setting, layout: Layout) -> None:
        self.setting, self.layout = setting, layout
        self.rows: list[Planned] = []
        self.refused: list[Refusal] = []
        self.members = {fold(m.name): m for m in setting.members}
        self.by_id = {d.id: d for d in setting.deals}
        self.by_name = {(normalise_name(d.customer_name), fold(d.title)): d for d in setting.deals}
        self.customers = {normalise_name(c.name): c for c in setting.customers}
        self.known = NameIndex((c.id, c.name) for c in setting.customers)
        self.new_names: dict[str, tuple[str, int]] = {}  # normalised -> (name as written, first row)
        self.new_index = NameIndex()
        self.new_rows: list[tuple[str, int]] = []
        self.seen: dict[object, int] = {}
        self.columns = {c.field: c for c in layout.columns if c.field is not None}
        self.memo: dict[tuple[str, type, Cell], Any] = {}  # a sheet repeats its stages, dates and reps

    def cell(self, cells: tuple[Cell, ...], name: str) -> Cell:
        column = self.columns.get(name)
        return cells[column.index] if column is not None and column.index < len(cells) else None

    def refuse(self, row: int, problem: Problem) -> None:
        self.refused.append(Refusal(row, problem.key, dict(problem.params)))

    def take(self, row: int, cells: tuple[Cell, ...]) -> None:
        values = self.read(cells)
        if isinstance(values, Problem):
            return self.refuse(row, values)
        deal = self.match(values)
        if isinstance(deal, Problem):
            return self.refuse(row, deal)
        key: object = deal.id if deal is not None else (normalise_name(values["customer"]), fold(values["title"]))
        if key in self.seen:
            return self.refuse(row, Problem.of("transfer.row.duplicate", first=self.seen[key]))
        self.seen[key] = row
        planned = self.update(row, deal, values) if deal is not None else self.create(row, values)
        if isinstance(planned, Problem):
            return self.refuse(row, planned)
        self.rows.append(planned)
        return None

    def read(self, cells: tuple[Cell, ...]) -> dict[str, Any] | Problem:
        """Each field of the row that has a value; the first unreadable one refuses the row."""
        setting = self.setting
        readers: dict[str, Callable[[Cell], Any]] = {
            "id": reading.read_id,
            "customer": lambda c: reading.read_text(c, reading.NAME_MAX, "customer"),
            "title": lambda c: reading.read_text(c, reading.TITLE_MAX, "title"),
            "currency": reading.read_currency,
            "stage": lambda c: reading.read_stage(c, setting.team.funnel, setting.lang),
            "probability": lambda c: reading.read_probability(c, setting.team.funnel, setting.lang),
            "status": reading.read_status,
            "close_date": lambda c: reading.read_date(c, setting.today),
            "owner": lambda c: reading.read_text(c, reading.NAME_MAX, "owner"),
            "source": reading.read_source,
            "next_step": lambda c: reading.read_text(c, reading.NOTE_MAX, "next_step"),
            "next_due": lambda c: reading.read_date(c, setting.today),
        }
        values: dict[str, Any] = {}
        amount_column = self.layout.of("amount")
        if amount_column is not None and self.cell(cells, "amount") is not None:
            money = reading.read_amount(self.cell(cells, "amount"), amount_column.scale)
            if isinstance(money, Problem):
                return money
            values["amount"] = money.amount
            values["currency"] = amount_column.currency or money.currency
        for name, read in readers.items():
            raw = self.cell(cells, name)
            if raw is None:
                continue
            if name in _REPEATED:
                key = (name, type(raw), raw)
                value = self.memo[key] if key in self.memo else self.memo.setdefault(key, read(raw))
            else:
                value = read(raw)
            if isinstance(value, Problem):
                return value
            if value not in (None, ""):
                values[name] = value  # a currency column overrides the amount's own
        return self.settle(values)

    def settle(self, values: dict[str, Any]) -> dict[str, Any] | Problem:
        """Stage from the stage column or the probability; won and lost written as a stage are the status."""
        stage = values.pop("stage", None)
        by_probability = values.pop("probability", None)
        if isinstance(stage, str):
            if values.get("status", stage) != stage:
                return Problem.of("transfer.row.status_conflict")
            values["status"], stage = stage, None
        chosen: Stage | None = stage if isinstance(stage, Stage) else by_probability
        if chosen is not None:
            values["stage_key"] = chosen.key
        owner = values.pop("owner", None)
        if owner is not None:
            member = self.members.get(fold(owner))
            if member is None:
                return Problem.of("transfer.row.unknown_rep", name=owner)
            values["owner_id"] = member.id
        if "source" in values:
            values["lead_source"] = values.pop("source")
        if not values.get("customer") and "id" not in values:
            return Problem.of("transfer.row.no_customer")
        return values

    def match(self, values: dict[str, Any]) -> Deal | Problem | None:
        if "id" in values:
            deal = self.by_id.get(values["id"])
            if deal is None:
                return Problem.of("transfer.row.no_such_deal", id=values["id"])
            customer = values.get("customer")
            if customer and normalise_name(customer) != normalise_name(deal.customer_name):
                return Problem.of("transfer.row.id_other_customer", id=deal.id, customer=deal.customer_name)
            return deal
        if not values.get("title"):
            return Problem.of("transfer.row.no_title")
        return self.by_name.get((normalise_name(values["customer"]), fold(values["title"])))

    def allowed_owner(self, values: dict[str, Any], deal: Deal | None) -> int | Problem:
        importer = self.setting.importer
        owner = values.get("owner_id", deal.owner_id if deal is not None else importer.id)
        if not importer.is_manager and (owner != importer.id or (deal is not None and deal.owner_id != importer.id)):
            return Problem.of("transfer.row.not_yours")
        if deal is not None and owner != deal.owner_id:
            return Problem.of("transfer.row.owner_differs")
        return int(owner)

    def create(self, row: int, values: dict[str, Any]) -> Planned | Problem:
        for required, key in (("title", "transfer.row.no_title"), ("amount", "transfer.row.no_amount"),
                              ("close_date", "transfer.row.no_close_date")):
            if required not in values:
                return Problem.of(key)
        owner = self.allowed_owner(values, None)
        if isinstance(owner, Problem):
            return owner
        customer = self.customer(row, values["customer"])
        if isinstance(customer, Problem):
            return customer
        stored = {"title": values["title"], "amount": str(values["amount"]), "currency": values["currency"],
                  "close_date": values["close_date"].isoformat(),
                  "stage_key": values.get("stage_key") or self.setting.team.funnel.stages[0].key,
                  "status": values.get("status", str(DealStatus.OPEN)), "lead_source": values.get("lead_source"),
                  "next_step": values.get("next_step"),
                  "next_due": values["next_due"].isoformat() if values.get("next_due") else None}
        name = customer.name if customer is not None else values["customer"]
        return Planned(row, CREATE, name, customer.id if customer else None, None, owner, stored)

    def customer(self, row: int, name: str) -> Customer | Problem | None:
        """The existing customer of this name, None for a new one; a close name is refused."""
        key = normalise_name(name)
        if key in self.customers:
            return self.customers[key]
        if key in self.new_names:
            return None
        close = self.known.match(name, limit=1)
        if close:
            if close[0].verdict == "same":
                return self.customers[normalise_name(close[0].name)]
            return Problem.of("transfer.row.close_customer", name=name, existing=close[0].name)
        close = self.new_index.match(name, limit=1)
        if close:
            written, first = self.new_rows[close[0].id]
            return Problem.of("transfer.row.close_new_customer", name=name, other=written, first=first)
        self.new_names[key] = (name, row)
        self.new_index.add(len(self.new_rows), name)
        self.new_rows.append((name, row))
        return None

    def update(self, row: int, deal: Deal, values: dict[str, Any]) -> Planned | Problem:
        owner = self.allowed_owner(values, deal)
        if isinstance(owner, Problem):
            return owner
        if values.get("status", deal.status) != deal.status:
            return Problem.of("transfer.row.status_change", id=deal.id)
        current = {"amount": deal.amount, "currency": deal.currency, "close_date": deal.close_date,
                   "stage_key": deal.stage_key, "lead_source": deal.lead_source, "next_step": deal.next_step,
                   "next_due": deal.next_due}
        wanted = {name: values[name] for name in UPDATABLE if name in values}
        changed = tuple(name for name, value in wanted.items() if not _same(current[name], value))
        if changed and deal.status != DealStatus.OPEN:
            return Problem.of("transfer.row.closed_deal", id=deal.id)
        stored = {name: _stored(wanted[name]) for name in changed}
        return Planned(row, UPDATE if changed else SAME, deal.customer_name, deal.customer_id, deal.id, owner,
                       stored, changed)


def _same(current: Any, wanted: Any) -> bool:
    if isinstance(current, Decimal) or isinstance(wanted, Decimal):
        return current is not None and Decimal(current) == Decimal(wanted)
    return bool(current == wanted)


def _stored(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def summary(plan: ImportPlan) -> dict[str, int]:
    return {"create": plan.count(CREATE), "update": plan.count(UPDATE), "same": plan.count(SAME),
            "refused": len(plan.refused), "customers": plan.new_customers}
