"""The unit of work the core runs each event in: one transaction, committed only when asked."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from storage.db import BUSY_TIMEOUT_MS
from storage.outbox import Outbox, SelfChecks, Snapshots
from storage.repositories import Customers, DealEdits, Deals, FlowStates, Inbox, Invites, Targets, Teams, Users
from storage.tenant_bindings import TenantBindings
from storage.transfers import Transfers

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
        self.tenant_bindings = TenantBindings(self.session)
        self.transfers = Transfers(self.session)
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

    @contextmanager
    def reading(self) -> Iterator[SqlUnitOfWork]:
        """A read-only transaction: SQLite's `query_only`, PostgreSQL's `READ ONLY`. In WAL mode
        a SQLite read takes no lock, so it never waits for a writer. Changes left in the session
        are flushed at the end, so they are refused too; nothing is committed (a commit would hand
        the connection back to the pool while still read-only)."""
        with self:
            session = self._open()
            connection = session.connection()
            if connection.dialect.name != "sqlite":
                connection.exec_driver_sql("SET TRANSACTION READ ONLY")
                yield self
                session.flush()
                return
            raw = connection.connection.dbapi_connection
            assert raw is not None
            raw.execute("PRAGMA query_only = ON")
            try:
                yield self
                session.flush()
            finally:
                raw.execute("PRAGMA query_only = OFF")

    def record_read(self, platform: str, bot: str, event_id: str, at: datetime) -> bool:
        """The event id of a read, recorded without waiting: on SQLite, while another member
        holds the write lock it is not recorded (a redelivered read is then answered again, which
        changes nothing); a database that refuses writes leaves it unrecorded too."""
        with self:
            connection = self._open().connection()
            raw = connection.connection.dbapi_connection if connection.dialect.name == "sqlite" else None
            if raw is not None:
                raw.execute("PRAGMA busy_timeout = 0")
            try:
                self.inbox.first_time(platform, bot, event_id, at)
                self.commit()
            except DBAPIError as error:
                if not (_locked(error) or storage_problem(error)):
                    raise
                return False
            finally:
                if raw is not None:
                    raw.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        return True

    def storage_problem(self, error: BaseException) -> str | None:
        """"read_only" or "full" when `error` says the database refuses writes (a read-only
        file, server or transaction; no space left), None for anything else."""
        return storage_problem(error)

    def _open(self) -> Session:
        if self.session is None:
            raise RuntimeError("the unit of work is used outside its `with` block")
        return self.session


_SQLITE_BUSY, _SQLITE_READONLY, _SQLITE_FULL = 5, 8, 13


def _locked(error: DBAPIError) -> bool:
    """SQLite's "database is locked": another connection holds the write lock."""
    code = getattr(error.orig, "sqlite_errorcode", None)
    return code is not None and code & 0xFF == _SQLITE_BUSY
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
