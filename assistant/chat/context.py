"""What a command or flow step knows about the event it is handling.

Two kinds, built by the engine after the identity check: a `Visitor` is anyone writing to the
bot (only the join flow runs for them), a `Ctx` is a team member, whose user and team are
always there, so no member command has to ask whether they exist.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from assistant.clock import DEFAULT_TIMEZONE, Clock, local_today
from assistant.events import ChatKey
from assistant.method.model import Team, User
from assistant.unit_of_work import UnitOfWork


@dataclass(kw_only=True)
class Visitor:
    uow: UnitOfWork
    clock: Clock
    who: ChatKey
    lang: str
    private: bool = True
    can_form: bool = False  # the platform can show a form now (`Inbound.can_form`)

    @property
    def now(self) -> datetime:
        return self.clock.now()

    @property
    def today(self) -> date:
        return local_today(self.clock, DEFAULT_TIMEZONE)


@dataclass(kw_only=True)
class Ctx(Visitor):
    """A member of a team, in their language and their team's time zone."""

    user: User
    team: Team

    @property
    def today(self) -> date:
        return local_today(self.clock, self.team.timezone)
