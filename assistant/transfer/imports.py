"""An import as a use case: a file is previewed (and kept as a pending batch), then confirmed
or cancelled. A confirm reads the file again against the database as it is then: when the
plan differs from the preview the user saw (someone added a customer meanwhile), nothing is
written and the new preview is shown instead."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from assistant.i18n import render
from assistant.method.model import ImportBatch, Team, User
from assistant.method.results import Problem
from assistant.transfer.columns import FIELDS, export_header, find_layout
from assistant.transfer.plan import CREATE, SAME, UPDATE, ImportPlan, Setting, make_plan, summary
from assistant.transfer.tables import MAX_ROWS, Sheet, read_sheets
from assistant.transfer.writing import write_plan
from assistant.unit_of_work import UnitOfWork

REFUSALS_SHOWN = 15  # rows listed with their reason in a preview; the rest are counted


@dataclass(frozen=True)
class Preview:
    plan: ImportPlan
    file_name: str

    @property
    def writable(self) -> bool:
        return bool(self.plan.count(CREATE) or self.plan.count(UPDATE))


def plan_file(uow: UnitOfWork, team: Team, user: User, file_name: str, data: bytes, today: date,
              lang: str) -> Preview | Problem:
    sheets = read_sheets(file_name, data)
    if isinstance(sheets, Problem):
        return sheets
    layout = find_layout(sheets)
    if layout is None:
        return Problem.of("transfer.file.no_header", name=file_name)
    sheet: Sheet = next(s for s in sheets if s.name == layout.sheet)
    if not layout.of("title") and not layout.of("id"):
        return Problem.of("transfer.file.no_title_column")
    data_rows = sum(1 for number, _ in sheet.rows if number > layout.header_row)
    if data_rows == 0:
        return Problem.of("transfer.file.no_rows", name=file_name)
    if data_rows > MAX_ROWS:
        return Problem.of("transfer.file.too_many_rows", limit=MAX_ROWS)
    deals = uow.deals.find(team.id)
    setting = Setting(team=team, importer=user, members=uow.users.members(team.id),
                      customers=uow.customers.of_team(team.id), deals=deals, today=today, lang=lang)
    return Preview(make_plan(sheet, layout, setting), file_name)


def preview_params(preview: Preview, lang: str) -> dict[str, Any]:
    """What the preview message shows: columns recognised and not, the counts, each refused row."""
    plan = preview.plan
    refused = [{"row": r.row, "reason": render(lang, r.key, **r.params)} for r in plan.refused[:REFUSALS_SHOWN]]
    return {"file": preview.file_name, "sheet": plan.layout.sheet, "header_row": plan.layout.header_row,
            "recognised": [_column(c.header, export_header(lang, c.field)) for c in plan.layout.recognised
                           if c.field in FIELDS],
            "unknown": list(plan.layout.unknown), "create": plan.count(CREATE), "update": plan.count(UPDATE),
            "same": plan.count(SAME), "customers": plan.new_customers, "refused": refused,
            "refused_count": len(plan.refused), "more_refused": max(0, len(plan.refused) - REFUSALS_SHOWN),
            "writable": preview.writable}


def _column(header: str, name: str) -> str:
    return header if header == name else f"{header} → {name}"


def keep(uow: UnitOfWork, preview: Preview, team: Team, user: User, data: bytes, at: datetime) -> ImportBatch:
    """The file kept until confirmed or cancelled; an earlier file still waiting is dropped (the
    newest preview is the one a confirm writes)."""
    uow.transfers.drop_pending(user.id, at)
    return uow.transfers.add_batch(team.id, user.id, preview.file_name, data, preview.plan.fingerprint(),
                                   summary(preview.plan), at)


@dataclass(frozen=True)
class Written:
    counts: dict[str, int]


def confirm(uow: UnitOfWork, batch: ImportBatch, team: Team, user: User, today: date, lang: str,
            at: datetime) -> Written | Preview | Problem:
    """Write the batch if its plan is still the one previewed; else the new preview (kept)."""
    preview = plan_file(uow, team, user, batch.file_name, batch.data or b"", today, lang)
    if isinstance(preview, Problem):
        return preview
    fingerprint = preview.plan.fingerprint()
    if fingerprint != batch.fingerprint:
        uow.transfers.settle_batch(batch.id, "pending", at, summary(preview.plan), fingerprint)
        return preview
    write_plan(uow, preview.plan, team, user, at)
    counts = summary(preview.plan)
    uow.transfers.settle_batch(batch.id, "applied", at, counts)
    return Written(counts)


def write_if_unchanged(uow: UnitOfWork, team: Team, user: User, file_name: str, data: bytes, fingerprint: str,
                       today: date, lang: str, at: datetime) -> Written | Preview | Problem:
    """The command line's confirm: the file planned again and written if the plan is still the
    one shown (`fingerprint`); the new preview otherwise. The caller commits."""
    preview = plan_file(uow, team, user, file_name, data, today, lang)
    if isinstance(preview, Problem) or preview.plan.fingerprint() != fingerprint:
        return preview
    write_plan(uow, preview.plan, team, user, at)
    return Written(summary(preview.plan))
