"""The command menu every platform publishes (Telegram's command list, the Slack manifest):
names and the catalog keys of their descriptions, defined once for all front ends."""
from __future__ import annotations

from dataclasses import dataclass

from assistant.i18n import has_key, render

# command -> catalog key of its description, in the order a menu shows them.
MENU_COMMANDS = (
    ("new", "menu.new"), ("visit", "menu.visit"), ("advance", "action.advance_deal"), ("back", "action.back_off"),
    ("won", "action.mark_won"), ("lost", "action.mark_lost"), ("qualify", "action.qualify_deal"),
    ("deals", "menu.deals"), ("funnel", "menu.funnel"), ("forecast", "menu.forecast"),
    ("team", "menu_command.team"), ("invite", "menu_command.invite"), ("lang", "menu_command.lang"),
    ("help", "menu_command.help"), ("cancel", "menu_command.cancel"),
)


@dataclass(frozen=True)
class MenuEntry:
    command: str
    description: str


def command_menu(lang: str) -> list[MenuEntry]:
    """The menu in `lang`; a command whose description the catalog lacks stays out."""
    return [MenuEntry(name, render(lang, key)) for name, key in MENU_COMMANDS if has_key(lang, key)]
