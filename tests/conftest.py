"""Shared fixtures: a real database (SQLite always, PostgreSQL when TEST_DATABASE_URL is set),
schema from the Alembic migrations, a fixed clock, and the terminal chat as the test driver."""
from __future__ import annotations

import os
from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from assistant.clock import FixedClock
from assistant.demo import seed_demo
from assistant.i18n import SLASH
from handlers.console import ConsoleChat
from storage.db import make_engine, migrate, session_factory
from storage.uow import SqlUnitOfWork

# Wednesday 2026-11-18, 10:00 in Shanghai: the "today" of the phrase corpus.
TODAY_10AM = datetime(2026, 11, 18, 2, 0, tzinfo=UTC)

BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else [])


@pytest.fixture(params=BACKENDS)
def engine(request, tmp_path):
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'test.sqlite'}")
    else:
        engine = make_engine(os.environ["TEST_DATABASE_URL"])
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    migrate(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def sessions(engine):
    return session_factory(engine)


@pytest.fixture
def clock():
    return FixedClock(TODAY_10AM)


@pytest.fixture
def make_uow(sessions):
    return lambda: SqlUnitOfWork(sessions)


@pytest.fixture
def demo(make_uow, clock):
    with make_uow() as uow:
        seed_demo(uow, clock, "console")
    return make_uow


class Chat:
    """One person typing into the terminal chat, as errbot's testbot does."""

    def __init__(self, console: ConsoleChat) -> None:
        self.console = console
        self.last = ""

    def say(self, line: str) -> str:
        self.last = "\n\n".join(self.console.send(line))
        return self.last

    def press(self, label: str) -> str:
        """Press the button whose text contains `label`, as a person would by its number."""
        for line in self.last.splitlines():
            if line.strip().startswith("[") and label in line:
                return self.say(line.strip()[1:line.strip().index("]")])
        raise AssertionError(f"no button {label!r} in:\n{self.last}")


@pytest.fixture
def chat(make_uow, clock):
    """chat("王伟") -> a Chat as that console user; `vocabulary` shows the texts as another
    platform writes commands (WORDS: a direct chat without slash commands)."""
    return lambda name, lang=None, vocabulary=SLASH: Chat(ConsoleChat(make_uow, clock, name, lang, vocabulary))
