"""An import plan written: customers, deals and their stage history, all in the caller's unit
of work, so the rows go in together or not at all. New customers, deals and their creation
records are inserted in bulk (one statement each), whatever the number of rows."""
from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal

from assistant.method.customer_names import normalise_name
from assistant.method.deals import record_creation
from assistant.method.model import Deal, DealStatus, StageChange, Team, User
from assistant.transfer.plan import CREATE, UPDATE, ImportPlan, Planned
from assistant.unit_of_work import UnitOfWork

IMPORT_NOTE = "import"  # the note on a stage change an import made


def write_plan(uow: UnitOfWork, plan: ImportPlan, team: Team, importer: User, at: datetime) -> None:
    creating = [row for row in plan.rows if row.action == CREATE]
    new: dict[str, tuple[int, str]] = {}
    for row in creating:
        if row.customer_id is None:
            new.setdefault(normalise_name(row.customer), (row.owner_id, row.customer))
    keys = list(new)
    ids = uow.transfers.add_customers(team.id, [(new[k][0], new[k][1], k) for k in keys], at)
    customer_ids = dict(zip(keys, ids, strict=True))
    deals = [_deal(row, row.customer_id or customer_ids[normalise_name(row.customer)], team, at) for row in creating]
    uow.transfers.add_deals(deals)
    changes: list[StageChange] = []
    for deal in deals:
        stage = team.funnel.stage(deal.stage_key) or team.funnel.stages[0]
        checklist = {"ticked": [], "unticked": [p.key for p in stage.checklist]}
        changes.append(replace(record_creation(deal, importer, at, checklist), note=IMPORT_NOTE))
        if deal.status != DealStatus.OPEN:
            changes.append(StageChange(deal.id, deal.stage_key, str(deal.status), str(deal.status), at, importer.id,
                                       True, note=IMPORT_NOTE))
    uow.transfers.add_changes(changes)
    for row in plan.rows:
        if row.action == UPDATE and row.deal_id is not None:
            _update(uow, row, team, importer, at)


def _deal(row: Planned, customer_id: int, team: Team, at: datetime) -> Deal:
    values = row.values
    status = values["status"]
    return Deal(id=0, team_id=team.id, owner_id=row.owner_id, customer_id=customer_id, customer_name=row.customer,
                title=values["title"], amount=Decimal(values["amount"]), currency=values["currency"],
                close_date=date.fromisoformat(values["close_date"]), stage_key=values["stage_key"], status=status,
                lead_source=values["lead_source"], next_step=values["next_step"],
                next_due=date.fromisoformat(values["next_due"]) if values["next_due"] else None,
                created_at=at, last_activity_at=at, closed_at=at if status != DealStatus.OPEN else None)


def _update(uow: UnitOfWork, row: Planned, team: Team, importer: User, at: datetime) -> None:
    deal = uow.deals.get(row.deal_id or 0)
    if deal is None:
        return
    values = row.values
    changed = replace(deal, last_activity_at=at)
    for name in row.changed:
        value = values[name]
        if name in ("close_date", "next_due"):
            value = date.fromisoformat(value) if value else None
        elif name == "amount":
            value = Decimal(value)
        setattr(changed, name, value)
    uow.deals.save(changed)
    if "stage_key" in row.changed and team.funnel.stage(deal.stage_key) is not None:
        kind = "advance" if team.funnel.index(changed.stage_key) > team.funnel.index(deal.stage_key) else "back_off"
        uow.deals.add_change(StageChange(deal.id, deal.stage_key, changed.stage_key, kind, at, importer.id, False,
                                         note=IMPORT_NOTE))
