"""The assistant's public interface: everything a front end, `bot.py` or a benchmark uses.

Adapters (`handlers/*.py`) turn their platform's updates into `Inbound`, call `handle`, draw
the charts of the replies with `draw_charts` (after the commit, off the event loop), and send
each `Reply` rendered with `render` in their own markup and their platform's command
`Vocabulary` (`SLASH`, `Vocabulary.subcommand("sales")`, `WORDS`): ephemeral replies kept to the
sender, `edits` of a `MessageRef` they handed out, `UserRef`s as mentions through `render_reply`,
a `Reply.form` as their platform's form if it has one (its answer comes back as a `FormAnswer`);
`home` is a person's summary page as one reply, for a platform with a home tab (Slack's App Home).
Each is a `FrontEnd` that `bot.py` starts; scheduled work runs through `start_jobs` with a
`Deliverer` per platform. Nothing outside `assistant/` imports its submodules;
`tests/test_boundaries.py` holds adapters to that.
"""
from __future__ import annotations

from assistant.charts import draw_charts
from assistant.chat.engine import handle, mark_unreachable
from assistant.chat.home import home
from assistant.chat.menu import MenuEntry, command_menu
from assistant.chat.teams import create_invite, create_team
from assistant.clock import DEFAULT_TIMEZONE, Clock, FixedClock, SystemClock
from assistant.demo import demo_data, demo_people, seed_demo
from assistant.events import (
    ATTACHMENT_KINDS,
    CHOICE,
    DATE,
    MAX_DOCUMENT_BYTES,
    MULTI,
    TEXT,
    Attachment,
    ChatKey,
    Choice,
    Form,
    FormAnswer,
    FormField,
    Inbound,
    MessageRef,
    Reply,
    UserRef,
)
from assistant.frontend import FrontEnd, StartupError
from assistant.i18n import LANGS, SLASH, WORDS, Vocabulary, normalise_lang, render, render_reply
from assistant.method.currency import CURRENCIES
from assistant.method.funnel_config import PRESET_NAMES, load_funnel_file, preset
from assistant.method.model import Role
from assistant.method.numbers import parse_id
from assistant.push.delivery import BLOCKED, RETRY, SENT, Delivered, Deliverer, Later, deliver_due
from assistant.push.jobs import start as start_jobs
from assistant.transfer.export import export as export_funnel
from assistant.transfer.imports import Preview, Written, plan_file, preview_params, write_if_unchanged

__all__ = [
    "ATTACHMENT_KINDS", "BLOCKED", "CHOICE", "CURRENCIES", "DATE", "DEFAULT_TIMEZONE", "LANGS", "MAX_DOCUMENT_BYTES",
    "MULTI", "PRESET_NAMES", "RETRY", "SENT", "SLASH", "TEXT", "WORDS", "Attachment", "ChatKey", "Choice", "Clock",
    "Delivered", "Deliverer", "FixedClock", "Form", "FormAnswer", "FormField", "FrontEnd", "Inbound", "Later",
    "MenuEntry", "MessageRef", "Preview", "Reply", "Role", "StartupError", "SystemClock", "UserRef", "Vocabulary",
    "Written",
    "command_menu", "create_invite", "create_team", "deliver_due", "demo_data", "demo_people", "draw_charts",
    "export_funnel", "handle", "home", "load_funnel_file", "mark_unreachable", "normalise_lang", "parse_id",
    "plan_file", "preset", "preview_params", "render", "render_reply", "seed_demo", "start_jobs",
    "write_if_unchanged",
]
