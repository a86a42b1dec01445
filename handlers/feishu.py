"""Feishu (Lark) front end on the official SDK, lark-oapi: events in over the app's long
connection (a WebSocket the app opens, so no public address is needed), the core's replies out
as interactive cards through the Open API.

A message in the private chat with the bot (or one that @mentions it in a group), a press on a
card's button, a submitted card form or a bot-menu click becomes one neutral `Inbound` keyed by
(tenant_key, chat, open_id); in a private chat the chat is the person's open_id, which is also
where pushes go. Each `Reply` becomes a card (JSON 2.0, `update_multi` so it can be updated
later): its text as markdown with every character that could format, mention or link written as
an entity, its choices as buttons whose callback value carries the core's route. A checklist tick
and a reminder acted upon update their card (PATCH), a `Reply.form` is a card with a form
container whose refused fields are shown again with the user's input, and a chart goes as an
uploaded image. Nothing here knows about deals.

The SDK calls the handlers on its socket's event loop and answers the platform with what they
return; they only queue the work and return at once (Feishu wants a card callback answered
within 3 seconds), and a worker pool does the rest, one person's events in turn.
"""
from __future__ import annotations

import asyncio
import hashlib
import hmac
import io
import json
import logging
import re
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from wsgiref.simple_server import WSGIServer

import lark_oapi as lark
import lark_oapi.ws.client as ws_client
import requests
from lark_oapi.api.contact.v3 import GetUserRequest
from lark_oapi.api.im.v1 import (
    CreateImageRequest,
    CreateImageRequestBody,
    CreateMessageRequest,
    CreateMessageRequestBody,
    PatchMessageRequest,
    PatchMessageRequestBody,
    ReplyMessageRequest,
    ReplyMessageRequestBody,
)
from lark_oapi.core.exception import ObtainAccessTokenException
from lark_oapi.event.callback.model.p2_card_action_trigger import P2CardActionTriggerResponse

from assistant import (
    BLOCKED,
    CHOICE,
    MULTI,
    RETRY,
    SENT,
    WORDS,
    ChatKey,
    Clock,
    Delivered,
    Form,
    FormAnswer,
    FormField,
    Inbound,
    Later,
    MessageRef,
    Reply,
    StartupError,
    UserRef,
    draw_charts,
    handle,
    mark_unreachable,
    normalise_lang,
    render,
    render_reply,
)
from handlers.http_server import serve

PLATFORM = "feishu"
VOCABULARY = WORDS  # no slash commands in Feishu chats: `新商机 …`, the command words
DOMAINS = {"feishu": lark.FEISHU_DOMAIN, "lark": lark.LARK_DOMAIN}
MARKDOWN_LIMIT = 4000  # characters of one markdown element (a card holds about 30 KB in all)
ELEMENTS_LIMIT = 40  # markdown elements in one card before a reply goes on in the next
BUTTON_LABEL_LIMIT = 60
TYPED = "__typed"  # the text input beside a select that also takes typed text
RATE_LIMITED = 99991400  # Feishu's "request too frequent"
# A recipient that can't be reached: the push is dropped and the person marked, never retried.
UNREACHABLE = {230002, 230013, 230053, 230006}
MAX_RETRIES = 2  # rate limits waited out per call before giving up
WORKERS = 8
NAME_RETRY = 600  # seconds before a name the directory refused is asked again
OPEN_ID = re.compile(r"ou_[0-9A-Za-z_-]+")
MENTION_KEY = re.compile(r"@_user_\d+")

log = logging.getLogger(__name__)


# ---- cards ----------------------------------------------------------------------------------

# Card markdown reads these: emphasis, links, headings, lists, tables, code, <at>/<font>/<a> tags,
# and "://" (a bare address turned into a link). Each is written as an HTML entity, which the card
# shows as the character itself.
_MARKDOWN = {char: f"&#{ord(char)};" for char in "\\`*_~[]()<>#|!+-=:{}$"}


def escape(text: str) -> str:
    """`text` shown literally in a card's markdown: no formatting, mention or link can come from
    what a user typed (nor from a template's "#9")."""
    text = text.replace("&", "&amp;")
    return "".join(_MARKDOWN.get(char, char) for char in text)


def _mention(ref: UserRef) -> str:
    return f"<at id={ref.external_id}></at>" if OPEN_ID.fullmatch(ref.external_id or "") else escape(ref.name)


def markdown(reply: Reply) -> str:
    """The reply's text as card markdown: escaped once, people as @mentions where they are on Feishu."""
    return render_reply(reply, VOCABULARY, escape, _mention)


def _plain(text: str, limit: int = 2000) -> dict[str, Any]:
    return {"tag": "plain_text", "content": text if len(text) <= limit else text[:limit - 1] + "…"}


