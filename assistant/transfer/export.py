"""The funnel as a workbook: deals, customers, contacts, visits and stage history, one sheet
each (openpyxl, streamed), headers in the reader's language and frozen, dates as dates, amounts
as numbers formatted in their currency. A rep gets their own deals only.

Text that a spreadsheet would run as a formula (starting with = + - @) is written as text:
a string cell in .xlsx, an apostrophe before it in .csv (OWASP's advice for CSV injection),
which an import strips again.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from assistant.i18n import render
from assistant.method.model import Customer, Deal, DealStatus, StageChange, Team, User
from assistant.transfer.columns import export_header
from assistant.transfer.reading import STATUS_WORDS
from assistant.unit_of_work import UnitOfWork

XLSX, CSV = "xlsx", "csv"
DEAL_COLUMNS = ("id", "customer", "title", "amount", "currency", "weighted", "stage", "probability", "status",
                "close_date", "owner", "source", "next_step", "next_due", "created_at", "last_activity")
_MONEY_FORMATS = {"CNY": '"¥"#,##0.00', "USD": '"$"#,##0.00', "EUR": '"€"#,##0.00', "HKD": '"HK$"#,##0.00'}
_DATE, _STAMP, _PERCENT = "yyyy-mm-dd", "yyyy-mm-dd hh:mm", "0%"
_RISKY = ("=", "+", "-", "@", "\t", "\r")
_MONEY_AT, _PERCENT_AT = (3, 5), 7  # amount and weighted amount; probability (DEAL_COLUMNS)


@dataclass(frozen=True)
class Export:
    data: bytes
    file_name: str
    counts: dict[str, int]


@dataclass
class _Scope:
    deals: list[Deal]
    customers: list[Customer]
    contacts: list[Any]
    visits: list[Any]
    changes: list[StageChange]
    people: dict[int, str]


def gather(uow: UnitOfWork, team: Team, user: User | None) -> _Scope:
    """What the export holds: the team's, or (a rep) only their own deals and those deals' customers."""
    own = user is not None and not user.is_manager
    deals = uow.deals.find(team.id, owner_id=user.id if own and user else None)
    deals.sort(key=lambda d: d.id)
    deal_ids = {d.id for d in deals}
    customers = uow.customers.of_team(team.id)
    if own and user is not None:
        wanted = {d.customer_id for d in deals}
        customers = [c for c in customers if c.id in wanted or c.owner_id == user.id]
    customer_ids = {c.id for c in customers}
    contacts = [c for c in uow.transfers.contacts_of_team(team.id) if c.customer_id in customer_ids]
    visits = [v for v in uow.transfers.visits_of_team(team.id) if v.deal_id in deal_ids]
    history = uow.deals.changes_of_team(team.id)
    changes = [c for deal_id in sorted(deal_ids) for c in history.get(deal_id, [])]
    people = {m.id: m.name for m in uow.users.members(team.id)}
    return _Scope(deals, customers, contacts, visits, changes, people)


def export(uow: UnitOfWork, team: Team, user: User | None, lang: str, fmt: str = XLSX) -> Export:
    scope = gather(uow, team, user)
    counts = {"deals": len(scope.deals), "customers": len(scope.customers), "contacts": len(scope.contacts),
              "visits": len(scope.visits), "changes": len(scope.changes)}
    writer = _Writer(team, lang)
    if fmt == CSV:
        return Export(writer.csv(scope), f"{team.name}-deals.csv", counts)
    return Export(writer.xlsx(scope), f"{team.name}.xlsx", counts)


def neutralise(text: str) -> str:
    return "'" + text if text.startswith(_RISKY) else text


class _Writer:
    def __init__(self, team: Team, lang: str) -> None:
        self.team, self.lang = team, lang
        self.zone = ZoneInfo(team.timezone)

    def text(self, key: str, **params: Any) -> str:
        return render(self.lang, key, **params)

    def local(self, stamp: datetime | None) -> datetime | None:
        return stamp.astimezone(self.zone).replace(tzinfo=None) if stamp is not None else None

    def stage(self, key: str | None) -> str:
        if key in (DealStatus.WON, DealStatus.LOST):
            return self.status(key or "")
        found = self.team.funnel.stage(key or "")
        return found.name(self.lang) if found is not None else (key or "")

    def status(self, status: str) -> str:
        return self.text(STATUS_WORDS[DealStatus(status)]).split("|")[0]

    def deal_row(self, deal: Deal, people: dict[int, str]) -> list[Any]:
        stage = self.team.funnel.stage(deal.stage_key)
        probability = stage.probability if stage is not None else None
        weighted = deal.amount * probability if probability is not None and deal.status == DealStatus.OPEN else None
        source = self.text(f"lead_source.{deal.lead_source}") if deal.lead_source else None
        return [deal.id, deal.customer_name, deal.title, deal.amount, deal.currency, weighted,
                self.stage(deal.stage_key), probability, self.status(deal.status), deal.close_date,
                people.get(deal.owner_id, ""), source, deal.next_step, deal.next_due,
                self.local(deal.created_at), self.local(deal.last_activity_at)]

    def sheets(self, scope: _Scope) -> list[tuple[str, list[str], Iterable[list[Any]]]]:
        t = self.text
        people = scope.people
        names = {c.id: c.name for c in scope.customers}
        deals = {d.id: d for d in scope.deals}
        return [
            (t("transfer.export.sheet_deals"), [export_header(self.lang, c) for c in DEAL_COLUMNS],
             (self.deal_row(d, people) for d in scope.deals)),
            (t("transfer.export.sheet_customers"),
             [t("transfer.export.customer_id"), export_header(self.lang, "customer"),
              export_header(self.lang, "owner")],
             ([c.id, c.name, people.get(c.owner_id, "")] for c in scope.customers)),
            (t("transfer.export.sheet_contacts"),
             [export_header(self.lang, "customer"), t("transfer.export.contact_name"),
              t("transfer.export.contact_title"), t("transfer.export.contact_role")],
             ([names.get(c.customer_id, ""), c.name, c.title, t(f"contact_role.{c.role}")] for c in scope.contacts)),
            (t("transfer.export.sheet_visits"),
             [export_header(self.lang, "id"), export_header(self.lang, "customer"), t("transfer.export.visit_date"),
              t("transfer.export.visit_kind"), t("transfer.export.visit_objective"),
              t("transfer.export.visit_result"), t("transfer.export.visit_next_steps"),
              export_header(self.lang, "next_due"), t("transfer.export.visit_by")],
             ([v.deal_id, deals[v.deal_id].customer_name if v.deal_id in deals else "", v.visited_on,
               t(f"visit_kind.{v.kind}"), v.objective, v.result, "；".join(v.next_steps), v.next_due,
               people.get(v.by_user_id, "")] for v in scope.visits)),
            (t("transfer.export.sheet_history"),
             [export_header(self.lang, "id"), export_header(self.lang, "customer"), t("transfer.export.change_from"),
              t("transfer.export.change_to"), t("transfer.export.change_kind"), t("transfer.export.change_at"),
              t("transfer.export.change_by"), t("transfer.export.change_note")],
             ([c.deal_id, deals[c.deal_id].customer_name if c.deal_id in deals else "", self.stage(c.from_stage),
               self.stage(c.to_stage), c.kind, self.local(c.at), people.get(c.by_user_id, ""), c.note]
              for c in scope.changes)),
        ]

    def xlsx(self, scope: _Scope) -> bytes:
        workbook = Workbook(write_only=True)
        bold = Font(bold=True)
        for title, headers, rows in self.sheets(scope):
            sheet: WriteOnlyWorksheet = workbook.create_sheet(title[:31])
            sheet.freeze_panes = "A2"
            header_cells = []
            for header in headers:
                cell = WriteOnlyCell(sheet, value=header)
                cell.font = bold
                header_cells.append(cell)
            sheet.append(header_cells)
            deals = title == self.text("transfer.export.sheet_deals")
            for row in rows:
                formats = {index: _MONEY_FORMATS.get(row[4], "#,##0.00") for index in _MONEY_AT} if deals else {}
                if deals:
                    formats[_PERCENT_AT] = _PERCENT
                sheet.append([self.cell(sheet, value, formats.get(index)) for index, value in enumerate(row)])
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue()

    def cell(self, sheet: WriteOnlyWorksheet, value: Any, number_format: str | None) -> Any:
        if value is None or isinstance(value, bool | int):
            return value
        if isinstance(value, str) and not value.startswith(_RISKY):
            return value  # plain text: openpyxl writes it as a string cell
        if isinstance(value, str):
            cell = WriteOnlyCell(sheet, value=None)
            cell.value, cell.data_type = value, "s"  # never a formula, whatever it starts with
            cell.quotePrefix = True
            return cell
        cell = WriteOnlyCell(sheet, value=value)
        if isinstance(value, datetime):
            cell.number_format = _STAMP
        elif isinstance(value, date):
            cell.number_format = _DATE
        elif number_format is not None:
            cell.number_format = number_format
        return cell

    def csv(self, scope: _Scope) -> bytes:
        """The deals sheet as UTF-8 with BOM, what Chinese Excel opens without garbling."""
        _, headers, rows = self.sheets(scope)[0]
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(headers)
        for row in rows:
            writer.writerow([_csv_value(value, index == _PERCENT_AT) for index, value in enumerate(row)])
        return b"\xef\xbb\xbf" + buffer.getvalue().encode("utf-8")


def _csv_value(value: Any, percent: bool) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value * 100:.0f}%" if percent else f"{value:.2f}"
    if isinstance(value, str):
        return neutralise(value)
    return str(value)
