"""The unit of work the core runs each event in: one transaction, committed only when asked."""
from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from storage.outbox import Outbox, SelfChecks, Snapshots
from storage.repositories import Customers, DealEdits, Deals, FlowStates, Inbox, Invites, Targets, Teams, Users

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
        self.deal_edits = DealEdits(self.session)
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

    def storage_problem(self, error: BaseException) -> str | None:
        """"read_only" or "full" when `error` says the database refuses writes (a read-only
        file, server or transaction; no space left), None for anything else."""
        return storage_problem(error)

    def _open(self) -> Session:
        if self.session is None:
            raise RuntimeError("the unit of work is used outside its `with` block")
        return self.session


_SQLITE_READONLY, _SQLITE_FULL = 8, 13
_PG_READ_ONLY, _PG_FULL = ("25006",), ("53100", "53200")


def storage_problem(error: BaseException) -> str | None:
    original = error.orig if isinstance(error, DBAPIError) else None
    code = getattr(original, "sqlite_errorcode", None)
    if code is not None:
        return {_SQLITE_READONLY: "read_only", _SQLITE_FULL: "full"}.get(code & 0xFF)
    state = getattr(original, "sqlstate", None)
    if state in _PG_READ_ONLY:
        return "read_only"
    if state in _PG_FULL:
        return "full"
    return None


if TYPE_CHECKING:
    def _conforms(sessions: sessionmaker[Session]) -> UnitOfWork:
        """Never called: mypy holds the class to the core's protocol here, naming any member that differs."""
        return SqlUnitOfWork(sessions)
