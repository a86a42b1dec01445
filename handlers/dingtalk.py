"""DingTalk front end on the official Stream SDK (`dingtalk-stream`): the robot's messages and
card button presses come in over the app's outgoing Stream connection (no public URL); the
core's replies go out through DingTalk's server API with the app's access token.

A one-to-one message to the robot (or an @ of it in a group) and a press on one of its cards
become one neutral `Inbound` keyed by (corpId, chat, userId); each `Reply` becomes a text
message (robot oToMessages/batchSend to the userId, or groupMessages/send), an interactive card
when it has choices (StandardCard with a "request" button per choice, the choice's value in the
button's id), an update of the pressed or an earlier card, or an uploaded image (a chart). The
session webhook a message carries is never used: it expires, and pushes have none. Commands are
written as words (`新商机 …`), since a DingTalk chat has no slash commands.

Every callback is acknowledged on the Stream connection at once; the work (the core, the
sends) runs after, in a worker pool, one person's events in the order they came.
"""
from __future__ import annotations

import asyncio
import json
import logging
import re
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import dingtalk_stream
import httpx
from dingtalk_stream import AckMessage, CallbackHandler, CallbackMessage, ChatbotMessage, Credential

from assistant import (
    BLOCKED,
    RETRY,
    SENT,
    WORDS,
    ChatKey,
    Clock,
    Delivered,
    Inbound,
    MessageRef,
    Reply,
    StartupError,
    draw_charts,
    handle,
    mark_unreachable,
    normalise_lang,
    render,
    render_reply,
)

PLATFORM = "dingtalk"
VOCABULARY = WORDS  # a DingTalk chat has no slash commands: `新商机 …`
API_URL = "https://api.dingtalk.com"
OAPI_URL = "https://oapi.dingtalk.com"  # the older API, where media are uploaded
MESSAGE_TOPIC = ChatbotMessage.TOPIC  # a message to the robot
CARD_TOPIC = CallbackHandler.TOPIC_CARD_CALLBACK  # a press on a card's button
CARD_TEMPLATE = "StandardCard"  # DingTalk's built-in interactive card: no template to create
CARD_HANDLE = "card:"  # MessageRef of a card, the only kind of message DingTalk lets a robot edit
TEXT_LIMIT = 4000  # characters of one message or card text (DingTalk allows about 5,000)
ROW_BUTTONS = 3
TIMEOUT = 10.0
MAX_RETRIES = 2  # flow-controlled replies waited out (1 s, then 2 s) before giving up
WORKERS = 8
CHART_FILE = "sales-chart.png"
STALE_TOKEN = (40001, 40014, 42001)  # the older API's codes for an invalid or expired access token
PRIVATE = "1"  # conversationType of a one-to-one chat ("2": a group)
DEFAULT_LANG = normalise_lang(None)

log = logging.getLogger(__name__)


# ---- text and cards ---------------------------------------------------------------------------

_MARKDOWN = re.compile(r"([\\`*_\[\]<>~|])")
_BLOCK = re.compile(r"^(#{1,6}(?=\s|$)|[-+](?=\s)|[=-]+(?=\s*$))", re.MULTILINE)  # heading, list, underline
_NUMBERED = re.compile(r"^(\d+)\.(?=\s)", re.MULTILINE)


def defuse(text: str) -> str:
    """No mention or link from what someone typed: `@` gets a word joiner after it, and a URL's
    `://` a zero-width space, so neither is recognised (what is read stays the same)."""
    return text.replace("@", "@\u2060").replace("://", ":\u200b//")


def escape_markdown(text: str) -> str:
    """A card's markdown with nothing of it interpreted: emphasis, links, images, code and HTML
    characters backslash-escaped, and a line that would open a heading, list or quote too."""
    text = _BLOCK.sub(r"\\\1", _MARKDOWN.sub(r"\\\1", defuse(text)))
    return _NUMBERED.sub(r"\1\\.", text)


