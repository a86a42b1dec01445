"""Engine, schema migration and session factory, built once by `bot.py` (never at import)."""
from __future__ import annotations

import os
import re
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError
from sqlalchemy.orm import Session, sessionmaker

from assistant.frontend import StartupError

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
DEFAULT_SQLITE = "sales_assistant.sqlite"
# Seconds to wait for PostgreSQL to answer a new connection (one that accepts TCP and never
# answers would otherwise hang the start and every event); DATABASE_CONNECT_TIMEOUT overrides.
CONNECT_TIMEOUT = 10
# How long a SQLite writer waits for another's write lock (reads in WAL mode never wait).
BUSY_TIMEOUT_MS = 30_000


def database_url(db_path: str | None = None) -> str:
    """`DATABASE_URL` (PostgreSQL for several bot processes) wins; else a SQLite file."""
    url = os.environ.get("DATABASE_URL")
    if url and not db_path:
        return _with_driver(url)
    return f"sqlite:///{db_path or DEFAULT_SQLITE}"


def _with_driver(url: str) -> str:
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def make_engine(url: str) -> Engine:
    url = _with_driver(url)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine.pool, "reset", _writable_again)
        return engine
    timeout = int(os.environ.get("DATABASE_CONNECT_TIMEOUT") or CONNECT_TIMEOUT)
    return create_engine(url, pool_pre_ping=True, connect_args={"connect_timeout": timeout})


def open_database(url: str) -> Engine:
    """The engine, migrated; a bad URL, an unreachable server or an unwritable file is a
    `StartupError` naming it (the password left out), never a traceback."""
    shown = _without_password(url)
    try:
        engine = make_engine(url)
    except (ArgumentError, NoSuchModuleError, ValueError) as error:
        raise StartupError("startup.database_url_invalid", url=shown, reason=_first_line(error)) from None
    try:
        migrate(engine)
    except DBAPIError as error:
        engine.dispose()
        key = "startup.database_file_unusable" if url.startswith("sqlite") else "startup.database_unreachable"
        raise StartupError(key, url=shown, reason=_first_line(error.orig or error)) from None
    return engine


def _without_password(url: str) -> str:
    return re.sub(r"(://[^:/@]*):[^@]*@", r"\1:***@", url)


def _first_line(error: BaseException) -> str:
    lines = str(error).strip().splitlines()
    return lines[0] if lines else type(error).__name__


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.close()


def _writable_again(dbapi_connection, _record, _state) -> None:
    """A connection goes back to the pool writable, whatever a read-only transaction
    (`SqlUnitOfWork.reading`) left on it."""
    dbapi_connection.execute("PRAGMA query_only = OFF")


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest Alembic revision (run at every start)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)
