"""What `bot.py` needs of a chat platform's adapter: start receiving, give a deliverer for the
pushes, stop. Several front ends run side by side in one process (Telegram and Slack, say),
sharing the database, the scheduler and the outbox: each platform's pushes go out through
its own deliverer, in a sender job of its own, so a slow platform never holds up another.
"""
from __future__ import annotations

from typing import Any, Protocol

from assistant.push.delivery import Deliverer


class StartupError(Exception):
    """A problem that stops the bot from starting (a rejected token, a database that can't
    be reached): `bot.py` prints the catalog message `key` as one line and exits non-zero."""

    def __init__(self, key: str, **params: Any) -> None:
        super().__init__(key)
        self.key, self.params = key, params


class FrontEnd(Protocol):
    platform: str

    def start(self) -> Deliverer:
        """Begin receiving events in the background; return the deliverer for this platform's
        pushes. Returns once the front end answers (a bad token fails here, not later)."""

    def stop(self) -> None:
        """Stop receiving and finish what is in flight."""
