"""Slack front end on Bolt for Python: events, the `/sales` command, buttons and modals in; the
core's replies out as Block Kit.

A DM, an `app_mention` in a channel, a `/sales <command …>` slash command, a button press or a
submitted modal becomes one neutral `Inbound` keyed by (workspace, channel, user); each `Reply`
becomes chat.postMessage, chat.postEphemeral (only the sender sees it), chat.update (the pressed
message, or an earlier one by its handle "<channel>:<ts>"), views.open (a form, while the trigger
id is fresh) or a file upload (a chart). Every text is mrkdwn with the user's text escaped, its
commands written the way they can be typed where it is read: words in the DM with the app
(`新商机 …`, where no slash is needed), `/sales new …` in channels. Nothing here knows about deals.

Bolt acks first (within Slack's 3 seconds), then the listener does the work in Bolt's worker
thread; a modal's submission is the exception, answered with its field errors in the ack.
"""
from __future__ import annotations

import itertools
import json
import logging
import re
import threading
import time
import urllib.request
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from wsgiref.simple_server import WSGIServer

from slack_bolt import Ack, App, BoltContext
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler, RateLimitErrorRetryHandler
from slack_sdk.webhook import WebhookClient

from assistant import (
    BLOCKED,
    CHOICE,
    MAX_DOCUMENT_BYTES,
    MULTI,
    RETRY,
    SENT,
    WORDS,
    Attachment,
    ChatKey,
    Choice,
    Clock,
    Delivered,
    Form,
    FormAnswer,
    FormField,
    Inbound,
    Later,
    MessageRef,
    Reply,
    UserRef,
    Vocabulary,
    command_menu,
    draw_charts,
    handle,
    home,
    mark_unreachable,
    normalise_lang,
    render,
    render_reply,
)
from handlers.http_server import serve

PLATFORM = "slack"
COMMAND = "sales"  # the app's one slash command; every command is a subcommand of it
CHANNEL_VOCABULARY = Vocabulary.subcommand(COMMAND)  # `/sales new …`: in a channel plain words are not read
DM_VOCABULARY = WORDS  # `新商机 …`: in the DM with the app every message is read, no slash needed
EVENTS_PATH = "/slack/events"
DEFAULT_PORT = 3000
SECTION_LIMIT = 3000  # characters of a section's text
BLOCK_LIMIT = 50  # blocks in a message
FALLBACK_LIMIT = 3000  # the notification text beside the blocks
BUTTON_LABEL_LIMIT = 75
BUTTON_VALUE_LIMIT = 2000
ACTIONS_LIMIT = 25  # elements of an actions block
MODAL_TITLE_LIMIT = 24
OPTION_TEXT_LIMIT = 75
OPTION_VALUE_LIMIT = 150
OPTIONS_LIMIT = 100
MAX_RETRIES = 8  # 429s waited out (Retry-After) per call of a reply before giving up
PUSH_WAIT = 60  # seconds a push waits when a 429 comes without Retry-After
FORM_CALLBACK = "sales_form"
HOME_BLOCK_LIMIT = 100  # blocks in a Home tab view
REMEMBERED = 4096  # people whose name, DM channel and last Home view a process keeps
CHART_FILE = "sales-chart.png"
TYPED = "__typed"  # block id suffix of the text input beside a select that also takes typed text
CHOICE_ACTION = re.compile(r"^choice-\d+$")
# A recipient that can't be reached: the push is dropped and the person marked, never retried.
OUTSIDE_CHANNEL = {"not_in_channel", "channel_not_found"}  # asked in a channel the app is not in
UNREACHABLE = {"not_in_channel", "account_inactive", "channel_not_found", "is_archived", "user_not_found",
               "user_disabled", "cannot_dm_bot", "messages_tab_disabled", "not_allowed_token_type"}
MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")

log = logging.getLogger(__name__)


# ---- Block Kit ------------------------------------------------------------------------------

