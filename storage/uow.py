"""The unit of work the core runs each event in: one transaction, committed only when asked."""
from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy.orm import Session, sessionmaker

from storage.outbox import Outbox, SelfChecks, Snapshots
from storage.repositories import Customers, Deals, FlowStates, Inbox, Invites, Targets, Teams, Users

if TYPE_CHECKING:
    from assistant.unit_of_work import UnitOfWork


class SqlUnitOfWork:
    """`assistant.unit_of_work.UnitOfWork` on a SQLAlchemy session (SQLite or PostgreSQL)."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions
        self.session: Session | None = None

    def __enter__(self) -> SqlUnitOfWork:
        self.session = self._sessions()
        self.teams = Teams(self.session)
        self.users = Users(self.session)
        self.invites = Invites(self.session)
        self.customers = Customers(self.session)
        self.deals = Deals(self.session)
        self.targets = Targets(self.session)
        self.flow_states = FlowStates(self.session)
        self.inbox = Inbox(self.session)
        self.outbox = Outbox(self.session)
        self.self_checks = SelfChecks(self.session)
        self.snapshots = Snapshots(self.session)
        return self

    def __exit__(self, *exc: object) -> None:
        session = self._open()
        session.rollback()
        session.close()
        self.session = None

    def commit(self) -> None:
        self._open().commit()

    def rollback(self) -> None:
        self._open().rollback()

    def _open(self) -> Session:
        if self.session is None:
            raise RuntimeError("the unit of work is used outside its `with` block")
        return self.session


if TYPE_CHECKING:
    def _conforms(sessions: sessionmaker[Session]) -> UnitOfWork:
        """Never called: mypy holds the class to the core's protocol here, naming any member that differs."""
        return SqlUnitOfWork(sessions)
