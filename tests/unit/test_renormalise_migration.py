"""Migration 0007 renews the stored customer keys: traditional names read as simplified,
without ever making two rows of a team share a key."""
from __future__ import annotations

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, text

from storage.db import MIGRATIONS


def _config(connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def test_stored_keys_are_renewed_and_collisions_kept_apart(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'old.sqlite'}")
    with engine.begin() as connection:
        command.upgrade(_config(connection), "0004")
        # SQLite without the foreign_keys pragma: customers alone are enough here
        for id_, name, key in ((1, "騰訊", "騰訊"), (2, "華為技術", "華為技術"), (3, "腾讯", "腾讯"),
                               (4, "ABC", "abc")):
            connection.execute(text("INSERT INTO customers (id, team_id, owner_id, name, normalized, created_at) "
                                    "VALUES (:id, 1, 1, :name, :key, '2026-11-18')"),
                               {"id": id_, "name": name, "key": key})
        command.upgrade(_config(connection), "head")
        keys = dict(connection.execute(text("SELECT name, normalized FROM customers")).all())
    assert keys == {"騰訊": "騰訊", "華為技術": "华为技术", "腾讯": "腾讯", "ABC": "abc"}