def escape(text: str) -> str:
    """mrkdwn's three control characters: after this no `<!channel>`, `<@U…>` or `<http://…|…>`
    can come from what a user typed."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def is_dm(chat: ChatKey) -> bool:
    """The chat with the app itself (an IM channel D…), or a person not yet given one."""
    return chat.chat.startswith("D") or chat.chat == chat.user


def vocabulary_for(chat: ChatKey) -> Vocabulary:
    return DM_VOCABULARY if is_dm(chat) else CHANNEL_VOCABULARY


def _mention(ref: UserRef) -> str:
    return f"<@{ref.external_id}>" if re.fullmatch(r"[UW][A-Z0-9]+", ref.external_id or "") else escape(ref.name)


def mrkdwn(reply: Reply, vocabulary: Vocabulary) -> str:
    """The reply as mrkdwn: each `UserRef` held as a placeholder, the text escaped, then each
    placeholder made its mention, so names are escaped once and mentions never."""
    return render_reply(reply, vocabulary, escape, _mention)


def _cut(line: str, limit: int) -> list[str]:
    """A line longer than a section, cut between characters, never inside an escape (&amp;)."""
    pieces, piece = [], ""
    for char in line:
        if len(piece) + 1 > limit:
            entity = piece.rfind("&")
            carry = piece[entity:] if entity >= 0 and ";" not in piece[entity:] else ""
            pieces.append(piece[:len(piece) - len(carry)])
            piece = carry
        piece += char
    return pieces + [piece]


def split_text(text: str, limit: int = SECTION_LIMIT) -> list[str]:
    """Parts of at most `limit` characters, cut between lines."""
    lines = [piece for line in text.split("\n") for piece in (_cut(line, limit) if len(line) > limit else [line])]
    parts: list[str] = []
    for line in lines:
        if parts and len(parts[-1]) + 1 + len(line) <= limit:
            parts[-1] += "\n" + line
        else:
            parts.append(line)
    return [part for part in parts if part.strip()] or [text or " "]


def _plain(text: str, limit: int) -> dict[str, Any]:
    return {"type": "plain_text", "text": text if len(text) <= limit else text[:limit - 1] + "…", "emoji": True}


def buttons(reply: Reply, vocabulary: Vocabulary) -> list[dict[str, Any]]:
    """The reply's choices as buttons; a value over Slack's limit would fail the whole message,
    so its button is logged and left out."""
    elements = []
    for index, choice in enumerate(reply.choices):
        if len(choice.value) > BUTTON_VALUE_LIMIT:
            log.error("button %r dropped: value over %d characters", choice.value[:40], BUTTON_VALUE_LIMIT)
            continue
        label = render(reply.lang, choice.key, vocabulary=vocabulary, **choice.params)
        elements.append({"type": "button", "action_id": f"choice-{index}", "value": choice.value,
                         "text": _plain(label, BUTTON_LABEL_LIMIT)})
    return elements


@dataclass(frozen=True)
class Message:
    """One chat.postMessage's worth: the fallback text and the blocks."""

    text: str
    blocks: list[dict[str, Any]]


def messages(reply: Reply, vocabulary: Vocabulary) -> list[Message]:
    """The reply as one message, or several when its text is longer than 50 sections hold; the
    buttons go with the last."""
    text = mrkdwn(reply, vocabulary)
    sections = [{"type": "section", "text": {"type": "mrkdwn", "text": part}} for part in split_text(text)]
    elements = buttons(reply, vocabulary)
    actions = [{"type": "actions", "block_id": f"choices-{n}", "elements": elements[start:start + ACTIONS_LIMIT]}
               for n, start in enumerate(range(0, len(elements), ACTIONS_LIMIT))]
    room = BLOCK_LIMIT - len(actions)
    chunks = [sections[start:start + room] for start in range(0, len(sections), room)]
    out = [Message(_fallback(chunk), chunk) for chunk in chunks]
    last = out[-1]
    out[-1] = Message(last.text, last.blocks + actions)
    return out


def _fallback(sections: list[dict[str, Any]]) -> str:
    text = "\n".join(block["text"]["text"] for block in sections)
    return text if len(text) <= FALLBACK_LIMIT else text[:FALLBACK_LIMIT - 1] + "…"


def home_view(reply: Reply, vocabulary: Vocabulary) -> dict[str, Any]:
    """The App Home tab: the summary's sections, then its buttons, within Slack's 100 blocks."""
    blocks = [block for part in messages(reply, vocabulary) for block in part.blocks]
    if len(blocks) > HOME_BLOCK_LIMIT:
        actions = [block for block in blocks if block["type"] == "actions"]
        blocks = [block for block in blocks if block["type"] != "actions"][:HOME_BLOCK_LIMIT - len(actions)] + actions
    return {"type": "home", "blocks": blocks}


class Recent(OrderedDict[Any, Any]):
    """A dict that forgets its oldest entries past `limit`: per-person caches stay bounded
    however many people a long-running process meets."""

    def __init__(self, limit: int = REMEMBERED) -> None:
        super().__init__()
        self.limit = limit

    def __setitem__(self, key: Any, value: Any) -> None:
        super().__setitem__(key, value)
        self.move_to_end(key)
        while len(self) > self.limit:
            self.popitem(last=False)


# ---- forms as modals ------------------------------------------------------------------------

def _option(lang: str, choice: Choice) -> dict[str, Any]:
    return {"text": _plain(render(lang, choice.key, **choice.params), OPTION_TEXT_LIMIT), "value": choice.value}


def _input(block_id: str, label: str, element: dict[str, Any], optional: bool, hint: str | None) -> dict[str, Any]:
    block: dict[str, Any] = {"type": "input", "block_id": block_id, "label": _plain(label, 2000),
                             "element": element, "optional": optional}
    if hint:
        block["hint"] = _plain(hint, 2000)
    return block


def _text_element(value: str | tuple[str, ...] | None) -> dict[str, Any]:
    element: dict[str, Any] = {"type": "plain_text_input", "action_id": "value"}
    if isinstance(value, str) and value:
        element["initial_value"] = value
    return element