def _parts(text: str, limit: int = MARKDOWN_LIMIT) -> list[str]:
    """Pieces of at most `limit` characters, cut between lines, never inside an entity."""
    parts: list[str] = []
    for line in text.split("\n"):
        while len(line) > limit:
            cut = limit
            entity = line.rfind("&", 0, cut)
            if entity >= 0 and ";" not in line[entity:cut]:
                cut = entity
            parts.append(line[:cut])
            line = line[cut:]
        if parts and len(parts[-1]) + 1 + len(line) <= limit:
            parts[-1] += "\n" + line
        else:
            parts.append(line)
    return [part for part in parts if part.strip()] or [" "]


def _card(elements: list[dict[str, Any]]) -> dict[str, Any]:
    return {"schema": "2.0", "config": {"update_multi": True}, "body": {"elements": elements}}


def _callback(value: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [{"type": "callback", "value": dict(value)}]


def buttons(reply: Reply, private: bool) -> list[dict[str, Any]]:
    """The reply's choices as buttons; a press sends back the core's value and where it was."""
    return [{"tag": "button", "name": f"choice-{index}", "type": "default", "width": "fill",
             "text": _plain(render(reply.lang, choice.key, vocabulary=VOCABULARY, **choice.params),
                            BUTTON_LABEL_LIMIT),
             "behaviors": _callback({"choice": choice.value, "private": private})}
            for index, choice in enumerate(reply.choices)]


def cards(reply: Reply, private: bool = True) -> list[dict[str, Any]]:
    """The reply as one card, or several when its text is longer than a card holds; the
    buttons go with the last."""
    elements = [{"tag": "markdown", "content": part} for part in _parts(markdown(reply))]
    chunks = [elements[start:start + ELEMENTS_LIMIT] for start in range(0, len(elements), ELEMENTS_LIMIT)]
    chunks[-1] = chunks[-1] + buttons(reply, private)
    return [_card(chunk) for chunk in chunks]


# ---- forms as cards -------------------------------------------------------------------------

def _options(lang: str, item: FormField) -> list[dict[str, Any]]:
    return [{"text": _plain(render(lang, option.key, **option.params), 100), "value": option.value}
            for option in item.options]


def _input(name: str, value: str | tuple[str, ...] | None, placeholder: str | None) -> dict[str, Any]:
    element: dict[str, Any] = {"tag": "input", "name": name, "width": "fill", "max_length": 1000}
    if isinstance(value, str) and value:
        element["default_value"] = value
    if placeholder:
        element["placeholder"] = _plain(placeholder, 100)
    return element


def field_elements(lang: str, item: FormField) -> list[dict[str, Any]]:
    """A field as its label, its input (a text box: dates are typed as reps say them, 下月底; a
    select; a multi-select; a select with a text box beside it when typed input is taken too),
    and its error under it when the form was refused."""
    label = escape(render(lang, item.label))
    hint = render(lang, item.hint) if item.hint else None
    out: list[dict[str, Any]] = [{"tag": "markdown", "content": f"**{label}**"}]
    picked = item.value if isinstance(item.value, tuple) else (item.value,) if item.value else ()
    offered = {option.value for option in item.options}
    if item.kind == MULTI and item.options:
        element: dict[str, Any] = {"tag": "multi_select_static", "name": item.name, "width": "fill",
                                   "options": _options(lang, item)}
        if picked:
            element["selected_values"] = [value for value in picked if value in offered]
        out.append(element)
    elif item.kind == CHOICE and item.options:
        element = {"tag": "select_static", "name": item.name, "width": "fill", "options": _options(lang, item)}
        if picked and picked[0] in offered:
            element["initial_option"] = picked[0]
        out.append(element)
        if item.accepts_text:
            typed = picked[0] if picked and picked[0] not in offered else None
            out.append(_input(item.name + TYPED, typed, render(lang, "feishu.form.typed")))
    else:
        out.append(_input(item.name, item.value, hint))
    if item.error is not None:
        error = escape(render(item.error.lang, item.error.key, **item.error.params))
        out.append({"tag": "markdown", "content": f"<font color='red'>{error}</font>"})
    return out


def form_card(form: Form, lang: str, private: bool, revision: int = 0, notice: Reply | None = None) -> dict[str, Any]:
    """The form as a card with a form container; its submit button names the flow and counts
    how often the card was shown again (`revision`), so a double click on one showing is one
    submission. A refused form comes back with its notice on top and the errors per field."""
    inputs = [element for item in form.fields for element in field_elements(lang, item)]
    inputs.append({"tag": "button", "name": "submit", "type": "primary_filled", "width": "fill",
                   "form_action_type": "submit", "text": _plain(render(lang, form.submit), BUTTON_LABEL_LIMIT),
                   "behaviors": _callback({"form": form.flow, "private": private, "revision": revision})})
    head = [{"tag": "markdown", "content": f"**{escape(render(lang, form.title))}**"}]
    if notice is not None:
        head.append({"tag": "markdown", "content": markdown(notice)})
    return _card(head + [{"tag": "form", "name": "form", "elements": inputs}])


def submitted_card(form_title: str, lang: str) -> dict[str, Any]:
    """What a form card turns into once its answer is taken: it can't be submitted twice."""
    return _card([{"tag": "markdown", "content": escape(render(lang, "feishu.form.submitted",
                                                               title=render(lang, form_title)))}])


def form_values(raw: Mapping[str, Any]) -> dict[str, str | tuple[str, ...]]:
    """A form callback's `form_value` as the FormAnswer's values: typed text beside a select wins
    over the pick; an empty field is left out."""
    values: dict[str, str | tuple[str, ...]] = {}
    typed: dict[str, str] = {}
    for name, value in raw.items():
        if isinstance(value, list):
            picks = tuple(str(v) for v in value if str(v).strip())
            if picks:
                values[name] = picks
        elif value is not None and str(value).strip():
            if name.endswith(TYPED):
                typed[name.removesuffix(TYPED)] = str(value).strip()
            else:
                values[name] = str(value).strip()
    return values | typed


# ---- sending --------------------------------------------------------------------------------

class FeishuError(Exception):
    """The Open API refused a call: Feishu's code and message."""

    def __init__(self, code: int, msg: str, retry_after: float | None = None) -> None:
        super().__init__(f"{code}: {msg}")
        self.code, self.msg, self.retry_after = code, msg, retry_after


@dataclass(frozen=True)
class Pressed:
    """The card whose button was pressed or whose form was submitted (updated in place)."""

    message_id: str
    form_revision: int | None = None


@dataclass
class Sent:
    blocked: list[ChatKey] = field(default_factory=list)
    last: MessageRef | None = None


GROUP_CHAT = "oc_"  # how Feishu's chat ids begin; a private chat is keyed by the person's open_id (ou_…)


def is_private(who: ChatKey) -> bool:
    """The chat with the bot itself, keyed by the person's open_id (a group's digest target
    names the group twice, chat and user: its chat id tells it apart)."""
    return not who.chat.startswith(GROUP_CHAT)


class Sender:
    """Replies out through one lark-oapi client (it fetches and renews the tenant token), from
    whichever thread."""

    def __init__(self, client: lark.Client, wait: Callable[[float], None] | None = None) -> None:
        self.client = client
        self.wait = wait or (lambda seconds: threading.Event().wait(seconds))

    def _call(self, send: Callable[[], Any]) -> Any:
        """One API call; a rate limit is waited out MAX_RETRIES times, then raised."""
        for attempt in range(MAX_RETRIES + 1):
            response = send()
            if response.success():
                return response
            retry_after = _retry_after(response)
            if response.code == RATE_LIMITED and attempt < MAX_RETRIES:
                self.wait(retry_after)
                continue
            raise FeishuError(response.code or -1, response.msg or "", retry_after)
        raise AssertionError("unreachable")

    def post(self, target: ChatKey, msg_type: str, content: Mapping[str, Any], reply_to: str | None = None) -> str:
        body = json.dumps(content, ensure_ascii=False)
        if reply_to is not None:
            request = ReplyMessageRequest.builder().message_id(reply_to).request_body(
                ReplyMessageRequestBody.builder().msg_type(msg_type).content(body).build()).build()
            response = self._call(lambda: self.client.im.v1.message.reply(request))
        else:
            kind, receive_id = ("open_id", target.user) if is_private(target) else ("chat_id", target.chat)
            request = CreateMessageRequest.builder().receive_id_type(kind).request_body(
                CreateMessageRequestBody.builder().receive_id(receive_id).msg_type(msg_type).content(body)
                .build()).build()
            response = self._call(lambda: self.client.im.v1.message.create(request))
        return str(response.data.message_id)

    def patch(self, message_id: str, card: Mapping[str, Any]) -> bool:
        """Update a card the bot sent; False when it can't be (too old, deleted, not ours)."""
        request = PatchMessageRequest.builder().message_id(message_id).request_body(
            PatchMessageRequestBody.builder().content(json.dumps(card, ensure_ascii=False)).build()).build()
        try:
            self._call(lambda: self.client.im.v1.message.patch(request))
        except FeishuError as error:
            if error.code == RATE_LIMITED:
                raise
            log.info("card %s not updated (%s)", message_id, error)
            return False
        return True

    def upload(self, image: bytes) -> str:
        def send() -> Any:
            request = CreateImageRequest.builder().request_body(
                CreateImageRequestBody.builder().image_type("message").image(io.BytesIO(image)).build()).build()
            return self.client.im.v1.image.create(request)
        return str(self._call(send).data.image_key)

    def person(self, open_id: str) -> str | None:
        """The person's name from the contact directory (needs its read scope); None if refused."""
        request = GetUserRequest.builder().user_id(open_id).user_id_type("open_id").build()
        try:
            response = self.client.contact.v3.user.get(request)
        except requests.RequestException as error:
            log.info("contact look-up of %s failed: %s", open_id, error)
            return None
        if not response.success() or response.data is None or response.data.user is None:
            log.info("contact look-up of %s refused: %s %s", open_id, response.code, response.msg)
            return None
        return response.data.user.name or None

    def bot_info(self) -> dict[str, Any]:
        """The bot's own name and open_id (GET /bot/v3/info): also proves the app's credentials."""
        request = (lark.BaseRequest.builder().http_method(lark.HttpMethod.GET).uri("/open-apis/bot/v3/info")
                   .token_types({lark.AccessTokenType.TENANT}).build())
        try:
            response = self.client.request(request)
        except ObtainAccessTokenException as error:
            raise FeishuError(getattr(error, "code", -1) or -1, str(getattr(error, "msg", "") or error)) from None
        if not response.success():
            raise FeishuError(response.code or -1, response.msg or "")
        return dict(json.loads(response.raw.content).get("bot") or {})

    def send_replies(self, who: ChatKey, replies: Sequence[Reply], pressed: Pressed | None = None,
                     reply_to: str | None = None) -> Sent:
        """All replies in order: to `who` (in a group as a reply to the message that asked), or
        to the reply's recipient. A recipient Feishu says can't be reached is skipped and returned."""
        sent = Sent()
        for reply in replies:
            target = reply.to or who
            if reply.ephemeral and not is_private(target):  # no private view in a group: to the person
                target = ChatKey(PLATFORM, target.user, target.user, target.tenant)
                if not is_private(target):  # a group's own target: no one to send it to privately
                    continue
            if target in sent.blocked:
                continue
            try:
                ref = self._send(target, reply, pressed if reply.to is None else None,
                                 reply_to if target == who and not is_private(who) else None)
            except FeishuError as error:
                if error.code not in UNREACHABLE:
                    raise
                log.warning("chat %s unreachable, its replies dropped: %s", target.chat, error)
                sent.blocked.append(target)
                continue
            if ref is not None:
                sent.last = ref
        return sent

    def _send(self, target: ChatKey, reply: Reply, pressed: Pressed | None, reply_to: str | None) -> MessageRef | None:
        private = is_private(target)
        if reply.form is not None:
            revision = pressed.form_revision if pressed is not None else None
            card = form_card(reply.form, reply.lang, private, (revision or 0) + 1,
                             reply if reply.errors else None)
            if pressed is not None and revision is not None and self.patch(pressed.message_id, card):
                return MessageRef(pressed.message_id)
            return MessageRef(self.post(target, "interactive", card, reply_to))
        parts = cards(reply, private)
        if reply.edits is not None:
            self.patch(reply.edits.handle, parts[0])
            return None
        if reply.image is not None:
            self._image(target, reply.image, reply_to)
        replaceable = pressed is not None and pressed.form_revision is None  # a form card is not a button's card
        if reply.replace and pressed is not None and replaceable and len(parts) == 1 and self.patch(
                pressed.message_id, parts[0]):
            return MessageRef(pressed.message_id)
        ref = None
        for part in parts:
            ref = MessageRef(self.post(target, "interactive", part, reply_to))
        return ref

    def _image(self, target: ChatKey, image: bytes, reply_to: str | None) -> None:
        """The chart as an image in the chat; one Feishu refuses (no upload scope) is logged and
        the text still goes, since it carries the figures too."""
        try:
            self.post(target, "image", {"image_key": self.upload(image)}, reply_to)
        except FeishuError as error:
            if error.code == RATE_LIMITED or error.code in UNREACHABLE:
                raise
            log.warning("chart not sent to %s: %s", target.chat, error)


def _retry_after(response: Any) -> float:
    headers = getattr(getattr(response, "raw", None), "headers", None) or {}
    for name, value in headers.items():
        if name.lower() == "x-ogw-ratelimit-reset":
            try:
                return max(0.0, float(value))
            except ValueError:
                break
    return 1.0


class FeishuDeliverer:
    """Proactive messages (reminders, self-checks, digests) from the scheduler's thread, to the
    person's open_id (or a stored group), rendered like the replies."""

    platform = PLATFORM

    def __init__(self, sender: Sender) -> None:
        self.sender = sender

    def send(self, to: ChatKey, replies: list[Reply]) -> str | Delivered | Later:
        """Delivered with the last card's message_id (a reminder card is updated after it was
        acted on), BLOCKED when Feishu says the person can't be reached, Later on a rate limit,
        RETRY on another refusal or a network fault."""
        try:
            sent = self.sender.send_replies(to, draw_charts(replies))
        except FeishuError as error:
            if error.code == RATE_LIMITED:
                return Later(timedelta(seconds=error.retry_after or 1))
            log.warning("proactive message to %s not sent, will retry: %s", to.chat, error)
            return RETRY
        except (requests.RequestException, OSError) as error:
            log.warning("proactive message to %s not sent, will retry: %s", to.chat, error)
            return RETRY
        if sent.blocked:
            return BLOCKED
        return Delivered(sent.last) if sent.last is not None else SENT


# ---- events in ------------------------------------------------------------------------------

class Bridge:
    """Where Feishu meets the core. The SDK's handlers queue each event and return at once; a
    worker handles it, one person's events in one chat at a time."""

    def __init__(self, make_uow: Callable[[], Any], clock: Clock, sender: Sender, app_id: str,
                 workers: int = WORKERS) -> None:
        self.make_uow, self.clock, self.sender, self.app_id = make_uow, clock, sender, app_id
        self.bot_open_id = ""
        self.pool = ThreadPoolExecutor(workers, thread_name_prefix="feishu")
        self._lock = threading.Lock()
        self._queues: dict[ChatKey, deque[tuple[Callable[[], Inbound], Pressed | None, str | None]]] = {}
        self._names: dict[tuple[str, str], tuple[str | None, float]] = {}

    def name(self, tenant: str, open_id: str) -> str | None:
        """The person's name from the directory, asked once per person and process (a refusal
        is asked again after NAME_RETRY, so a scope granted later is seen)."""
        now = time.monotonic()
        with self._lock:
            known = self._names.get((tenant, open_id))
        if known is not None and (known[0] is not None or now - known[1] < NAME_RETRY):
            return known[0]
        found = self.sender.person(open_id)
        with self._lock:
            self._names[(tenant, open_id)] = (found, now)
        return found

    def queue(self, who: ChatKey, make_event: Callable[[], Inbound], pressed: Pressed | None = None,
              reply_to: str | None = None) -> None:
        """Queue an event of `who`: a chat's events are handled in the order they came, one at a
        time (a worker drains the chat's queue), different chats side by side."""
        with self._lock:
            jobs = self._queues.setdefault(who, deque())
            jobs.append((make_event, pressed, reply_to))
            if len(jobs) > 1:
                return  # the chat's worker takes it after the ones before
        self.pool.submit(self._drain, who)

    def _drain(self, who: ChatKey) -> None:
        while True:
            with self._lock:
                make_event, pressed, reply_to = self._queues[who][0]
            try:
                self._run(make_event(), pressed, reply_to)
            except Exception:  # the event could not even be read (a directory look-up gone wrong)
                log.exception("feishu event of %s failed before it was handled", who.user)
            with self._lock:
                jobs = self._queues[who]
                jobs.popleft()
                if not jobs:
                    del self._queues[who]
                    return

    def wait_idle(self, timeout: float = 10) -> bool:
        """Wait until every queued event is handled (an orderly stop; tests)."""
        pause = threading.Event()
        for _ in range(int(timeout * 100)):
            with self._lock:
                if not self._queues:
                    return True
            pause.wait(0.01)
        return False

    def _run(self, event: Inbound, pressed: Pressed | None, reply_to: str | None) -> None:
        try:
            replies = draw_charts(handle(event, self.make_uow(), self.clock))
            if event.form is not None and pressed is not None and replies and not any(r.errors for r in replies):
                self.sender.patch(pressed.message_id, submitted_card(f"form.{event.form.flow}.title",
                                                                     _lang_of(replies)))
            sent = self.sender.send_replies(event.who, replies, pressed, reply_to)
        except Exception:
            log.exception("feishu event %s failed", event.event_id)
            self._apologise(event)
            return
        for who in sent.blocked:
            if is_private(who):
                mark_unreachable(who, self.make_uow())

    def _apologise(self, event: Inbound) -> None:
        try:
            notice = Reply("common.internal_error", normalise_lang(event.lang_hint), ephemeral=True)
            self.sender.send_replies(event.who, [notice])
        except Exception as error:  # the fault may be Feishu itself
            log.warning("error notice for %s not sent: %s", event.event_id, error)

    def inbound(self, who: ChatKey, event_id: str, **given: Any) -> Inbound:
        return Inbound(who, event_id, display_name=self.name(who.tenant, who.user), bot=self.app_id, **given)

    # -- the SDK's handlers (on its event loop: nothing slow here) --

    def on_message(self, data: Any) -> None:
        """A message in the private chat, or one that @mentions the bot in a group (the only
        group messages the app receives)."""
        event, header = data.event, data.header
        sender = event.sender
        if sender is None or sender.sender_type != "user" or sender.sender_id is None:
            return
        open_id = sender.sender_id.open_id or ""
        tenant = sender.tenant_key or header.tenant_key or ""
        message = event.message
        private = message.chat_type == "p2p"
        who = ChatKey(PLATFORM, open_id if private else message.chat_id, open_id, tenant)
        text = message_text(message.message_type, message.content, message.mentions or (), self.bot_open_id)
        self.queue(who, lambda: self.inbound(who, header.event_id, text=text, private=private, addressed=not private,
                                        can_form=private),
                   reply_to=None if private else message.message_id)

    def on_card(self, data: Any) -> P2CardActionTriggerResponse:
        """A button press or a submitted form: answered at once (empty), handled after."""
        event, header = data.event, data.header
        operator, action, context = event.operator, event.action, event.context
        value = action.value if isinstance(action.value, dict) else {}
        open_id = operator.open_id or ""
        tenant = operator.tenant_key or header.tenant_key or ""
        private = bool(value.get("private", True))
        chat = open_id if private else (context.open_chat_id or open_id)
        who = ChatKey(PLATFORM, chat, open_id, tenant)
        message_id = context.open_message_id or ""
        if "form" in value:
            revision = int(value.get("revision") or 0)
            answer = FormAnswer(str(value["form"]), form_values(action.form_value or {}))
            # A double click on one showing of the form is one submission: the same id.
            digest = hashlib.sha256(json.dumps(answer.values, sort_keys=True, ensure_ascii=False).encode())
            event_id = f"form:{message_id}:{revision}:{digest.hexdigest()[:16]}"
            self.queue(who, lambda: self.inbound(who, event_id, form=answer, private=private),
                       Pressed(message_id, revision) if message_id else None)
        elif "choice" in value:
            choice = str(value["choice"])
            self.queue(who, lambda: self.inbound(who, header.event_id, choice=choice, private=private,
                                                 can_form=private),
                       Pressed(message_id) if message_id else None)
        return P2CardActionTriggerResponse({})

    def on_menu(self, data: Any) -> None:
        """A bot-menu item: its event key is the command it runs (`new`, `deals` …)."""
        event, header = data.event, data.header
        open_id = (event.operator.operator_id.open_id if event.operator and event.operator.operator_id else "") or ""
        tenant = header.tenant_key or ""
        key = re.sub(r"[^a-z_]", "", (event.event_key or "").lower())
        if not open_id or not key:
            return
        who = ChatKey(PLATFORM, open_id, open_id, tenant)
        self.queue(who, lambda: self.inbound(who, header.event_id, text=f"/{key}", private=True, addressed=True,
                                        can_form=True))


def message_text(kind: str | None, content: str | None, mentions: Iterable[Any], bot_open_id: str = "") -> str:
    """What a person typed: a text message's text with the bot's @mention dropped and anyone
    else's as their name; a rich-text post's words. Other kinds (images, files) read as ""."""
    try:
        body = json.loads(content or "{}")
    except ValueError:
        return ""
    if kind == "text":
        text = str(body.get("text") or "")
    elif kind == "post":
        post: Any = body.get("content")
        if post is None:  # keyed by language, as a post is written
            localised: Any = next(iter(body.values()), {})
            post = localised.get("content") if isinstance(localised, dict) else []
        text = "\n".join("".join(str(item.get("text") or "") for item in line if isinstance(item, dict))
                         for line in post or [] if isinstance(line, list))
    else:
        return ""
    names = {m.key: ("" if (m.id and m.id.open_id == bot_open_id) or not bot_open_id else f"@{m.name}")
             for m in mentions if getattr(m, "key", None)}
    text = MENTION_KEY.sub(lambda found: names.get(found.group(), ""), text)
    return re.sub(r"[ \t]+", " ", text).strip()


def _lang_of(replies: Sequence[Reply]) -> str:
    return replies[0].lang if replies else "zh"


def build_dispatcher(bridge: Bridge, webhook: Webhook | None = None) -> lark.EventDispatcherHandler:
    webhook = webhook or Webhook()
    return (lark.EventDispatcherHandler.builder(webhook.encrypt_key, webhook.verification_token)
            .register_p2_im_message_receive_v1(bridge.on_message)
            .register_p2_card_action_trigger(bridge.on_card)
            .register_p2_application_bot_menu_v6(bridge.on_menu)
            .build())


# ---- the event-callback HTTP mode ---------------------------------------------------------------

EVENTS_PATH = "/feishu/events"
DEFAULT_PORT = 3001
MAX_AGE = 300  # seconds a signed request stays valid: an older one is a replay
MAX_BODY = 1_000_000


@dataclass(frozen=True)
class Webhook:
    """What Feishu's requests are checked with: the app's Encrypt Key (bodies encrypted and
    signed) and its Verification Token."""

    encrypt_key: str = ""
    verification_token: str = ""


class WebhookApp:
    """The WSGI app at EVENTS_PATH for events and card callbacks. A request is checked before
    the SDK reads it: with an Encrypt Key its signature and age (the SDK checks no age), else its
    Verification Token; a request that fails is refused with 401 and never handled. The SDK then
    decrypts it, answers the URL check and dispatches it like a long-connection frame."""

    def __init__(self, dispatcher: lark.EventDispatcherHandler, webhook: Webhook,
                 now: Callable[[], float] | None = None) -> None:
        self.dispatcher, self.webhook, self.now = dispatcher, webhook, now or time.time

    def verified(self, headers: Mapping[str, str], body: bytes) -> bool:
        if self.webhook.encrypt_key:
            stamp, nonce = headers.get("X-Lark-Request-Timestamp", ""), headers.get("X-Lark-Request-Nonce", "")
            signature = headers.get("X-Lark-Signature", "")
            if not stamp.isdigit() or abs(self.now() - int(stamp)) > MAX_AGE:
                return False
            expected = hashlib.sha256((stamp + nonce + self.webhook.encrypt_key).encode() + body).hexdigest()
            return hmac.compare_digest(expected, signature)
        try:
            payload = json.loads(body)
        except ValueError:
            return False
        token = (payload.get("header") or {}).get("token") or payload.get("token") or ""
        return isinstance(token, str) and hmac.compare_digest(token.encode(), self.webhook.verification_token.encode())

    def __call__(self, environ: Mapping[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        if environ.get("PATH_INFO") != EVENTS_PATH or environ.get("REQUEST_METHOD") != "POST":
            return _respond(start_response, 404, b'{"msg":"not found"}')
        size = int(environ.get("CONTENT_LENGTH") or 0)
        if size > MAX_BODY:
            return _respond(start_response, 413, b'{"msg":"too large"}')
        body = environ["wsgi.input"].read(size) if size else b""
        headers = {name[5:].replace("_", "-").title(): str(value) for name, value in environ.items()
                   if name.startswith("HTTP_")}
        if not self.verified(headers, body):
            log.warning("feishu request refused: its signature, age or token does not check out")
            return _respond(start_response, 401, b'{"msg":"unauthorised"}')
        request = lark.RawRequest()
        request.uri, request.headers, request.body = EVENTS_PATH, headers, body
        response = self.dispatcher.do(request)
        return _respond(start_response, response.status_code or 200, response.content or b"")


def _respond(start_response: Callable[..., Any], status: int, body: bytes) -> list[bytes]:
    reasons = {200: "OK", 401: "Unauthorized", 404: "Not Found", 413: "Payload Too Large"}
    start_response(f"{status} {reasons.get(status, 'Error')}", [("Content-Type", "application/json; charset=utf-8"),
                                                               ("Content-Length", str(len(body)))])
    return [body]


# ---- the long connection ------------------------------------------------------------------------

class FeishuFrontEnd:
    """The app on its long connection (or, given a `webhook`, serving Feishu's HTTP callbacks on
    `port`), in background threads beside the other front ends.

    lark-oapi's WebSocket client runs on an event loop it keeps in a module variable; the
    thread gives it a loop of its own, so one Feishu app runs per process."""

    platform = PLATFORM

    def __init__(self, app_id: str, app_secret: str, domain: str, make_uow: Callable[[], Any], clock: Clock,
                 webhook: Webhook | None = None, listen: str = "0.0.0.0", port: int = DEFAULT_PORT) -> None:
        self.app_id, self.app_secret, self.domain = app_id, app_secret, domain
        self.make_uow, self.clock = make_uow, clock
        self.webhook, self.listen, self.port = webhook, listen, port
        self.server: WSGIServer | None = None
        self.bridge: Bridge | None = None
        self.ws: Any = None
        self.loop: asyncio.AbstractEventLoop | None = None
        self.thread: threading.Thread | None = None
        self._failed: BaseException | None = None

    def client(self) -> lark.Client:
        return (lark.Client.builder().app_id(self.app_id).app_secret(self.app_secret).domain(self.domain)
                .log_level(lark.LogLevel.WARNING).build())

    def start(self) -> FeishuDeliverer:
        sender = Sender(self.client())
        try:
            info = sender.bot_info()
        except FeishuError as error:
            raise StartupError("feishu.credentials_rejected", reason=error.msg) from None
        except (requests.RequestException, OSError) as error:
            raise StartupError("feishu.unreachable", reason=str(error).splitlines()[0]) from None
        self.bridge = Bridge(self.make_uow, self.clock, sender, self.app_id)
        self.bridge.bot_open_id = str(info.get("open_id") or "")
        if self.webhook is not None:
            app = WebhookApp(build_dispatcher(self.bridge, self.webhook), self.webhook)
            self.server = serve(self.listen, self.port, app)
            self.thread = threading.Thread(target=self.server.serve_forever, args=(0.1,), name="feishu-http",
                                           daemon=True)
            self.thread.start()
            return FeishuDeliverer(sender)
        self.ws = lark.ws.Client(self.app_id, self.app_secret, event_handler=build_dispatcher(self.bridge),
                                 domain=self.domain, log_level=lark.LogLevel.WARNING)
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self._serve, name="feishu-ws", daemon=True)
        self.thread.start()
        for _ in range(1000):  # until connected, or the endpoint refused
            if self._failed is not None:
                raise StartupError("feishu.unreachable", reason=str(self._failed).splitlines()[0])
            if self.ws._conn is not None:
                break
            threading.Event().wait(0.01)
        return FeishuDeliverer(sender)

    def _serve(self) -> None:
        assert self.loop is not None
        asyncio.set_event_loop(self.loop)
        ws_client.loop = self.loop
        try:
            self.ws.start()
        except RuntimeError:  # stop() stopped the loop
            pass
        except Exception as error:
            log.error("feishu long connection failed: %s", error)
            self._failed = error

    async def _close(self) -> None:
        """On the client's loop: its receive and ping tasks cancelled first (so closing the socket
        is not taken for a lost connection), then the socket closed."""
        others = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()
                  and getattr(task.get_coro(), "__name__", "") != "_select"]  # start()'s own wait: stop() ends it
        for task in others:
            task.cancel()
        await asyncio.gather(*others, return_exceptions=True)
        await self.ws._disconnect()

    @property
    def bound_port(self) -> int | None:
        return self.server.server_address[1] if self.server is not None else None

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
        if self.ws is not None and self.loop is not None and self.loop.is_running():
            self.ws._auto_reconnect = False
            try:
                asyncio.run_coroutine_threadsafe(self._close(), self.loop).result(5)
            except Exception as error:
                log.info("feishu long connection not closed cleanly: %s", error)
            self.loop.call_soon_threadsafe(self.loop.stop)
        if self.thread is not None:
            self.thread.join(5)
        if self.bridge is not None:
            self.bridge.pool.shutdown(wait=True)


def from_env(env: Mapping[str, str], make_uow: Callable[[], Any], clock: Clock, webhook_url: str | None = None,
             listen: str = "0.0.0.0", port: int | None = None) -> FeishuFrontEnd | None:
    """The Feishu front end when `FEISHU_APP_ID` and `FEISHU_APP_SECRET` are set; `FEISHU_DOMAIN`
    is `feishu` (default), `lark` (Lark, international) or a base URL (tests). With
    `FEISHU_ENCRYPT_KEY` or `FEISHU_VERIFICATION_TOKEN` it serves Feishu's HTTP callbacks at
    /feishu/events on `FEISHU_PORT` (3001) and `listen`, instead of the long connection. The
    other options are Telegram's, not read here."""
    app_id, secret = env.get("FEISHU_APP_ID"), env.get("FEISHU_APP_SECRET")
    if not app_id and not secret:
        return None
    if not app_id or not secret:
        raise ValueError("Feishu needs both FEISHU_APP_ID and FEISHU_APP_SECRET")
    wanted = (env.get("FEISHU_DOMAIN") or "feishu").strip()
    domain = DOMAINS.get(wanted.lower()) or (wanted.rstrip("/") if wanted.startswith(("http://", "https://")) else None)
    if domain is None:
        raise ValueError(f"FEISHU_DOMAIN is feishu, lark or a URL, not {wanted!r}")
    key, token = env.get("FEISHU_ENCRYPT_KEY") or "", env.get("FEISHU_VERIFICATION_TOKEN") or ""
    webhook = Webhook(key, token) if key or token else None
    return FeishuFrontEnd(app_id, secret, domain, make_uow, clock, webhook, listen,
                          int(env.get("FEISHU_PORT") or DEFAULT_PORT))
