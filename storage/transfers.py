"""Import batches, and the team-wide reads an export needs (one query per table, whatever the
number of deals)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert, select

from assistant.method.model import Contact, Deal, ImportBatch, JsonDict, StageChange, Visit
from storage.models import ContactRow, CustomerRow, DealRow, ImportBatchRow, StageChangeRow, VisitRow
from storage.repositories import _DEAL_FIELDS, Repository, aware


class Transfers(Repository):
    def add_batch(self, team_id: int, user_id: int, file_name: str, data: bytes, fingerprint: str,
                  summary: JsonDict, at: datetime) -> ImportBatch:
        row = ImportBatchRow(team_id=team_id, user_id=user_id, file_name=file_name[:255], data=data,
                             fingerprint=fingerprint, status="pending", summary=summary, created_at=at)
        self.session.add(row)
        self.session.flush()
        return _batch(row)

    def drop_pending(self, user_id: int, at: datetime) -> int:
        """Cancel this person's batches still waiting (their files dropped): a newer file replaces them."""
        rows = self.session.scalars(select(ImportBatchRow).where(ImportBatchRow.user_id == user_id,
                                                                 ImportBatchRow.status == "pending"))
        count = 0
        for row in rows:
            row.status, row.data, row.settled_at = "cancelled", None, at
            count += 1
        return count

    def batch(self, batch_id: int) -> ImportBatch | None:
        row = self.session.get(ImportBatchRow, batch_id)
        return _batch(row) if row else None

    def settle_batch(self, batch_id: int, status: str, at: datetime, summary: JsonDict | None = None,
                     fingerprint: str | None = None) -> None:
        """`pending` again with a new fingerprint (the preview was shown anew), or applied /
        cancelled, which drops the file."""
        row = self.session.get(ImportBatchRow, batch_id, with_for_update=True)
        if row is None:
            return
        row.status = status
        if summary is not None:
            row.summary = summary
        if fingerprint is not None:
            row.fingerprint = fingerprint
        if status != "pending":
            row.data, row.settled_at = None, at

    def add_customers(self, team_id: int, customers: list[tuple[int, str, str]], at: datetime) -> list[int]:
        """Many customers (owner id, name, normalised name) in one statement; their ids in order."""
        if not customers:
            return []
        rows = [{"team_id": team_id, "owner_id": owner, "name": name, "normalized": key, "created_at": at}
                for owner, name, key in customers]
        result = self.session.execute(insert(CustomerRow).returning(CustomerRow.id, sort_by_parameter_order=True),
                                      rows)
        return [found[0] for found in result]

    def add_deals(self, deals: list[Deal]) -> list[int]:
        """Many deals in one statement (an import); their ids in order, also set on each deal."""
        if not deals:
            return []
        rows = [{name: getattr(deal, name) for name in _DEAL_FIELDS} for deal in deals]
        result = self.session.execute(insert(DealRow).returning(DealRow.id, sort_by_parameter_order=True), rows)
        ids = [found[0] for found in result]
        for deal, deal_id in zip(deals, ids, strict=True):
            deal.id = deal_id
        return ids

    def add_changes(self, changes: list[StageChange]) -> None:
        if changes:
            self.session.execute(insert(StageChangeRow), [
                {"deal_id": c.deal_id, "from_stage": c.from_stage, "to_stage": c.to_stage, "kind": c.kind, "at": c.at,
                 "by_user_id": c.by_user_id, "checklist_complete": c.checklist_complete, "ticked": list(c.ticked),
                 "unticked": list(c.unticked), "note": c.note} for c in changes])

    def contacts_of_team(self, team_id: int) -> list[Contact]:
        rows = self.session.scalars(select(ContactRow).join(CustomerRow, CustomerRow.id == ContactRow.customer_id)
                                    .where(CustomerRow.team_id == team_id).order_by(ContactRow.id))
        return [Contact(r.id, r.customer_id, r.name, r.title, r.role) for r in rows]

    def visits_of_team(self, team_id: int) -> list[Visit]:
        rows = self.session.scalars(select(VisitRow).join(DealRow, DealRow.id == VisitRow.deal_id)
                                    .where(DealRow.team_id == team_id).order_by(VisitRow.visited_on, VisitRow.id))
        return [Visit(r.deal_id, r.kind, r.visited_on, r.objective, r.result, r.customer_participants,
                      r.our_participants, tuple(r.next_steps or ()), r.issues_customer, r.issues_ours,
                      r.next_due, r.by_user_id, r.id) for r in rows]


def _batch(row: ImportBatchRow) -> ImportBatch:
    return ImportBatch(row.id, row.team_id, row.user_id, row.file_name, row.status, row.fingerprint,
                       aware(row.created_at), row.data, dict(row.summary or {}))