def field_blocks(lang: str, item: FormField) -> list[dict[str, Any]]:
    """A field as input blocks: a text input (dates are typed as reps say them: 下月底), a
    static select, a multi-select; a choice that also takes typed text is a select with an
    optional text input beside it."""
    label = render(lang, item.label)
    hint = render(lang, item.hint) if item.hint else None
    options = [option for option in item.options if len(option.value) <= OPTION_VALUE_LIMIT][:OPTIONS_LIMIT]
    if item.kind not in (CHOICE, MULTI) or not options:
        return [_input(item.name, label, _text_element(item.value), item.optional, hint)]
    shown = [_option(lang, option) for option in options]
    picked = item.value if isinstance(item.value, tuple) else (item.value,) if item.value else ()
    initial = [option for option in shown if option["value"] in picked]
    element: dict[str, Any] = {"type": "multi_static_select" if item.kind == MULTI else "static_select",
                               "action_id": "value", "options": shown}
    if initial:
        element["initial_options" if item.kind == MULTI else "initial_option"] = (
            initial if item.kind == MULTI else initial[0])
    if not item.accepts_text:
        return [_input(item.name, label, element, item.optional, hint)]
    typed = item.value if isinstance(item.value, str) and not initial else None
    return [_input(item.name, label, element, True, None),
            _input(item.name + TYPED, render(lang, "slack.form.typed", label=label), _text_element(typed), True,
                   hint)]


def modal(form: Form, lang: str, metadata: Mapping[str, Any]) -> dict[str, Any]:
    """The form as a modal view; where its answer goes back to rides in private_metadata."""
    blocks = [block for item in form.fields for block in field_blocks(lang, item)]
    return {"type": "modal", "callback_id": FORM_CALLBACK, "private_metadata": json.dumps(dict(metadata)),
            "title": _plain(render(lang, form.title), MODAL_TITLE_LIMIT),
            "submit": _plain(render(lang, form.submit), MODAL_TITLE_LIMIT),
            "close": _plain(render(lang, "slack.form.close"), MODAL_TITLE_LIMIT), "blocks": blocks}


def form_values(state: Mapping[str, Any]) -> dict[str, str | tuple[str, ...]]:
    """A view's state as the FormAnswer's values: typed text beside a select wins over the pick;
    a field left empty is left out."""
    values: dict[str, str | tuple[str, ...]] = {}
    typed: dict[str, str] = {}
    for block_id, actions in state.items():
        element: Mapping[str, Any] = actions.get("value") or next(iter(actions.values()), {})
        if element.get("type") == "multi_static_select":
            picks = tuple(option["value"] for option in element.get("selected_options") or [])
            if picks:
                values[block_id] = picks
        elif element.get("type") == "static_select":
            if element.get("selected_option"):
                values[block_id] = element["selected_option"]["value"]
        elif (element.get("value") or "").strip():
            if block_id.endswith(TYPED):
                typed[block_id.removesuffix(TYPED)] = element["value"].strip()
            else:
                values[block_id] = element["value"].strip()
    return values | typed


def form_errors(reply: Reply, state: Mapping[str, Any]) -> dict[str, str]:
    """A refused form's errors per input block, each under the block the user filled in."""
    errors = {}
    for name, error in reply.errors.items():
        typed = ((state.get(name + TYPED) or {}).get("value") or {}).get("value")
        block = name + TYPED if typed or (name not in state and name + TYPED in state) else name
        errors[block] = render(error.lang, error.key, **error.params)
    return errors


# ---- sending --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Pressed:
    """The message whose button was pressed (edited in place for `Reply.replace`)."""

    channel: str
    ts: str


@dataclass
class Sent:
    blocked: list[ChatKey] = field(default_factory=list)
    last: MessageRef | None = None
    limited: bool = False  # a 429 outlasted the retries: something was not sent
    retry_after: int = 0  # what Slack asked to wait, when limited
    started: bool = False  # something reached the user: a push can no longer be resent whole


def _ref(channel: str, ts: str) -> MessageRef:
    return MessageRef(f"{channel}:{ts}")


