"""The command menu every platform publishes (Telegram's command list, the Slack manifest):
names and the catalog keys of their descriptions, defined once for all front ends."""
from __future__ import annotations

from dataclasses import dataclass

from assistant.chat.commands import COMMANDS
from assistant.i18n import has_key, render


@dataclass(frozen=True)
class MenuEntry:
    command: str
    description: str


def command_menu(lang: str) -> list[MenuEntry]:
    """The menu in `lang`; a command whose description the catalog lacks stays out."""
    return [MenuEntry(name, render(lang, key)) for name, key in MENU_COMMANDS if has_key(lang, key)]


def _menu_commands() -> tuple[tuple[str, str], ...]:
    """(command, catalog key of its description), in the command table's order."""
    return tuple((name, command.menu) for name, command in COMMANDS.items() if command.menu)


MENU_COMMANDS = _menu_commands()
