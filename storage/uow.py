"""The unit of work the core runs each event in: one transaction, committed only when asked."""
from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from storage.outbox import Outbox, SelfChecks, Snapshots
from storage.repositories import Customers, Deals, FlowStates, Inbox, Invites, Targets, Teams, Users


class SqlUnitOfWork:
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

    def __exit__(self, *exc) -> None:
        self.session.rollback()
        self.session.close()
        self.session = None

    def commit(self) -> None:
        self.session.commit()

    def rollback(self) -> None:
        self.session.rollback()