class Sender:
    """Replies out through one WebClient, from whichever thread; knows each person's DM channel."""

    def __init__(self, client: WebClient, wait_out_limits: bool = True) -> None:
        """Replies: every Web API call's 429 (postMessage, postEphemeral, update, views.*, the file
        upload's calls) is waited out for the time Slack asks (Retry-After), MAX_RETRIES times, so
        a reply is late rather than lost. Pushes (`wait_out_limits=False`) don't wait before
        anything went: the row waits in the outbox instead, and other pushes go meanwhile."""
        self.waits = wait_out_limits
        if wait_out_limits and not any(isinstance(h, RateLimitErrorRetryHandler) for h in client.retry_handlers):
            client.retry_handlers.extend([RateLimitErrorRetryHandler(max_retry_count=MAX_RETRIES),
                                          ConnectionErrorRetryHandler(max_retry_count=1)])
        self.client = client
        self._dms: Recent = Recent()
        self._lock = threading.Lock()

    def dm(self, tenant: str, user: str) -> str:
        """The app's IM channel with `user` (conversations.open, once per person)."""
        with self._lock:
            known = self._dms.get((tenant, user))
        if known:
            return known
        channel = self.client.conversations_open(users=user)["channel"]["id"]
        with self._lock:
            self._dms[(tenant, user)] = channel
        return channel

    def remember_dm(self, who: ChatKey) -> None:
        with self._lock:
            self._dms[(who.tenant, who.user)] = who.chat

    def channel(self, target: ChatKey) -> str:
        return self.dm(target.tenant, target.user) if target.chat == target.user else target.chat

    def send_replies(self, who: ChatKey, replies: Sequence[Reply], pressed: Pressed | None = None,
                     trigger_id: str | None = None, respond_url: str | None = None) -> Sent:
        """All replies in order: to `who`, or to the reply's recipient. A recipient Slack says
        can't be reached is skipped and returned; a 429 that outlasts the retries stops the rest.
        `respond_url` (a slash command's or button's response_url) carries the sender's ephemeral
        replies: it works where the app is not a member, as chat.postEphemeral does not."""
        sent = Sent()
        for reply in replies:
            target = reply.to or who
            if target in sent.blocked:
                continue
            if (reply.form is not None and trigger_id is not None and reply.to is None
                    and self._open(who, reply, trigger_id)):
                trigger_id = None  # a trigger opens one view
                continue
            try:
                ref = self._send(sent, target, reply, pressed if reply.to is None else None,
                                 respond_url if reply.to is None else None)
            except SlackApiError as error:
                code = error.response.get("error", "")
                if code in OUTSIDE_CHANNEL and reply.to is None and not is_dm(target):
                    log.info("not a member of %s (%s): the sender is told", target.chat, code)
                    self._tell_outside(sent, who, reply.lang, respond_url)
                    sent.blocked.append(target)
                    continue
                if code in UNREACHABLE:
                    log.warning("chat %s unreachable, its replies dropped: %s", target.chat, code)
                    sent.blocked.append(target)
                    continue
                if error.response.status_code == 429:
                    log.warning("rate limited; replies to %s not sent", target.chat)
                    sent.limited, sent.retry_after = True, _retry_after(error)
                    return sent
                raise
            if ref is not None:
                sent.last = ref
        return sent

    def _open(self, who: ChatKey, reply: Reply, trigger_id: str) -> bool:
        assert reply.form is not None
        view = modal(reply.form, reply.lang, {"flow": reply.form.flow, "chat": who.chat, "private": is_dm(who)})
        try:
            self.client.views_open(trigger_id=trigger_id, view=view)
        except SlackApiError as error:  # an expired trigger: the form's text goes as a message
            log.info("modal not opened (%s)", error.response.get("error"))
            return False
        return True

    def _call(self, sent: Sent, method: Callable[..., Any], **kwargs: Any) -> Any:
        """A call that shows the person something. Without waiting retries (a push), a 429 before
        anything reached them is raised, so the whole push waits in the outbox; once something
        did, it is waited out here, so a push is finished, never sent again in part."""
        for attempt in itertools.count():
            try:
                result = method(**kwargs)
            except SlackApiError as error:
                if self.waits or error.response.status_code != 429 or not sent.started or attempt >= MAX_RETRIES:
                    raise
                time.sleep(_retry_after(error))
                continue
            sent.started = True
            return result

    def _tell_outside(self, sent: Sent, who: ChatKey, lang: str, respond_url: str | None) -> None:
        """The app is not in the channel it was asked in: the sender reads why, where they asked
        (the response_url) or else in the app's DM."""
        notice = Reply("slack.not_in_channel", lang, ephemeral=True)
        if respond_url:
            self._respond(respond_url, messages(notice, CHANNEL_VOCABULARY))
            return
        channel = self.dm(who.tenant, who.user)
        for part in messages(notice, DM_VOCABULARY):
            self._call(sent, self.client.chat_postMessage, channel=channel, text=part.text, blocks=part.blocks)

    def _respond(self, url: str, parts: list[Message]) -> None:
        """Ephemeral messages through a response_url (Bolt's `respond`)."""
        hook = WebhookClient(url, timeout=self.client.timeout, ssl=self.client.ssl, proxy=self.client.proxy)
        for part in parts:
            answer = hook.send(text=part.text, blocks=part.blocks, response_type="ephemeral", replace_original=False)
            if answer.status_code != 200:
                log.warning("response_url refused a reply: %s %s", answer.status_code, answer.body[:200])

    def _send(self, sent: Sent, target: ChatKey, reply: Reply, pressed: Pressed | None,
              respond_url: str | None = None) -> MessageRef | None:
        vocabulary = vocabulary_for(target)
        parts = messages(reply, vocabulary)
        if reply.edits is not None:
            channel, _, ts = reply.edits.handle.rpartition(":")
            if not channel or not ts:
                log.warning("message handle %r is not Slack's: not edited", reply.edits.handle)
                return None
            self._update(sent, channel, ts, parts[0])
            return None
        channel = self.channel(target)
        if reply.image is not None:
            self._upload(sent, channel, reply)
        if reply.file is not None and reply.file.data is not None:  # an export: the file, then its text
            self._call(sent, self.client.files_upload_v2, channel=channel, content=reply.file.data,
                       filename=reply.file.name, title=reply.file.name)
        if reply.ephemeral and not is_dm(target):
            if respond_url:
                self._respond(respond_url, parts)
                return None
            for part in parts:
                self._call(sent, self.client.chat_postEphemeral, channel=channel, user=target.user, text=part.text,
                           blocks=part.blocks)
            return None
        if (reply.replace and pressed is not None and pressed.channel == channel and len(parts) == 1
                and self._update(sent, pressed.channel, pressed.ts, parts[0])):
            return _ref(pressed.channel, pressed.ts)
        ref = None
        for part in parts:
            posted = self._call(sent, self.client.chat_postMessage, channel=channel, text=part.text,
                                blocks=part.blocks)
            ref = _ref(posted["channel"], posted["ts"])
        return ref

    def _upload(self, sent: Sent, channel: str, reply: Reply) -> None:
        """The chart as an image in the chat; one Slack refuses (no files:write scope) is logged and
        the text still goes, since it carries the figures too."""
        assert reply.image is not None
        try:
            self._call(sent, self.client.files_upload_v2, channel=channel, content=reply.image, filename=CHART_FILE,
                       title=render(reply.lang, "slack.chart_title"))
        except SlackApiError as error:
            if error.response.status_code == 429 or error.response.get("error") in UNREACHABLE:
                raise
            log.warning("chart not uploaded to %s: %s", channel, error.response.get("error"))

    def _update(self, sent: Sent, channel: str, ts: str, part: Message) -> bool:
        """Edit a message the app sent; False when it can't be (deleted, not ours)."""
        try:
            self._call(sent, self.client.chat_update, channel=channel, ts=ts, text=part.text, blocks=part.blocks)
        except SlackApiError as error:
            log.info("message %s in %s not updated (%s)", ts, channel, error.response.get("error"))
            return False
        return True


