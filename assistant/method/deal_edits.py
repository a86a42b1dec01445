"""Undoing a change: a deal's fields as stored in its edit record, and when a change may still
be reversed. A change is undone only within `UNDO_WINDOW` and only while the deal is as that
change left it, so an undo never overwrites something done since."""
from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from assistant.method.model import Deal, DealEdit, JsonDict
from assistant.method.results import Problem

UNDO_WINDOW = timedelta(minutes=10)

_DECIMALS = ("amount",)
_DATES = ("close_date", "next_due")
_MOMENTS = ("closed_at", "assessed_at", "last_activity_at")
_PLAIN = ("customer_id", "customer_name", "title", "currency", "stage_key", "status", "lead_source", "need", "money",
          "authority", "urgent", "next_step", "lost_reason_ours", "lost_reason_customer", "lost_prevention")


def snapshot(deal: Deal) -> JsonDict:
    """The deal's changeable fields, JSON-safe."""
    fields: JsonDict = {name: getattr(deal, name) for name in _PLAIN}
    fields["status"] = str(deal.status)
    fields |= {name: str(getattr(deal, name)) for name in _DECIMALS}
    for name in (*_DATES, *_MOMENTS):
        value = getattr(deal, name)
        fields[name] = value.isoformat() if value is not None else None
    return fields


def restore(deal: Deal, fields: JsonDict) -> Deal:
    """The deal with the fields of a snapshot put back."""
    values: dict[str, Any] = {name: fields[name] for name in _PLAIN}
    values |= {name: Decimal(fields[name]) for name in _DECIMALS}
    values |= {name: date.fromisoformat(fields[name]) if fields[name] else None for name in _DATES}
    values |= {name: datetime.fromisoformat(fields[name]) if fields[name] else None for name in _MOMENTS}
    return replace(deal, **values)


def undo_problem(edit: DealEdit, current: Deal | None, now: datetime) -> Problem | None:
    """Why this change can no longer be undone, or None when it can."""
    if edit.undone_at is not None:
        return Problem.of("undo.already")
    if now - edit.at > UNDO_WINDOW:
        return Problem.of("undo.too_late", minutes=int(UNDO_WINDOW.total_seconds() // 60))
    if current is None or _comparable(snapshot(current)) != _comparable(edit.after):
        return Problem.of("undo.changed_since")
    return None


def _comparable(fields: JsonDict) -> JsonDict:
    """What must be unchanged since: everything but the moment of the last activity (a look
    at the deal does not count), amounts compared as numbers."""
    kept = {k: v for k, v in fields.items() if k != "last_activity_at"}
    kept["amount"] = Decimal(str(kept["amount"])).normalize()
    return kept
