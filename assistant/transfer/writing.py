"""An import plan written: customers, deals and their stage history, all in the caller's unit
of work, so the rows go in together or not at all."""
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
    new_customers: dict[str, int] = {}
    for row in plan.rows:
        if row.action == CREATE:
            _create(uow, row, team, importer, at, new_customers)
        elif row.action == UPDATE and row.deal_id is not None:
            _update(uow, row, team, importer, at)


def _create(uow: UnitOfWork, row: Planned, team: Team, importer: User, at: datetime,
            new_customers: dict[str, int]) -> None:
    customer_id = row.customer_id
    if customer_id is None:
        key = normalise_name(row.customer)
        if key not in new_customers:
            new_customers[key] = uow.customers.add(team.id, row.owner_id, row.customer, key, at).id
        customer_id = new_customers[key]
    values = row.values
    status = values["status"]
    deal = Deal(id=0, team_id=team.id, owner_id=row.owner_id, customer_id=customer_id, customer_name=row.customer,
                title=values["title"], amount=Decimal(values["amount"]), currency=values["currency"],
                close_date=date.fromisoformat(values["close_date"]), stage_key=values["stage_key"], status=status,
                lead_source=values["lead_source"], next_step=values["next_step"],
                next_due=date.fromisoformat(values["next_due"]) if values["next_due"] else None,
                created_at=at, last_activity_at=at, closed_at=at if status != DealStatus.OPEN else None)
    uow.deals.add(deal)
    unticked = [p.key for p in (team.funnel.stage(deal.stage_key) or team.funnel.stages[0]).checklist]
    uow.deals.add_change(replace(record_creation(deal, importer, at, {"ticked": [], "unticked": unticked}),
                                 note=IMPORT_NOTE))
    if status != DealStatus.OPEN:
        uow.deals.add_change(StageChange(deal.id, deal.stage_key, str(status), str(status), at, importer.id, True,
                                         note=IMPORT_NOTE))


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
