"""Forecast snapshots (domain §2, product decision): each rep's forecast for a month and for
a quarter is recorded once, on the first scan of that period, so accuracy is later judged
against what was forecast in advance, not against a figure edited after the fact."""
from __future__ import annotations

from assistant.clock import Clock, local_today
from assistant.method.currency import in_reporting, rates_of
from assistant.method.forecast import current_month, current_quarter, forecast
from assistant.method.model import DealStatus, Role, Team
from assistant.unit_of_work import UnitOfWork


def take(uow: UnitOfWork, clock: Clock) -> int:
    return sum(take_team(uow, team, clock) for team in uow.teams.all())


def take_team(uow: UnitOfWork, team: Team, clock: Clock) -> int:
    taken = 0
    today = local_today(clock, team.timezone)
    deals = in_reporting(uow.deals.find(team.id, status=DealStatus.OPEN), team.currency, rates_of(team.settings))
    for member in uow.users.members(team.id):
        if member.role != Role.REP:
            continue
        own = [deal for deal in deals if deal.owner_id == member.id]
        for period in (current_month(today), current_quarter(today)):
            figure = forecast(own, team.funnel, period, team.currency).total_weighted
            taken += uow.snapshots.take(member.id, period.label, figure, team.currency, clock.now())
    return taken
