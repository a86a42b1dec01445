"""The command line's data commands: `python bot.py import FILE --team T [--yes]`,
`export --team T --out FILE [--format csv]`, `backup PATH` and `restore PATH`.

An import prints the same preview as the chat and writes only with `--yes` or a typed
confirmation, and only if the plan is still the one printed. Each command is one transaction.
"""
from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TextIO
from zoneinfo import ZoneInfo

from assistant import (
    Preview,
    Role,
    SystemClock,
    Written,
    export_funnel,
    plan_file,
    preview_params,
    render,
    write_if_unchanged,
)
from storage.backup import BackupError, backup, restore
from storage.db import database_url, open_database, session_factory
from storage.uow import SqlUnitOfWork

COMMANDS = ("import", "export", "backup", "restore")
YES = ("y", "yes", "是", "确认")


def requested(argv: list[str]) -> bool:
    """Whether the command line names one of these commands (after --db or --lang, if given)."""
    for index, word in enumerate(argv):
        if word.startswith("-"):
            continue
        if index and argv[index - 1] in ("--db", "--lang"):
            continue
        return word in COMMANDS
    return False


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bot.py", description="import, export, backup and restore")
    parser.add_argument("--db", help="SQLite file (DATABASE_URL is used when --db is not given)")
    parser.add_argument("--lang", choices=("zh", "en"), default="zh")
    commands = parser.add_subparsers(dest="command", required=True)
    importing = commands.add_parser("import", help="import deals from an .xlsx or .csv")
    importing.add_argument("file", type=Path)
    importing.add_argument("--team", required=True)
    importing.add_argument("--as", dest="as_user", help="import as this member (default: the team's first manager)")
    importing.add_argument("--yes", action="store_true", help="write without asking")
    exporting = commands.add_parser("export", help="export the funnel to .xlsx or .csv")
    exporting.add_argument("--team", required=True)
    exporting.add_argument("--out", required=True, type=Path)
    exporting.add_argument("--format", choices=("xlsx", "csv"), default=None)
    exporting.add_argument("--as", dest="as_user", help="export as this member (a rep: their own deals)")
    for name, what in (("backup", "write a snapshot of the database to PATH"),
                       ("restore", "restore a snapshot into an empty database")):
        command = commands.add_parser(name, help=what)
        command.add_argument("path", type=Path)
    return parser.parse_args(argv)


def main(argv: list[str], stdin: TextIO | None = None, stdout: TextIO | None = None) -> int:
    args = parse(argv)
    stdin, stdout = stdin or sys.stdin, stdout or sys.stdout
    lang = args.lang
    say: Callable[..., None] = lambda key, **params: print(render(lang, key, **params), file=stdout)  # noqa: E731
    url = database_url(args.db)
    try:
        if args.command == "backup":
            size = backup(url, args.path)
            say("cli.backup_done", path=str(args.path), size=size)
            return 0
        if args.command == "restore":
            restore(args.path, url)
            open_database(url).dispose()  # a snapshot of an older version is brought up to date
            say("cli.restore_done", path=str(args.path))
            return 0
    except BackupError as problem:
        print(render(lang, problem.key, **problem.params), file=sys.stderr)
        return 2
    sessions = session_factory(open_database(url))
    if args.command == "export":
        return _export(sessions, args, lang, say)
    return _import(sessions, args, lang, say, stdin, stdout)


def _member(uow: SqlUnitOfWork, team_name: str, as_user: str | None, lang: str):
    team = uow.teams.by_name(team_name)
    if team is None:
        return None, render(lang, "cli.no_such_team", team=team_name)
    members = uow.users.members(team.id)
    if as_user:
        found = next((m for m in members if m.name == as_user), None)
    else:
        found = next((m for m in members if m.role == Role.MANAGER), None)
    if found is None:
        return None, render(lang, "cli.no_such_member", team=team_name, name=as_user or "")
    return (team, found), None


def _export(sessions, args: argparse.Namespace, lang: str, say: Callable[..., None]) -> int:
    fmt = args.format or ("csv" if args.out.suffix.lower() == ".csv" else "xlsx")
    with SqlUnitOfWork(sessions) as uow:
        found, problem = _member(uow, args.team, args.as_user, lang)
        if found is None:
            print(problem, file=sys.stderr)
            return 2
        team, user = found
        made = export_funnel(uow, team, user, lang, fmt)
    args.out.write_bytes(made.data)
    say("cli.export_done", path=str(args.out), **made.counts)
    return 0


def _import(sessions, args: argparse.Namespace, lang: str, say: Callable[..., None], stdin: TextIO,
            stdout: TextIO) -> int:
    if not args.file.is_file():
        print(render(lang, "transfer.no_file", path=str(args.file)), file=sys.stderr)
        return 2
    data = args.file.read_bytes()
    clock = SystemClock()
    with SqlUnitOfWork(sessions) as uow:
        found, problem = _member(uow, args.team, args.as_user, lang)
        if found is None:
            print(problem, file=sys.stderr)
            return 2
        team, user = found
        today = clock.now().astimezone(ZoneInfo(team.timezone)).date()
        preview = plan_file(uow, team, user, args.file.name, data, today, lang)
    if not isinstance(preview, Preview):
        print(render(lang, preview.key, **preview.params), file=sys.stderr)
        return 2
    say("transfer.preview", **preview_params(preview, lang))
    if not preview.writable:
        return 0
    if not args.yes:
        print(render(lang, "cli.import_ask"), end=" ", file=stdout, flush=True)
        if stdin.readline().strip().lower() not in YES:
            say("cli.import_not_written")
            return 1
    with SqlUnitOfWork(sessions) as uow:
        done = write_if_unchanged(uow, team, user, args.file.name, data, preview.plan.fingerprint(), today, lang,
                                  clock.now())
        if isinstance(done, Written):
            uow.commit()
    if isinstance(done, Written):
        say("transfer.done", **done.counts)
        return 0
    say("cli.import_changed")
    return 1
