"""Tenants bound to teams (`TenantBindingRow`), as `assistant.method.model.TenantBinding`."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select

from assistant.method.model import Role, TenantBinding
from storage.models import TenantBindingRow
from storage.repositories import Repository, rowcount


class TenantBindings(Repository):
    def get(self, platform: str, tenant: str) -> TenantBinding | None:
        row = self._row(platform, tenant)
        return TenantBinding(row.platform, row.tenant, row.team_id, Role(row.role)) if row is not None else None

    def bind(self, binding: TenantBinding, by: int | None, at: datetime) -> bool:
        """Bind the tenant to the team, or change the role of its binding; False when the
        tenant is bound to another team (it must be released there first)."""
        row = self._row(binding.platform, binding.tenant)
        if row is not None and row.team_id != binding.team_id:
            return False
        if row is None:
            self.session.add(TenantBindingRow(platform=binding.platform, tenant=binding.tenant,
                                              team_id=binding.team_id, role=str(binding.role), created_by=by,
                                              created_at=at))
        else:
            row.role = str(binding.role)
        self.session.flush()
        return True

    def unbind(self, platform: str, tenant: str, team_id: int) -> bool:
        result = self.session.execute(delete(TenantBindingRow).where(
            TenantBindingRow.platform == platform, TenantBindingRow.tenant == tenant,
            TenantBindingRow.team_id == team_id))
        return rowcount(result) == 1

    def _row(self, platform: str, tenant: str) -> TenantBindingRow | None:
        return self.session.scalar(select(TenantBindingRow).where(TenantBindingRow.platform == platform,
                                                                  TenantBindingRow.tenant == tenant))
