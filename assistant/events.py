"""The platform-neutral boundary: what a chat adapter hands the core and gets back.

Adapters (`handlers/*.py`) only translate their platform's updates into `Inbound` and
render each `Reply` with `assistant.i18n.render`, in the markup their platform speaks.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class ChatKey:
    """Who is talking, and where: flow state is kept per key (one flow per chat and user)."""

    platform: str
    chat: str
    user: str


@dataclass(frozen=True)
class Inbound:
    """One user message, button press or submitted form."""

    who: ChatKey
    event_id: str
    text: str | None = None
    choice: str | None = None
    form: FormAnswer | None = None
    display_name: str | None = None
    lang_hint: str | None = None
    private: bool = True
    # The text is addressed to the bot as a command: in a group, the message mentioned the bot
    # (mention stripped) or replied to it; on Slack, the text of the app's slash command.
    addressed: bool = False
    can_form: bool = False  # the platform can show a form now (a Slack slash command or button with a trigger id)


@dataclass(frozen=True)
class FormAnswer:
    """A submitted form: the flow it opens and each field's input as typed or picked, a
    multi-select's picks as a tuple. Every value is read again by the field's parser."""

    flow: str
    values: Mapping[str, str | tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class Choice:
    """A button, or an option of a form field: `value` comes back as `Inbound.choice` (a
    button) or in `FormAnswer.values` (an option); the label is a catalog key."""

    value: str
    key: str
    params: Mapping[str, Any] = field(default_factory=dict)


# What a form field takes in; a platform shows each as it can (a date picker may take typed text).
TEXT, CHOICE, MULTI, DATE = "text", "choice", "multi", "date"


@dataclass(frozen=True)
class FormField:
    """One input of a form. `label` and `hint` are catalog keys; a CHOICE field that
    `accepts_text` also takes typed input (a deal by name or number when it is not listed).
    `value` and `error` are set when a refused form is shown again, for platforms that have no
    error protocol of their own."""

    name: str
    label: str
    kind: str = TEXT
    hint: str | None = None
    options: tuple[Choice, ...] = ()
    accepts_text: bool = False
    optional: bool = False
    value: str | tuple[str, ...] | None = None
    error: Reply | None = None


@dataclass(frozen=True)
class Form:
    """A flow's fields shown at once (a Slack modal, a Feishu card); `title` and `submit` are
    catalog keys. It comes back as `Inbound.form`, a `FormAnswer` naming `flow`."""

    flow: str
    title: str
    submit: str
    fields: tuple[FormField, ...]


@dataclass(frozen=True)
class Reply:
    """One message to send. `replace` asks a platform that can edit messages to edit the
    message whose button was pressed instead of sending a new one (checklist ticks)."""

    key: str
    lang: str
    params: Mapping[str, Any] = field(default_factory=dict)
    choices: tuple[Choice, ...] = ()
    to: ChatKey | None = None
    replace: bool = False
    image: bytes | None = None
    chart: Mapping[str, Any] | None = None  # drawn into `image` after the commit (see engine.handle)
    errors: Mapping[str, Reply] = field(default_factory=dict)  # per form field, when a form is refused
    form: Form | None = None  # a form to show (opened, or shown again with its errors)
