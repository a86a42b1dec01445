"""Migrations carry existing data: a database at an old revision, filled with rows, upgraded
to head on SQLite (batch mode) and PostgreSQL, keeps its people, flows and queued messages."""
from __future__ import annotations

import os
from datetime import UTC, datetime

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import text

from assistant.events import ChatKey
from storage.db import MIGRATIONS, make_engine, session_factory
from storage.uow import SqlUnitOfWork
from tests.conftest import BACKENDS

AT = datetime(2026, 11, 18, 2, 0, tzinfo=UTC)


@pytest.fixture(params=BACKENDS)
def blank(request, tmp_path):
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'old.sqlite'}")
    else:
        engine = make_engine(os.environ["TEST_DATABASE_URL"])
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    yield engine
    engine.dispose()


def upgrade(engine, revision: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def fill_0004(engine) -> None:
    rows = [
        "INSERT INTO teams (id, name, lang, timezone, currency, funnel, share_in_groups, settings, created_at)"
        " VALUES (1, '华东', 'zh', 'Asia/Shanghai', 'CNY', '{}', false, '{}', :at)",
        "INSERT INTO users (id, team_id, name, role, lang, active, created_at)"
        " VALUES (1, 1, '王伟', 'rep', 'zh', true, :at)",
        "INSERT INTO identities (id, user_id, platform, external_id, chat_id, reachable, last_seen_at)"
        " VALUES (1, 1, 'telegram', '811001', '811001', true, :at)",
        "INSERT INTO flow_states (id, platform, chat, user_ref, flow, step, \"values\", pending, updated_at)"
        " VALUES (1, 'telegram', '811001', '811001', 'new_deal', 2, '{\"customer\": \"华为\"}', '{}', :at)",
        "INSERT INTO processed_events (platform, event_id, at) VALUES ('telegram', 'tg-42', :at)",
        "INSERT INTO outbox (id, key, kind, user_id, platform, subject, due_at, status, attempts, created_at)"
        " VALUES (1, 'overdue:1:2026-11-18', 'overdue', 1, 'telegram', '1', :at, 'pending', 0, :at)",
    ]
    with engine.begin() as connection:
        for row in rows:
            connection.execute(text(row), {"at": AT})


def test_data_at_0004_survives_the_upgrade_to_head(blank):
    upgrade(blank, "0004")
    fill_0004(blank)
    upgrade(blank, "head")
    with SqlUnitOfWork(session_factory(blank)) as uow:
        user = uow.users.by_identity("telegram", "", "811001")
        assert user is not None and user.name == "王伟"
        assert uow.users.contact_point(user.id) == ChatKey("telegram", "811001", "811001", "")
        state = uow.flow_states.get(ChatKey("telegram", "811001", "811001"))
        assert state.flow == "new_deal" and state.step == 2 and state.values == {"customer": "华为"}
        item = uow.outbox.by_key("overdue:1:2026-11-18")
        assert item.status == "pending" and item.tenant == ""
        assert uow.inbox.first_time("telegram", "123456", "42", AT)
        assert uow.inbox.prune(datetime(2100, 1, 1, tzinfo=UTC)) == 1


def test_deals_with_a_man_flag_count_as_assessed_after_0010(blank):
    upgrade(blank, "0004")
    fill_0004(blank)
    upgrade(blank, "0006")
    deal = ("INSERT INTO deals (id, team_id, owner_id, customer_id, title, amount, currency, close_date, stage_key,"
            " status, need, money, authority, urgent, created_at, last_activity_at)"
            " VALUES (:id, 1, 1, 1, 'x', 1000, 'CNY', '2027-01-31', 'target', 'open', :need, false, false, false,"
            " :at, :at)")
    with blank.begin() as connection:
        connection.execute(text("INSERT INTO customers (id, team_id, owner_id, name, normalized, created_at)"
                                " VALUES (1, 1, 1, '华为', '华为', :at)"), {"at": AT})
        connection.execute(text(deal), {"id": 1, "need": True, "at": AT})
        connection.execute(text(deal), {"id": 2, "need": False, "at": AT})
    upgrade(blank, "head")
    with SqlUnitOfWork(session_factory(blank)) as uow:
        assert uow.deals.get(1).assessed_at == AT      # a flag is only ever set by an assessment
        assert uow.deals.get(2).assessed_at is None    # unknown: shown as not assessed
