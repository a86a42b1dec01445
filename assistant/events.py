"""The platform-neutral boundary: what a chat adapter hands the core and gets back.

Adapters (`handlers/*.py`) only translate their platform's updates into `Inbound` and
render each `Reply` with `assistant.i18n.render`, in the markup their platform speaks.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class ChatKey:
    """Who is talking, and where: flow state is kept per key (one flow per chat and user).

    `tenant` is the platform's workspace, corp or organisation the user id belongs to (a Slack
    workspace's `U123`, a DingTalk corp's `zhangsan`): ids are unique only within it, so a
    person is found by (platform, tenant, user). "" where a platform has none (Telegram, the
    console)."""

    platform: str
    chat: str
    user: str
    tenant: str = ""


@dataclass(frozen=True)
class Attachment:
    """What a message carried besides text, as the platform described it: `kind` is one of
    ATTACHMENT_KINDS. A document's bytes are in `data` when the adapter fetched it (it does so
    for documents within `MAX_DOCUMENT_BYTES`); a file sent back to the user (an export) is one too."""

    kind: str
    name: str = ""
    mime: str = ""
    size: int | None = None
    data: bytes | None = None


ATTACHMENT_KINDS = ("document", "photo", "voice", "video", "sticker", "location", "contact", "other")
MAX_DOCUMENT_BYTES = 20 * 1024 * 1024  # larger documents are not fetched (Telegram's getFile serves no more)


@dataclass(frozen=True)
class Inbound:
    """One user message, button press or submitted form.

    `event_id` is the platform's own id of the event (Telegram's update_id). Those ids count
    per bot or app, not per platform, so `bot` names the one that received it (Telegram: the
    numeric bot id, the part of the token before ':'): a redelivered event is recognised by
    (platform, bot, event_id), and a new bot token on an old database starts afresh."""

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
    bot: str = ""
    can_form: bool = False  # the platform can show a form now (a Slack slash command or button with a trigger id)
    attachment: Attachment | None = None  # a photo, voice note, document … (its caption, if any, is `text`)


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
class MessageRef:
    """A message the platform already shows, as the adapter that sent it described it (Telegram:
    "<chat id>:<message id>"). Opaque to the core, which only stores it and hands it back."""

    handle: str


@dataclass(frozen=True)
class UserRef:
    """A person named in a text. Templates render the plain name; an adapter may write a
    mention instead (`assistant.i18n.render_reply`), by `external_id`, the person's id on the platform the
    reply goes out on (None when they have none there)."""

    user_id: int
    name: str
    external_id: str | None = None

    def __str__(self) -> str:
        return self.name


def map_user_refs(params: Mapping[str, Any], show: Callable[[UserRef], Any]) -> dict[str, Any]:
    """`params` with every `UserRef`, also inside lists, tuples and dicts, replaced by
    `show(ref)`: how an adapter puts its own mentions into a text before rendering it."""
    def swap(value: Any) -> Any:
        if isinstance(value, UserRef):
            return show(value)
        if isinstance(value, Mapping):
            return {name: swap(item) for name, item in value.items()}
        if isinstance(value, list | tuple):
            return type(value)(swap(item) for item in value)
        return value
    return {name: swap(value) for name, value in params.items()}


@dataclass(frozen=True)
class Reply:
    """One message to send. `replace` asks a platform that can edit messages to edit the
    message whose button was pressed instead of sending a new one (checklist ticks); `edits`
    names an earlier message to update instead (a reminder acted upon), and an edit that can't
    be made is dropped, the news itself being in the other replies. `ephemeral`: only the
    sender should see it (a platform without ephemeral messages sends it privately, never to
    the group). Params may hold `UserRef`s, which an adapter may render as mentions."""

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
    ephemeral: bool = False
    edits: MessageRef | None = None
    file: Attachment | None = None  # a document to send with the text (an export), kind "document"
