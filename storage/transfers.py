"""Import batches, and the team-wide reads an export needs (one query per table, whatever the
number of deals)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from assistant.method.model import Contact, ImportBatch, JsonDict, Visit
from storage.models import ContactRow, CustomerRow, DealRow, ImportBatchRow, VisitRow
from storage.repositories import Repository, aware


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
