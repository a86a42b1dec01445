"""Entry point. With no platform token it opens the terminal chat on a SQLite file.

    python bot.py --demo                 # terminal chat as a demo rep, demo team preloaded
    python bot.py --new-team 华东销售部   # create a team, print a manager's invite code
"""
from __future__ import annotations

import argparse
import importlib
import logging
import os
import re
import signal
import sys
import threading
from collections.abc import Callable, Mapping
from pathlib import Path

from assistant import (
    CURRENCIES,
    DEFAULT_TIMEZONE,
    PRESET_NAMES,
    Clock,
    FrontEnd,
    StartupError,
    SystemClock,
    create_team,
    demo_people,
    load_funnel_file,
    preset,
    render,
    seed_demo,
    start_jobs,
)
from handlers import command_line, console
from storage.db import database_url, open_database, session_factory
from storage.uow import SqlUnitOfWork


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Sales funnel assistant")
    parser.add_argument("--demo", action="store_true", help="seed the demo team and chat as a demo rep")
    parser.add_argument("--as", dest="as_user", help="terminal chat as this user")
    parser.add_argument("--db", help="SQLite file (default sales_assistant.sqlite; "
                                     "DATABASE_URL is used when --db is not given)")
    parser.add_argument("--lang", choices=("zh", "en"), help="language of a new user and of the demo team")
    parser.add_argument("--new-team", metavar="NAME", help="create a team and print a manager invite code")
    parser.add_argument("--preset", choices=PRESET_NAMES, default="project", help="stages of a new team")
    parser.add_argument("--currency", choices=CURRENCIES, default="CNY", help="reporting currency of a new team")
    parser.add_argument("--load-funnel", nargs=2, metavar=("TEAM", "FILE"), help="load a team's stages from YAML/TOML")
    parser.add_argument("--webhook", metavar="URL", help="Telegram: receive updates by webhook at this public URL")
    parser.add_argument("--listen", default="0.0.0.0", help="Telegram webhook: address to listen on")
    parser.add_argument("--port", type=int, help="port to listen on: the Telegram webhook's (default 8443), "
                                                 "else Slack's HTTP mode (default PORT, else 3000)")
    parser.add_argument("--slack-manifest", nargs="?", const="zh", choices=("zh", "en"), metavar="LANG",
                        help="print the Slack app manifest (zh or en) and exit")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if command_line.requested(argv):  # import, export, backup, restore
        logging.basicConfig(level=os.environ.get("LOG_LEVEL", "WARNING"))
        redact_logs(os.environ)
        return command_line.main(argv)
    args = parse_args(argv)
    logging.basicConfig(level=os.environ.get("LOG_LEVEL", "WARNING"))
    if args.slack_manifest:
        from handlers import slack
        print(slack.manifest_yaml(args.slack_manifest), end="")
        return 0
    redact_logs(os.environ)
    try:
        return _run(args)
    except StartupError as problem:
        print(render(args.lang or "zh", problem.key, **problem.params), file=sys.stderr)
        return 2


def _run(args: argparse.Namespace) -> int:
    engine = open_database(database_url(args.db))
    sessions = session_factory(engine)
    clock = SystemClock()
    lang = args.lang or "zh"
    if args.new_team:
        return _new_team(sessions, clock, args.new_team, args.preset, lang, args.currency)
    if args.load_funnel:
        team_name, path = args.load_funnel
        return _load_funnel(sessions, team_name, path, lang)
    if args.demo:
        with SqlUnitOfWork(sessions) as uow:
            seed_demo(uow, clock, console.PLATFORM, lang)
    make_uow = lambda: SqlUnitOfWork(sessions)  # noqa: E731
    front_ends = configured_front_ends(os.environ, make_uow, clock, args)
    if front_ends:
        serve(front_ends, make_uow, clock, threading.Event())
        return 0
    name = args.as_user or (demo_people()[0] if args.demo else os.environ.get("USER", "me"))
    chat = console.ConsoleChat(make_uow, clock, name, args.lang)
    # Reminders pop up while a person types; a script piping lines in gets only its answers.
    scheduler = (start_jobs(make_uow, clock, [console.ConsoleDeliverer({name: chat}, sys.stdout)])
                 if sys.stdin.isatty() else None)
    try:
        console.run(chat)
    finally:
        if scheduler is not None:
            scheduler.shutdown(wait=False)
    return 0


# Secrets that must never reach a log line: the values of these variables, anything shaped
# like a Telegram bot token, the password of a database URL, and a DingTalk access token in a
# URL or a Stream connection's ticket.
SECRET_VARIABLES = ("TELEGRAM_BOT_TOKEN", "TELEGRAM_WEBHOOK_SECRET", "DATABASE_URL", "SLACK_BOT_TOKEN",
                    "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET", "FEISHU_APP_SECRET", "FEISHU_ENCRYPT_KEY",
                    "FEISHU_VERIFICATION_TOKEN", "DINGTALK_CLIENT_SECRET")