class SlackDeliverer:
    """Proactive messages (reminders, self-checks, digests) from the scheduler's thread: to the
    person's DM (conversations.open) or the stored channel, rendered like the replies."""

    platform = PLATFORM

    def __init__(self, sender: Sender) -> None:
        """Its own client, which does not wait out 429s: a rate-limited push is answered Later."""
        client = sender.client
        own = WebClient(token=client.token, base_url=client.base_url, timeout=client.timeout, ssl=client.ssl,
                        proxy=client.proxy, headers=client.headers,
                        retry_handlers=[ConnectionErrorRetryHandler(max_retry_count=1)])
        self.sender = Sender(own, wait_out_limits=False)

    def send(self, to: ChatKey, replies: list[Reply]) -> str | Delivered | Later:
        """Delivered with the last message's handle ("<channel>:<ts>"), BLOCKED when Slack says
        the person or channel can't be reached, Later for as long as a 429 asks (nothing of the
        push went), RETRY on a network fault or a 429 that outlasted the waits mid-push."""
        try:
            sent = self.sender.send_replies(to, draw_charts(replies))
        except (SlackClientError, OSError) as error:
            log.warning("proactive message to %s not sent, will retry: %s", to.chat, error)
            return RETRY
        if sent.blocked:
            return BLOCKED
        if sent.limited:
            return RETRY if sent.started else Later(timedelta(seconds=sent.retry_after))
        return Delivered(sent.last) if sent.last is not None else SENT


def _retry_after(error: SlackApiError) -> int:
    """The seconds a 429 asks to wait (its Retry-After header), PUSH_WAIT when it says none."""
    headers = {name.lower(): value for name, value in (error.response.headers or {}).items()}
    value = headers.get("retry-after")
    if isinstance(value, list):
        value = value[0] if value else None
    try:
        return max(0, int(value)) if value is not None else PUSH_WAIT
    except (TypeError, ValueError):
        return PUSH_WAIT


# ---- events in --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Person:
    name: str | None
    locale: str | None


