"""What a flow step knows about the event it is handling."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from assistant.clock import DEFAULT_TIMEZONE, Clock, local_today
from assistant.events import ChatKey
from assistant.method.model import Team, User


@dataclass
class Ctx:
    uow: Any
    clock: Clock
    who: ChatKey
    lang: str
    user: User | None = None
    team: Team | None = None
    private: bool = True
    can_form: bool = False  # the platform can show a form now (`Inbound.can_form`)

    @property
    def now(self) -> datetime:
        return self.clock.now()

    @property
    def today(self) -> date:
        return local_today(self.clock, self.team.timezone if self.team else DEFAULT_TIMEZONE)
