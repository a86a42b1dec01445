"""The command line: a new team prints its manager invite; a team loads its own stages."""
import sqlite3
from pathlib import Path

import bot
from assistant.method.funnel_config import preset
from storage.db import make_engine, session_factory
from storage.uow import SqlUnitOfWork

FUNNELS = Path(__file__).resolve().parent.parent / "data" / "funnels"


def test_new_team_then_load_its_stages(tmp_path, capsys):
    db = str(tmp_path / "cli.sqlite")
    assert bot.main(["--db", db, "--new-team", "华南销售部", "--preset", "four_stage"]) == 0
    assert "已创建团队“华南销售部”。经理邀请码：" in capsys.readouterr().out
    good = next(p for p in sorted(FUNNELS.iterdir()) if p.name.startswith("good"))
    assert bot.main(["--db", db, "--load-funnel", "华南销售部", str(good)]) == 0
    assert "已为“华南销售部”载入" in capsys.readouterr().out
    with SqlUnitOfWork(session_factory(make_engine(f"sqlite:///{db}"))) as uow:
        team = uow.teams.by_name("华南销售部")
    assert team.funnel != preset("four_stage") and team.funnel.stages


def test_a_bad_stages_file_lists_every_problem_and_changes_nothing(tmp_path, capsys):
    db = str(tmp_path / "cli.sqlite")
    bot.main(["--db", db, "--new-team", "华南销售部"])
    bad = next(p for p in sorted(FUNNELS.iterdir()) if p.name.startswith("bad"))
    assert bot.main(["--db", db, "--load-funnel", "华南销售部", str(bad)]) == 2
    assert capsys.readouterr().err.strip()
    with SqlUnitOfWork(session_factory(make_engine(f"sqlite:///{db}"))) as uow:
        assert uow.teams.by_name("华南销售部").funnel == preset("project")


def test_sqlite_runs_in_wal_mode(tmp_path):
    db = tmp_path / "wal.sqlite"
    bot.main(["--db", str(db), "--new-team", "T"])
    assert sqlite3.connect(db).execute("PRAGMA journal_mode").fetchone()[0] == "wal"