class _Bridge:
    """Where Slack meets the core. Bolt calls each listener in a worker thread after its ack."""

    def __init__(self, make_uow: Callable[[], Any], clock: Clock, sender: Sender) -> None:
        self.make_uow, self.clock, self.sender = make_uow, clock, sender
        self._people: Recent = Recent()
        self._homes: Recent = Recent()  # (workspace, user) -> the Home view last published
        self._lock = threading.Lock()
        self._chats: dict[ChatKey, tuple[threading.Lock, int]] = {}  # a lock and how many wait on it

    def person(self, tenant: str, user: str) -> Person:
        """Display name and locale from users.info, asked once per person and process."""
        with self._lock:
            known = self._people.get((tenant, user))
        if known is not None:
            return known
        try:
            info = self.sender.client.users_info(user=user, include_locale=True)["user"]
        except SlackApiError as error:
            log.info("users.info %s failed: %s", user, error.response.get("error"))
            return Person(None, None)
        profile = info.get("profile") or {}
        name = (profile.get("display_name") or profile.get("real_name") or info.get("real_name")
                or info.get("name") or None)
        found = Person(name, info.get("locale"))
        with self._lock:
            self._people[(tenant, user)] = found
        return found

    def inbound(self, who: ChatKey, event_id: str, context: BoltContext, **given: Any) -> Inbound:
        person = self.person(who.tenant, who.user)
        return Inbound(who, event_id, display_name=person.name, lang_hint=person.locale,
                       bot=context.bot_id or context.bot_user_id or "", **given)

    @contextmanager
    def in_turn(self, who: ChatKey) -> Iterator[None]:
        """One person's events in one chat are handled one at a time (Bolt runs listeners in a
        pool), so a quick second message never overtakes the first's flow state. A lock lives
        only while someone holds or waits for it, so the table never outgrows the events in flight."""
        with self._lock:
            lock, users = self._chats.get(who, (threading.Lock(), 0))
            self._chats[who] = (lock, users + 1)
        try:
            with lock:
                yield
        finally:
            with self._lock:
                lock, users = self._chats[who]
                if users == 1:
                    del self._chats[who]
                else:
                    self._chats[who] = (lock, users - 1)

    def publish_home(self, who: ChatKey, lang_hint: str | None = None, opened: bool = False) -> None:
        """The person's App Home (views.publish): always when they open the tab (another process
        may have published since), after an event only when it shows something new. A Home
        Slack refuses (the tab turned off) is logged: the chat itself is unaffected."""
        view = home_view(home(who, self.make_uow(), self.clock, lang_hint), DM_VOCABULARY)
        key = (who.tenant, who.user)
        with self._lock:
            if not opened and self._homes.get(key) == view:
                return
        try:
            self.sender.client.views_publish(user_id=who.user, view=view)
        except SlackApiError as error:
            log.info("home of %s not published: %s", who.user, error.response.get("error"))
            return
        with self._lock:
            self._homes[key] = view

    def run(self, event: Inbound, pressed: Pressed | None = None, trigger_id: str | None = None,
            replies: list[Reply] | None = None, respond_url: str | None = None) -> None:
        with self.in_turn(event.who):
            self._run(event, pressed, trigger_id, replies, respond_url)

    def _run(self, event: Inbound, pressed: Pressed | None, trigger_id: str | None,
             replies: list[Reply] | None, respond_url: str | None) -> None:
        try:
            if replies is None:
                replies = handle(event, self.make_uow(), self.clock)
            sent = self.sender.send_replies(event.who, draw_charts(replies), pressed, trigger_id, respond_url)
            if replies:  # whatever the person just did shows on their Home too
                self.publish_home(event.who, event.lang_hint)
        except Exception:
            log.exception("slack event %s failed", event.event_id)
            self._apologise(event)
            return
        for who in sent.blocked:
            if is_dm(who):
                mark_unreachable(who, self.make_uow())

    def _apologise(self, event: Inbound) -> None:
        notice = Reply("common.internal_error", normalise_lang(event.lang_hint), ephemeral=True)
        try:
            self.sender.send_replies(event.who, [notice])
        except Exception as error:  # the fault may be Slack itself
            log.warning("error notice for %s not sent: %s", event.event_id, error)

    # -- listeners (Bolt passes the arguments by name) --

    def on_message(self, body: dict, event: dict, context: BoltContext) -> None:
        """A message in the DM with the app, or a file shared there; edits, joins and bots'
        messages are not for us."""
        shared = event.get("subtype") == "file_share" and event.get("files")
        if (event.get("channel_type") != "im" or (event.get("subtype") and not shared) or event.get("bot_id")
                or not event.get("user")):
            return
        who = ChatKey(PLATFORM, event["channel"], event["user"], _team(body, event))
        self.sender.remember_dm(who)
        attachment = file_attachment(event["files"][0], self.sender.client) if shared else None
        self.run(self.inbound(who, body["event_id"], context, text=event.get("text") or "", private=True,
                              attachment=attachment))

    def on_mention(self, body: dict, event: dict, context: BoltContext) -> None:
        """`@app 本周汇总` in a channel: read like a command, the mention stripped."""
        if event.get("bot_id") or not event.get("user"):
            return
        bot_user = context.bot_user_id or ""
        text = MENTION.sub(lambda found: "" if found.group(1) == bot_user else found.group(0), event.get("text") or "")
        text = " ".join(text.split()).lstrip(",:，：").strip()
        who = ChatKey(PLATFORM, event["channel"], event["user"], _team(body, event))
        self.run(self.inbound(who, body["event_id"], context, text=text, private=is_dm(who), addressed=True))

    def on_command(self, ack: Ack, body: dict, context: BoltContext) -> None:
        """`/sales new 华为 …`: the words after the command, read as a command; a form can open."""
        ack()
        tenant, user = body.get("team_id") or "", body["user_id"]
        channel = body.get("channel_id") or user
        if channel.startswith("D"):  # a DM: the answers go to the app's own one with the person
            channel = self.sender.dm(tenant, user)
        who = ChatKey(PLATFORM, channel, user, tenant)
        trigger = body.get("trigger_id")
        text = (body.get("text") or "").strip() or "help"
        self.run(self.inbound(who, f"command:{trigger or body.get('command_ts', '')}", context, text=text,
                              private=is_dm(who), addressed=True, can_form=bool(trigger)), trigger_id=trigger,
                 respond_url=body.get("response_url"))

    def on_button(self, ack: Ack, body: dict, context: BoltContext) -> None:
        ack()
        tenant = (body.get("team") or {}).get("id") or body.get("user", {}).get("team_id", "")
        user = body["user"]["id"]
        container = body.get("container") or {}
        # A button on the Home tab has no channel: what it starts goes on in the app's DM.
        channel = (body.get("channel") or {}).get("id") or container.get("channel_id") or self.sender.dm(tenant, user)
        message_ts = (body.get("message") or {}).get("ts") or container.get("message_ts")
        pressed = Pressed(channel, message_ts) if message_ts and not container.get("is_ephemeral") else None
        who = ChatKey(PLATFORM, channel, user, tenant)
        value = body["actions"][0].get("value") or ""
        trigger = body.get("trigger_id")
        event_id = f"action:{trigger or body['actions'][0].get('action_ts', '')}"
        self.run(self.inbound(who, event_id, context, choice=value, private=is_dm(who), can_form=bool(trigger)),
                 pressed, trigger, respond_url=body.get("response_url"))

    def on_submit(self, ack: Ack, body: dict, context: BoltContext) -> None:
        """A submitted modal: handled before the ack, so refused fields come back in it."""
        view = body["view"]
        metadata = json.loads(view.get("private_metadata") or "{}")
        tenant = (body.get("team") or {}).get("id") or body["user"].get("team_id", "")
        user = body["user"]["id"]
        who = ChatKey(PLATFORM, metadata.get("chat") or user, user, tenant)
        state = (view.get("state") or {}).get("values") or {}
        event = self.inbound(who, f"view:{view.get('id')}:{view.get('hash') or body.get('trigger_id')}", context,
                             form=FormAnswer(metadata.get("flow") or view.get("external_id") or "",
                                             form_values(state)), private=bool(metadata.get("private", True)))
        try:
            with self.in_turn(who):
                replies = handle(event, self.make_uow(), self.clock)
        except Exception:
            ack()
            log.exception("slack form %s failed", event.event_id)
            self._apologise(event)
            return
        refused = next((reply for reply in replies if reply.errors), None)
        if refused is not None:
            ack(response_action="errors", errors=form_errors(refused, state))
            replies = [reply for reply in replies if reply is not refused]
        else:
            ack()
        if replies:
            self.run(event, replies=replies)

    def on_home_opened(self, body: dict, event: dict) -> None:
        """The Home tab opened: published afresh. Opening the app's DM (the messages tab) is
        acknowledged with nothing to say until the person writes."""
        if event.get("tab") != "home" or not event.get("user"):
            return
        tenant = _team(body, event)
        user = event["user"]
        who = ChatKey(PLATFORM, event.get("channel") or user, user, tenant)
        self.publish_home(who, self.person(tenant, user).locale, opened=True)


