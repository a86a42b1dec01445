"""Backups of the whole database while the bot runs, and restoring one into an empty database.

SQLite: the online backup API (`sqlite3.Connection.backup`) copies a consistent snapshot page by
page while other connections keep writing; the copy is a plain SQLite file. PostgreSQL:
`pg_dump --format=custom` (a consistent snapshot in one transaction) and `pg_restore`; both
need the PostgreSQL client tools on the PATH.
"""
from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

from sqlalchemy import inspect
from sqlalchemy.engine import make_url

from storage.db import make_engine


class BackupError(Exception):
    """A backup or restore that can't be done, as a catalog key and its parameters."""

    def __init__(self, key: str, **params: Any) -> None:
        super().__init__(key)
        self.key, self.params = key, dict(params)


def _sqlite_path(url: str) -> str | None:
    parsed = make_url(url)
    return parsed.database if parsed.get_backend_name() == "sqlite" else None


def backup(url: str, target: Path) -> int:
    """Write a snapshot of the database at `url` to `target` (which must not exist); its size."""
    if target.exists():
        raise BackupError("cli.backup_exists", path=str(target))
    path = _sqlite_path(url)
    if path is not None:
        if not Path(path).is_file():
            raise BackupError("cli.no_database", path=path)
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
        copy = sqlite3.connect(target)
        try:
            with copy:
                source.backup(copy, pages=1024)
        finally:
            copy.close()
            source.close()
    else:
        _run_tool("pg_dump", "--format=custom", "--no-owner", f"--file={target}", _libpq(url))
    return target.stat().st_size


def restore(snapshot: Path, url: str) -> None:
    """Bring a snapshot back into the database at `url`, which must be empty (no tables):
    restoring over data would mix two databases."""
    if not snapshot.is_file():
        raise BackupError("cli.no_backup", path=str(snapshot))
    engine = make_engine(url)
    try:
        tables = inspect(engine).get_table_names()
    finally:
        engine.dispose()
    if tables:
        raise BackupError("cli.restore_not_empty")
    path = _sqlite_path(url)
    if path is not None:
        if not _is_sqlite(snapshot):
            raise BackupError("cli.not_a_backup", path=str(snapshot))
        source = sqlite3.connect(f"file:{snapshot}?mode=ro", uri=True)
        target = sqlite3.connect(path)
        try:
            with target:
                source.backup(target)
        finally:
            target.close()
            source.close()
    else:
        _run_tool("pg_restore", "--no-owner", "--exit-on-error", f"--dbname={_libpq(url)}", str(snapshot))


def _is_sqlite(path: Path) -> bool:
    with path.open("rb") as file:
        return file.read(16) == b"SQLite format 3\x00"


def _libpq(url: str) -> str:
    """The SQLAlchemy URL as the PostgreSQL tools take it (no driver suffix)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _run_tool(tool: str, *args: str) -> None:
    if shutil.which(tool) is None:
        raise BackupError("cli.pg_tool_missing", tool=tool)
    done = subprocess.run([tool, *args], capture_output=True, text=True, env=os.environ.copy(), check=False)
    if done.returncode != 0:
        lines = (done.stderr or done.stdout).strip().splitlines()
        raise BackupError("cli.pg_tool_failed", tool=tool, reason=lines[0] if lines else str(done.returncode))