def plain_text(reply: Reply) -> str:
    """The reply as it reads, people by name: DingTalk has mentions only in group messages sent
    with an @ list, which the robot never uses."""
    return render_reply(reply, VOCABULARY)


def as_text(text: str) -> str:
    """A text message is shown as typed, so only mentions and links are defused."""
    return defuse(text)


def as_markdown(text: str) -> str:
    """A card's markdown: escaped, each line its own paragraph (markdown would join them), its
    leading spaces kept as no-break spaces (four would open a code block)."""
    lines = [re.sub(r"^ +", lambda m: "\u00a0" * len(m.group()), line) for line in escape_markdown(text).split("\n")]
    return "\n\n".join(line for line in lines if line.strip())


def split_text(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """Parts of at most `limit` characters, cut between lines (within a line only if it must)."""
    lines = [line[start:start + limit] for line in text.split("\n") for start in range(0, max(len(line), 1), limit)]
    parts: list[str] = []
    for line in lines:
        if parts and len(parts[-1]) + 1 + len(line) <= limit:
            parts[-1] += "\n" + line
        else:
            parts.append(line)
    return [part for part in parts if part.strip()] or [text or " "]


def button_id(index: int, value: str) -> str:
    """A card button's id carries its choice's value (hex: ids take letters and digits), so a
    press is read back without any state kept here, even after a restart."""
    return f"c{index}x{value.encode().hex()}"


def choice_of(action_id: str) -> str | None:
    found = re.fullmatch(r"c\d+x((?:[0-9a-f]{2})*)", action_id)
    if found is None:
        return None
    try:
        return bytes.fromhex(found.group(1)).decode()
    except UnicodeDecodeError:
        return None


def card(reply: Reply, text: str) -> dict[str, Any]:
    """A StandardCard: `text` (the reply's, or its last part) as markdown, then the reply's
    choices as buttons, a few a row."""
    buttons = [{"type": "button", "id": button_id(index, choice.value), "actionType": "request",
                "status": "normal",
                "label": {"type": "text", "text": render(reply.lang, choice.key, vocabulary=VOCABULARY,
                                                         **choice.params)}}
               for index, choice in enumerate(reply.choices)]
    contents: list[dict[str, Any]] = [{"type": "markdown", "id": "text", "text": as_markdown(text)}]
    contents += [{"type": "action", "id": f"actions-{n}", "actions": buttons[start:start + ROW_BUTTONS]}
                 for n, start in enumerate(range(0, len(buttons), ROW_BUTTONS))]
    return {"config": {"autoLayout": True, "enableForward": False},
            "header": {"title": {"type": "text", "text": render(reply.lang, "dingtalk.card_title")}},
            "contents": contents}


# ---- the server API ---------------------------------------------------------------------------

class ApiError(Exception):
    """DingTalk refused a call: its HTTP status and error code (`Forbidden.AccessDenied…`)."""

    def __init__(self, status: int, code: str, message: str = "") -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status, self.code = status, code

    @property
    def limited(self) -> bool:
        """Flow control: too many calls a second for the app or the API."""
        return self.status == 429 or "QpsLimit" in self.code or "FlowControl" in self.code


class OpenApi:
    """The app's calls to DingTalk: an access token asked for with the Client ID and Secret and
    kept until five minutes before it expires (asked again on a 401), JSON calls to the new
    API, image uploads to the older one."""

    def __init__(self, client_id: str, client_secret: str, api_url: str = API_URL, oapi_url: str = OAPI_URL,
                 timeout: float = TIMEOUT) -> None:
        self.client_id, self._secret = client_id, client_secret
        self.api_url, self.oapi_url = api_url.rstrip("/"), oapi_url.rstrip("/")
        self.http = httpx.Client(timeout=timeout)  # HTTPS_PROXY and the like are honoured, as by the SDK
        self._token: tuple[str, float] | None = None
        self._lock = threading.Lock()

    def token(self, fresh: bool = False) -> str:
        with self._lock:
            if self._token is not None and not fresh and time.monotonic() < self._token[1]:
                return self._token[0]
            response = self.http.post(f"{self.api_url}/v1.0/oauth2/accessToken",
                                      json={"appKey": self.client_id, "appSecret": self._secret})
            body = _checked(response)
            self._token = (str(body["accessToken"]), time.monotonic() + int(body.get("expireIn", 7200)) - 300)
            return self._token[0]

    def forget_token(self) -> None:
        with self._lock:
            self._token = None

    def call(self, method: str, path: str, body: Mapping[str, Any]) -> dict[str, Any]:
        for attempt in (1, 2):
            headers = {"x-acs-dingtalk-access-token": self.token(fresh=attempt == 2)}
            response = self.http.request(method, f"{self.api_url}{path}", json=dict(body), headers=headers)
            if response.status_code != 401:
                break
        return _checked(response)

    def upload_image(self, content: bytes) -> str:
        """The image's media id, which an image message shows. The older API answers a stale
        token with an error code, not a 401: it is asked for afresh once."""
        for attempt in (1, 2):
            response = self.http.post(f"{self.oapi_url}/media/upload",
                                      params={"access_token": self.token(fresh=attempt == 2), "type": "image"},
                                      files={"media": (CHART_FILE, content, "image/png")})
            body = _checked(response)
            if body.get("errcode") not in STALE_TOKEN:
                break
        if body.get("errcode") or not body.get("media_id"):
            raise ApiError(response.status_code, str(body.get("errcode")), str(body.get("errmsg") or ""))
        return str(body["media_id"])

    def open_connection(self, subscriptions: list[dict[str, str]]) -> dict[str, Any]:
        """A Stream endpoint and its one-time ticket, for the topics subscribed."""
        response = self.http.post(f"{self.api_url}/v1.0/gateway/connections/open",
                                  json={"clientId": self.client_id, "clientSecret": self._secret,
                                        "subscriptions": subscriptions, "ua": "sales-assistant", "localIp": ""})
        return _checked(response)

    def close(self) -> None:
        self.http.close()


def _checked(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        body = {}
    if response.status_code >= 400:
        raise ApiError(response.status_code, str(body.get("code") or ""), str(body.get("message") or ""))
    return body if isinstance(body, dict) else {}


# ---- replies out ------------------------------------------------------------------------------

@dataclass
class Sent:
    """What `send_replies` did: people DingTalk says can't be reached, the last card sent (its
    handle), and whether flow control stopped the rest."""

    blocked: list[ChatKey] = field(default_factory=list)
    last: MessageRef | None = None
    limited: bool = False


class Unreachable(Exception):
    """The recipient is not (or no longer) someone the robot can write to."""


def _is_private(who: ChatKey) -> bool:
    return who.chat == who.user


class Sender:
    """Sends replies as the robot: to a person by userId, to a group by its openConversationId."""

    def __init__(self, api: OpenApi, wait: Callable[[float], None] | None = None) -> None:
        self.api = api
        self.robot_code = api.client_id  # an internal app's robot code is its Client ID
        self.wait = wait or time.sleep

    def send_replies(self, who: ChatKey, replies: Sequence[Reply], pressed: str | None = None,
                     patient: bool = True) -> Sent:
        """All replies in order, to `who` or the reply's recipient (one meant for the sender alone
        goes to their one-to-one chat). `pressed` is the card whose button was pressed. With
        `patient`, flow control is waited out a little; a push is not kept waiting."""
        sent = Sent()
        for reply in replies:
            target = reply.to or who
            if reply.ephemeral and not _is_private(target):
                target = ChatKey(target.platform, target.user, target.user, target.tenant)
            if target in sent.blocked:
                continue
            try:
                ref = self._send(target, reply, pressed if reply.to is None else None, MAX_RETRIES if patient else 0)
            except Unreachable:
                log.warning("dingtalk user %s can't be reached; their replies dropped", target.user)
                sent.blocked.append(target)
                continue
            except ApiError as error:
                if not error.limited:
                    raise
                log.warning("flow-controlled past the retries; replies to %s not sent", target.chat)
                sent.limited = True
                return sent
            if ref is not None:
                sent.last = ref
        return sent

    def _call(self, retries: int, path: str, body: Mapping[str, Any], method: str = "POST",
              user: str | None = None) -> dict[str, Any]:
        """One API call, flow control waited out `retries` times (1 s, 2 s …); `user` is the
        person a batchSend went to, whose place in its answer's lists says whether it went."""
        for attempt in range(retries + 1):
            try:
                answer = self.api.call(method, path, body)
                if user is not None and user in (answer.get("invalidStaffIdList") or []):
                    raise Unreachable(user)
                if user is not None and user in (answer.get("flowControlledStaffIdList") or []):
                    raise ApiError(429, "FlowControl", user)
                return answer
            except ApiError as error:
                if not error.limited or attempt == retries:
                    raise
                self.wait(float(2 ** attempt))
        raise AssertionError("unreachable: the last attempt returns or raises")

    def _send(self, target: ChatKey, reply: Reply, pressed: str | None, retries: int) -> MessageRef | None:
        if reply.edits is not None:
            if reply.edits.handle.startswith(CARD_HANDLE):
                self._update(reply.edits.handle.removeprefix(CARD_HANDLE), reply, split_text(plain_text(reply))[0],
                             retries)
            else:
                log.info("message %r is not a card: DingTalk can't edit it", reply.edits.handle)
            return None
        if reply.image is not None:
            self._message(target, "sampleImageMsg", {"photoURL": self.api.upload_image(reply.image)}, retries)
        parts = split_text(plain_text(reply))
        for part in parts if not reply.choices else parts[:-1]:
            self._message(target, "sampleText", {"content": as_text(part)}, retries)
        if not reply.choices:
            return None
        if reply.replace and pressed and len(parts) == 1 and self._update(pressed, reply, parts[-1], retries):
            return MessageRef(CARD_HANDLE + pressed)
        return MessageRef(CARD_HANDLE + self._card(target, card(reply, parts[-1]), retries))

    def _message(self, target: ChatKey, key: str, param: Mapping[str, Any], retries: int) -> None:
        body: dict[str, Any] = {"robotCode": self.robot_code, "msgKey": key,
                                "msgParam": json.dumps(param, ensure_ascii=False)}
        if _is_private(target):
            self._call(retries, "/v1.0/robot/oToMessages/batchSend", body | {"userIds": [target.user]},
                       user=target.user)
        else:
            self._call(retries, "/v1.0/robot/groupMessages/send", body | {"openConversationId": target.chat})

    def _card(self, target: ChatKey, data: Mapping[str, Any], retries: int) -> str:
        biz_id = uuid.uuid4().hex
        body: dict[str, Any] = {"cardTemplateId": CARD_TEMPLATE, "robotCode": self.robot_code, "cardBizId": biz_id,
                                "cardData": json.dumps(data, ensure_ascii=False)}
        if _is_private(target):
            body["singleChatReceiver"] = json.dumps({"userId": target.user})
        else:
            body["openConversationId"] = target.chat
        self._call(retries, "/v1.0/im/v1.0/robot/interactiveCards/send", body)
        return biz_id

    def _update(self, biz_id: str, reply: Reply, text: str, retries: int) -> bool:
        """Update a card the robot sent; False when DingTalk won't (gone, not ours)."""
        try:
            self._call(retries, "/v1.0/im/robots/interactiveCards",
                       {"cardBizId": biz_id, "cardData": json.dumps(card(reply, text), ensure_ascii=False)}, "PUT")
        except ApiError as error:
            if error.limited:
                raise
            log.info("card %s not updated: %s", biz_id, error)
            return False
        return True


class DingTalkDeliverer:
    """Proactive messages (reminders, self-checks, digests) from the scheduler's thread, by userId
    through the robot API (never a session webhook: those expire), rendered like the replies."""

    platform = PLATFORM

    def __init__(self, sender: Sender) -> None:
        self.sender = sender

    def send(self, to: ChatKey, replies: list[Reply]) -> str | Delivered:
        """Delivered with the last card's handle (for a later update), BLOCKED when DingTalk says
        the person can't be reached, RETRY on flow control or a network fault."""
        try:
            sent = self.sender.send_replies(to, draw_charts(replies), patient=False)
        except (ApiError, httpx.HTTPError) as error:
            log.warning("proactive message to %s not sent, will retry: %s", to.user, error)
            return RETRY
        if sent.blocked:
            return BLOCKED
        if sent.limited:
            return RETRY
        return Delivered(sent.last) if sent.last is not None else SENT


# ---- events in --------------------------------------------------------------------------------

def message_text(data: Mapping[str, Any]) -> str | None:
    """What a message says: its text, a rich text's text parts, a voice message's transcript."""
    kind = data.get("msgtype")
    content: Mapping[str, Any] = data["content"] if isinstance(data.get("content"), dict) else {}
    if kind == "text":
        return str((data.get("text") or {}).get("content") or "")
    if kind == "richText":
        return "".join(str(item["text"]) for item in content.get("richText") or [] if "text" in item)
    if kind == "audio":
        return str(content.get("recognition") or "") or None
    return None


def message_event(data: Mapping[str, Any], stream_id: str, robot_code: str) -> Inbound | None:
    """The neutral event for a message to the robot, or None when it is not for us: another
    robot's (the robot code is checked), no text, or a sender outside the corp (no userId, so no
    way to answer through the robot API)."""
    if data.get("robotCode") and data.get("robotCode") != robot_code:
        log.warning("message %s for robot %s refused", stream_id, data.get("robotCode"))
        return None
    user, text = data.get("senderStaffId"), message_text(data)
    if not user or text is None:
        return None
    tenant = str(data.get("senderCorpId") or data.get("chatbotCorpId") or "")
    private = str(data.get("conversationType") or PRIVATE) == PRIVATE
    chat = str(user) if private else str(data.get("conversationId") or "")
    if not chat:
        return None
    if not private:  # in a group the robot hears only @-mentions; DingTalk has taken the @ out
        text = text.strip().lstrip(",:，：").strip()
    return Inbound(ChatKey(PLATFORM, chat, str(user), tenant), str(data.get("msgId") or stream_id), text=text,
                   display_name=data.get("senderNick") or None, private=private, addressed=not private,
                   bot=robot_code)


def _json(value: Any) -> dict[str, Any]:
    if isinstance(value, dict):
        return value
    try:
        found = json.loads(value) if isinstance(value, str) and value else {}
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}


def card_event(data: Mapping[str, Any], stream_id: str, robot_code: str) -> tuple[Inbound, str] | None:
    """A press on a card's button: the event, and the card (its cardBizId) to update in place."""
    user, biz_id = data.get("userId"), data.get("outTrackId")
    private_data = _json(_json(data.get("value") or data.get("content")).get("cardPrivateData"))
    actions = private_data.get("actionIds") or []
    choice = choice_of(str(actions[0])) if actions else None
    if not user or not biz_id or choice is None:
        log.info("card callback %s has no button of ours", stream_id)
        return None
    group = data.get("openConversationId") or (data.get("spaceId") if data.get("spaceType") == "IM_GROUP" else None)
    who = ChatKey(PLATFORM, str(group or user), str(user), str(data.get("corpId") or ""))
    return Inbound(who, f"card:{stream_id}", choice=choice, private=not group, bot=robot_code), str(biz_id)


class _Bridge:
    """Where DingTalk meets the core. Events are queued per person and run in a worker pool, so
    the Stream callback is acknowledged at once and one person's events keep their order."""

    def __init__(self, make_uow: Callable[[], Any], clock: Clock, sender: Sender, workers: int = WORKERS) -> None:
        self.make_uow, self.clock, self.sender = make_uow, clock, sender
        self._pool = ThreadPoolExecutor(workers, thread_name_prefix="dingtalk")
        self._queues: dict[ChatKey, deque[tuple[Inbound, str | None]]] = {}
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        self._pending = 0
        self._langs: dict[str, str] = {}

    def submit(self, event: Inbound, pressed: str | None = None) -> None:
        with self._lock:
            queue = self._queues.setdefault(event.who, deque())
            queue.append((event, pressed))
            self._pending += 1
            if len(queue) > 1:
                return
        self._pool.submit(self._drain, event.who)

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Until every event taken in has been handled and answered."""
        with self._idle:
            return self._idle.wait_for(lambda: self._pending == 0, timeout)

    def close(self, timeout: float = 30) -> None:
        self.wait_idle(timeout)
        self._pool.shutdown(wait=False)

    def _drain(self, who: ChatKey) -> None:
        while True:
            with self._lock:
                event, pressed = self._queues[who][0]
            self._run(event, pressed)
            with self._lock:
                queue = self._queues[who]
                queue.popleft()
                self._pending -= 1
                self._idle.notify_all()
                if not queue:
                    del self._queues[who]
                    return

    def _run(self, event: Inbound, pressed: str | None) -> None:
        try:
            replies = draw_charts(handle(event, self.make_uow(), self.clock))
            if replies:
                with self._lock:
                    self._langs[event.who.user] = replies[0].lang
            sent = self.sender.send_replies(event.who, replies, pressed)
        except Exception:
            log.exception("dingtalk event %s failed", event.event_id)
            self._apologise(event)
            return
        for who in sent.blocked:
            if _is_private(who):
                mark_unreachable(who, self.make_uow())

    def _apologise(self, event: Inbound) -> None:
        """In the language the person was last answered in (DingTalk tells no client language)."""
        with self._lock:
            lang = self._langs.get(event.who.user, DEFAULT_LANG)
        notice = Reply("common.internal_error", lang, ephemeral=True)
        try:
            self.sender.send_replies(event.who, [notice])
        except Exception as error:  # the fault may be DingTalk itself
            log.warning("error notice for %s not sent: %s", event.event_id, error)

    def on_message(self, data: Mapping[str, Any], stream_id: str) -> None:
        event = message_event(data, stream_id, self.sender.robot_code)
        if event is not None:
            self.submit(event)

    def on_card(self, data: Mapping[str, Any], stream_id: str) -> None:
        found = card_event(data, stream_id, self.sender.robot_code)
        if found is not None:
            self.submit(*found)


class _Take(CallbackHandler):
    """A Stream topic's callbacks: handed to the bridge (which only queues them) and acknowledged
    with `answer` (a card callback's answer may carry card data; ours carries none: the card is
    updated through the API once the work is done)."""

    def __init__(self, take: Callable[[Mapping[str, Any], str], None], answer: str | dict[str, Any]) -> None:
        super().__init__()
        self.take, self.answer, self.logger = take, answer, log

    async def process(self, message: CallbackMessage) -> tuple[int, str | dict[str, Any]]:
        try:
            self.take(message.data or {}, str(message.headers.message_id or ""))
        except Exception:  # a malformed callback is logged and acknowledged, never redelivered forever
            log.exception("dingtalk callback %s not taken", message.headers.message_id)
        return AckMessage.STATUS_OK, self.answer


class _StreamClient(dingtalk_stream.DingTalkStreamClient):
    """The SDK's Stream client (websocket, frames, acks, keep-alive, reconnects), asking for its
    endpoint and token through `OpenApi`, so that both follow DINGTALK_API_URL."""

    def __init__(self, api: OpenApi, secret: str) -> None:
        super().__init__(Credential(api.client_id, secret), logger=log.getChild("stream"))
        self.api = api
        self.first_answer = threading.Event()  # set once the first connections/open has been answered
        self.first_refusal: ApiError | None = None

    def open_connection(self) -> dict[str, Any] | None:
        topics = [{"type": "CALLBACK", "topic": topic} for topic in self.callback_handler_map]
        try:
            return self.api.open_connection(topics)
        except ApiError as error:
            log.error("dingtalk stream connection refused: %s", error)
            if not self.first_answer.is_set():
                self.first_refusal = error
            return None
        except httpx.HTTPError as error:
            log.error("dingtalk stream connection not opened: %s", error)
            return None
        finally:
            self.first_answer.set()

    def get_access_token(self) -> str | None:
        try:
            return self.api.token()
        except (ApiError, httpx.HTTPError) as error:
            log.error("dingtalk access token not given: %s", error)
            return None

    def reset_access_token(self) -> None:
        self.api.forget_token()


class DingTalkFrontEnd:
    """The robot's Stream connection on its own event loop in a background thread, beside the
    other front ends (`bot.py`)."""

    platform = PLATFORM

    def __init__(self, api: OpenApi, secret: str, make_uow: Callable[[], Any], clock: Clock) -> None:
        self.api = api
        self.sender = Sender(api)
        self.bridge = _Bridge(make_uow, clock, self.sender)
        self.client = _StreamClient(api, secret)
        self.client.register_callback_handler(MESSAGE_TOPIC, _Take(self.bridge.on_message, "OK"))
        self.client.register_callback_handler(CARD_TOPIC, _Take(self.bridge.on_card, {}))
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="dingtalk", daemon=True)

    def start(self) -> DingTalkDeliverer:
        """Credentials DingTalk rejects, an API that can't be reached, or a Stream connection
        refused are a `StartupError` (one line from bot.py), never a traceback. Returns once the
        first connection was answered (the SDK then keeps it, reconnecting as needed)."""
        try:
            self.api.token(fresh=True)
        except ApiError as error:
            raise StartupError("dingtalk.startup.rejected", reason=error.code or error.status) from None
        except httpx.HTTPError as error:
            raise StartupError("dingtalk.startup.unreachable", reason=str(error).splitlines()[0]) from None
        self.thread.start()
        asyncio.run_coroutine_threadsafe(self.client.start(), self.loop)
        self.client.first_answer.wait(2 * TIMEOUT)
        refusal = self.client.first_refusal
        if refusal is not None:  # Stream mode not on for the robot, the app not published …
            self.stop()
            raise StartupError("dingtalk.startup.stream_refused", reason=refusal.code or refusal.status)
        return DingTalkDeliverer(self.sender)

    async def _halt(self) -> None:
        """The SDK's loop reconnects after most errors, a cancellation included: cancel it until
        it stops, then its keep-alive and callback tasks."""
        self.client.logger = logging.getLogger("dingtalk_stream.stopped")  # a cancel reads as a network error
        self.client.logger.disabled = True
        current = asyncio.current_task()
        tasks = [task for task in asyncio.all_tasks() if task is not current]
        for _ in range(20):
            for task in tasks:
                task.cancel()
            _, pending = await asyncio.wait(tasks, timeout=0.2) if tasks else (set(), set())
            if not pending:
                return
            tasks = list(pending)

    def stop(self) -> None:
        if self.thread.is_alive():
            asyncio.run_coroutine_threadsafe(self._halt(), self.loop).result(30)
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(10)
        self.bridge.close()
        self.api.close()


def from_env(env: Mapping[str, str], make_uow: Callable[[], Any], clock: Clock, webhook_url: str | None = None,
             listen: str = "0.0.0.0", port: int | None = None) -> DingTalkFrontEnd | None:
    """The DingTalk front end when `DINGTALK_CLIENT_ID` and `DINGTALK_CLIENT_SECRET` are set (the
    app's AppKey and AppSecret). `DINGTALK_API_URL` and `DINGTALK_OAPI_URL` point it at another
    server (the tests' fake). `webhook_url`, `listen` and `port` are other platforms' options."""
    client_id, secret = env.get("DINGTALK_CLIENT_ID"), env.get("DINGTALK_CLIENT_SECRET")
    if not client_id and not secret:
        return None
    if not client_id or not secret:
        raise StartupError("dingtalk.startup.incomplete")
    api = OpenApi(client_id, secret, env.get("DINGTALK_API_URL") or API_URL, env.get("DINGTALK_OAPI_URL") or OAPI_URL)
    return DingTalkFrontEnd(api, secret, make_uow, clock)