def file_attachment(file: Mapping[str, Any], client: WebClient) -> Attachment:
    """A file shared in the DM: images, audio and video by their type; any other file is a
    document, downloaded (with the bot token) when within the size the core reads."""
    mime = str(file.get("mimetype") or "")
    kind = next((k for prefix, k in (("image/", "photo"), ("audio/", "voice"), ("video/", "video"))
                 if mime.startswith(prefix)), "document")
    size = file.get("size")
    data = None
    url = file.get("url_private_download") or file.get("url_private")
    if kind == "document" and url and isinstance(size, int) and size <= MAX_DOCUMENT_BYTES:
        request = urllib.request.Request(url, headers={"Authorization": f"Bearer {client.token}"})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                data = response.read(MAX_DOCUMENT_BYTES + 1)
        except OSError as error:
            log.warning("file %s not downloaded: %s", file.get("id"), error)
    return Attachment(kind, str(file.get("name") or ""), mime, size if isinstance(size, int) else None, data)


def _team(body: Mapping[str, Any], event: Mapping[str, Any]) -> str:
    return str(body.get("team_id") or event.get("team") or "")


def build_app(client: WebClient, make_uow: Callable[[], Any], clock: Clock, signing_secret: str | None = None,
              process_before_response: bool = False) -> App:
    """The wired Bolt app; auth.test runs here (a bad token fails at start). Without a signing
    secret (Socket Mode) requests are not signature-checked: they come over the app's socket."""
    app = App(client=client, signing_secret=signing_secret, process_before_response=process_before_response,
              request_verification_enabled=signing_secret is not None)
    bridge = _Bridge(make_uow, clock, Sender(client))
    app.event("message")(bridge.on_message)
    app.event("app_mention")(bridge.on_mention)
    app.event("app_home_opened")(bridge.on_home_opened)
    app.command(f"/{COMMAND}")(bridge.on_command)
    app.action(CHOICE_ACTION)(bridge.on_button)
    app.view(FORM_CALLBACK)(bridge.on_submit)
    app.sender = bridge.sender  # type: ignore[attr-defined]
    return app