_SECRET_SHAPES = (re.compile(r"\d{5,}:[A-Za-z0-9_-]{20,}"), re.compile(r"(?<=://)[^:/@\s]*:[^@\s]+(?=@)"),
                  re.compile(r"(?<=access_token=)[^&\s'\"]+|(?<=ticket=)[^&\s'\"]+|(?<='ticket': ')[^']+"))
REDACTED = "[redacted]"


class SecretFilter(logging.Filter):
    """Redacts secrets in every record a handler writes: its message, its arguments and its
    traceback (PTB's HTTP client logs each request URL, which holds the bot token)."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self.secrets = sorted({s for s in secrets if len(s) >= 6}, key=len, reverse=True)

    def redact(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, REDACTED)
        for shape in _SECRET_SHAPES:
            text = shape.sub(REDACTED, text)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = self.redact(record.getMessage()), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


def redact_logs(env: Mapping[str, str]) -> SecretFilter:
    """Install the filter on every handler of the root logger (records of all loggers pass there)."""
    secrets = [env[name] for name in SECRET_VARIABLES if env.get(name)]
    url = env.get("DATABASE_URL") or ""
    secrets += [found.split(":", 1)[1] for found in _SECRET_SHAPES[1].findall(url)]
    secret_filter = SecretFilter(secrets)
    for handler in logging.getLogger().handlers:
        handler.addFilter(secret_filter)
    return secret_filter


# The front ends bot.py can run: each module's `from_env` gives one when its configuration is
# present in the environment, None otherwise. With none, the terminal chat opens.
FRONT_END_MODULES = ("handlers.telegram", "handlers.slack", "handlers.feishu", "handlers.dingtalk")


def configured_front_ends(env: Mapping[str, str], make_uow: Callable[[], SqlUnitOfWork], clock: Clock,
                          args: argparse.Namespace) -> list[FrontEnd]:
    found = []
    for name in FRONT_END_MODULES:
        front_end = importlib.import_module(name).from_env(env, make_uow, clock, webhook_url=args.webhook,
                                                           listen=args.listen, port=args.port)
        if front_end is not None:
            found.append(front_end)
    return found


def serve(front_ends: list[FrontEnd], make_uow: Callable[[], SqlUnitOfWork], clock: Clock,
          stop: threading.Event) -> None:
    """Run the front ends side by side with one scheduler until `stop` is set (Ctrl-C or
    SIGTERM set it too), then stop them in reverse order."""
    started: list[FrontEnd] = []
    scheduler = None
    for signum in (signal.SIGINT, signal.SIGTERM):
        if threading.current_thread() is threading.main_thread():
            signal.signal(signum, lambda *_: stop.set())
    try:
        deliverers = []
        for front_end in front_ends:
            deliverers.append(front_end.start())
            started.append(front_end)
        scheduler = start_jobs(make_uow, clock, deliverers)
        stop.wait()
    finally:
        if scheduler is not None:
            scheduler.shutdown(wait=False)
        for front_end in reversed(started):
            front_end.stop()


def _new_team(sessions, clock, name: str, preset_name: str, lang: str, currency: str = "CNY") -> int:
    with SqlUnitOfWork(sessions) as uow:
        _, invite = create_team(uow, name, preset(preset_name), lang, DEFAULT_TIMEZONE, None, clock.now(), currency)
        uow.commit()
    print(render(lang, "cli.team_created", team=name, code=invite.code, expires=invite.expires_at))
    return 0


def _load_funnel(sessions, team_name: str, path: str, lang: str) -> int:
    loaded = load_funnel_file(Path(path))
    if isinstance(loaded, list):
        for problem in loaded:
            print(render(lang, problem.key, **problem.params), file=sys.stderr)
        return 2
    with SqlUnitOfWork(sessions) as uow:
        team = uow.teams.by_name(team_name)
        if team is None:
            print(render(lang, "cli.no_such_team", team=team_name), file=sys.stderr)
            return 2
        in_use = {d.stage_key for d in uow.deals.find(team.id, status="open")}
        missing = sorted(key for key in in_use if loaded.stage(key) is None)
        if missing:
            print(render(lang, "cli.funnel_stage_in_use", stages=", ".join(missing)), file=sys.stderr)
            return 2
        uow.teams.set_funnel(team.id, loaded)
        uow.commit()
    print(render(lang, "cli.funnel_loaded", team=team_name, count=len(loaded.stages)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