class SlackFrontEnd:
    """The app in Socket Mode (an outgoing websocket, no public URL) or serving Slack's HTTP
    requests on `port` at /slack/events, in background threads beside the other front ends."""

    platform = PLATFORM

    def __init__(self, build: Callable[[], App], app_token: str | None = None, listen: str = "0.0.0.0",
                 port: int = DEFAULT_PORT) -> None:
        self.build, self.app_token, self.listen, self.port = build, app_token, listen, port
        self.app: App | None = None
        self.socket: SocketModeHandler | None = None
        self.server: WSGIServer | None = None
        self.thread: threading.Thread | None = None

    def start(self) -> SlackDeliverer:
        self.app = self.build()
        if self.app_token:
            self.socket = SocketModeHandler(self.app, self.app_token)
            self.socket.connect()
        else:
            self.server = serve(self.listen, self.port, SlackRequestHandler(self.app, EVENTS_PATH))
            self.thread = threading.Thread(target=self.server.serve_forever, args=(0.1,), name="slack-http",
                                           daemon=True)
            self.thread.start()
        return SlackDeliverer(self.app.sender)  # type: ignore[attr-defined]

    @property
    def bound_port(self) -> int | None:
        return self.server.server_address[1] if self.server is not None else None

    def stop(self) -> None:
        if self.socket is not None:
            self.socket.close()
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
        if self.thread is not None:
            self.thread.join(5)


def from_env(env: Mapping[str, str], make_uow: Callable[[], Any], clock: Clock, webhook_url: str | None = None,
             listen: str = "0.0.0.0", port: int | None = None) -> SlackFrontEnd | None:
    """The Slack front end when `SLACK_BOT_TOKEN` is set: Socket Mode with `SLACK_APP_TOKEN`,
    else HTTP with `SLACK_SIGNING_SECRET`, listening on `port` (`--port`), else `PORT`, else 3000,
    at /slack/events. `SLACK_API_URL` points slack_sdk at another Web API (tests). With a
    Telegram webhook (`webhook_url`) `--port` is Telegram's, and Slack takes `PORT`."""
    token = env.get("SLACK_BOT_TOKEN")
    if not token:
        return None
    app_token, secret = env.get("SLACK_APP_TOKEN"), env.get("SLACK_SIGNING_SECRET")
    if not app_token and not secret:
        raise ValueError("SLACK_BOT_TOKEN needs SLACK_APP_TOKEN (Socket Mode) or SLACK_SIGNING_SECRET (HTTP)")
    base_url = env.get("SLACK_API_URL")

    def build() -> App:
        client = WebClient(token=token, base_url=_api_url(base_url)) if base_url else WebClient(token=token)
        return build_app(client, make_uow, clock, None if app_token else secret)
    # `--port` is Slack's unless a Telegram webhook listens on it
    chosen = port if port is not None and not webhook_url else int(env.get("PORT") or DEFAULT_PORT)
    return SlackFrontEnd(build, app_token, listen, chosen)


def _api_url(base_url: str) -> str:
    return base_url if base_url.endswith("/") else base_url + "/"


# ---- the app's manifest -----------------------------------------------------------------------

BOT_SCOPES = ("app_mentions:read", "chat:write", "commands", "files:read", "files:write", "im:history", "im:read",
              "im:write", "users:read")


def manifest(lang: str = "zh") -> dict[str, Any]:
    """The Slack app's manifest, from the core's command menu: the `/sales` command listing its
    subcommands, the DM (messages tab), interactivity, the events read, Socket Mode on."""
    menu = command_menu(lang)
    example = render(lang, "slack.manifest.example")

    def text(key: str, **params: Any) -> str:
        return render(lang, key, vocabulary=CHANNEL_VOCABULARY, example=example, **params)
    return {
        "display_information": {"name": render(lang, "slack.manifest.name"),
                                "description": render(lang, "slack.manifest.description"),
                                "long_description": text("slack.manifest.long_description",
                                                         dm_example=WORDS.write(lang, "new", example),
                                                         commands=", ".join(e.command for e in menu))},
        "features": {
            "app_home": {"home_tab_enabled": True, "messages_tab_enabled": True,
                         "messages_tab_read_only_enabled": False},
            "bot_user": {"display_name": render(lang, "slack.manifest.name"), "always_online": True},
            "slash_commands": [{"command": f"/{COMMAND}", "description": text("slack.manifest.command"),
                                "usage_hint": " | ".join(e.command for e in menu), "should_escape": False}],
        },
        "oauth_config": {"scopes": {"bot": list(BOT_SCOPES)}},
        "settings": {"event_subscriptions": {"bot_events": ["app_home_opened", "app_mention", "message.im"]},
                     "interactivity": {"is_enabled": True},
                     "org_deploy_enabled": False, "socket_mode_enabled": True, "token_rotation_enabled": False},
    }


def manifest_yaml(lang: str = "zh") -> str:
    import yaml
    head = render(lang, "slack.manifest.header")
    body = yaml.safe_dump(manifest(lang), allow_unicode=True, sort_keys=False, width=100)
    return "".join(f"# {line}\n" for line in head.splitlines()) + body
