"""Telegram front end on python-telegram-bot v22: updates in, the core's replies out.

A message or button press becomes one neutral `Inbound`; each `Reply` becomes sendMessage,
editMessageText (a checklist tick edits the message whose button was pressed) or sendPhoto,
in HTML parse mode with every text escaped, its commands written as Telegram's slash commands.
In a group, a message that mentions the bot (`@<bot username>`, stripped) or replies to it is
read like a command. Nothing here knows about deals or stages: which buttons exist and whether
a press is allowed is the core's call, made again for every press.
"""
from __future__ import annotations

import asyncio
import contextvars
import hashlib
import html
import logging
import secrets
import threading
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from telegram import (
    Bot,
    BotCommand,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    Message,
    MessageEntity,
    Update,
)
from telegram.constants import ChatType, InlineKeyboardButtonLimit, MessageLimit, ParseMode
from telegram.error import BadRequest, Forbidden, InvalidToken, NetworkError, RetryAfter, TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    Updater,
    filters,
)

from assistant import (
    BLOCKED,
    LANGS,
    MAX_DOCUMENT_BYTES,
    RETRY,
    SENT,
    SLASH,
    Attachment,
    ChatKey,
    Clock,
    Delivered,
    Inbound,
    Later,
    MessageRef,
    Reply,
    StartupError,
    UserRef,
    command_menu,
    draw_charts,
    handle,
    mark_unreachable,
    normalise_lang,
    render,
    render_reply,
)

PLATFORM = "telegram"
WEBHOOK_PORT = 8443  # where the webhook listens without --port
VOCABULARY = SLASH  # /new; the menu Telegram shows on "/" lists the same names (set_commands)
TEXT_LIMIT = MessageLimit.MAX_TEXT_LENGTH
CAPTION_LIMIT = MessageLimit.CAPTION_LENGTH
CALLBACK_LIMIT = InlineKeyboardButtonLimit.MAX_CALLBACK_DATA
ROW_WIDTH, ROW_BUTTONS = 24, 3  # short labels share a row on a phone screen; CJK counts double
MAX_RETRIES = 3  # 429s waited out per request before giving up
# Updates handled at once: one person's slow update (charts) does not hold the others' replies;
# each person's own events are serialised in the database (the core locks their flow state).
CONCURRENT_UPDATES = 16
UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY]
# What other client languages see: the core answers them in en (`normalise_lang`).
FALLBACK_MENU_LANG = "en"

log = logging.getLogger(__name__)


def bot_id(bot: Bot) -> str:
    """The bot's numeric id, the part of its token before ':' (known without asking getMe):
    update ids count per bot, so this namespaces them."""
    return bot.token.split(":", 1)[0]


def inbound(update: Update, text: str | None, choice: str | None, bot: str = "",
            addressed: bool = False, attachment: Attachment | None = None) -> Inbound:
    """The neutral event for one update, received by the bot `bot` (`bot_id`); a press on an
    inline message (no chat) is private. Telegram has no tenants: user ids are global."""
    user = update.effective_user
    chat = update.effective_chat
    if user is None:  # the handlers take only messages and button presses, which have a sender
        raise ValueError(f"update {update.update_id} has no sender")
    return Inbound(
        ChatKey(PLATFORM, str(chat.id if chat else user.id), str(user.id)), str(update.update_id),
        text=text, choice=choice, display_name=user.full_name, lang_hint=user.language_code,
        private=chat is None or chat.type == ChatType.PRIVATE, bot=bot, addressed=addressed, attachment=attachment)


async def attachment_of(message: Message) -> Attachment:
    """What a message without text carries; a document's bytes are fetched (getFile) when it is
    within the size the core reads."""
    if message.document is not None:
        document = message.document
        size = document.file_size
        data = None
        if size is not None and size <= MAX_DOCUMENT_BYTES:
            data = bytes(await (await document.get_file()).download_as_bytearray())
        return Attachment("document", document.file_name or "", document.mime_type or "", size, data)
    kinds = (("photo", "photo"), ("voice", "voice"), ("audio", "voice"), ("video", "video"), ("video_note", "video"),
             ("animation", "video"), ("sticker", "sticker"), ("location", "location"), ("venue", "location"),
             ("contact", "contact"))
    return Attachment(next((kind for name, kind in kinds if getattr(message, name, None)), "other"))


def addressing(message: Message, bot: Bot) -> tuple[str, bool]:
    """(text without the bot's @mentions, whether the message is addressed to the bot): it
    mentions `@<bot username>` or replies to one of the bot's messages. Offsets of entities
    count UTF-16 units, so the text is cut in UTF-16."""
    text = message.text or ""
    name = f"@{bot.username}".casefold() if bot.username else None
    mentions = [entity for entity, said in message.parse_entities([MessageEntity.MENTION]).items()
                if name is not None and said.casefold() == name]
    replied = message.reply_to_message
    to_bot = replied is not None and replied.from_user is not None and replied.from_user.id == bot.id
    if not mentions:
        return text, to_bot
    units = text.encode("utf-16-le")
    pieces, start = [], 0
    for entity in sorted(mentions, key=lambda entity: entity.offset):
        pieces.append(units[start * 2:entity.offset * 2].decode("utf-16-le"))
        start = entity.offset + entity.length
    pieces.append(units[start * 2:].decode("utf-16-le"))
    return " ".join(piece.strip() for piece in pieces if piece.strip()).lstrip(",:，：").strip(), True


def _units(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units (an emoji counts two)."""
    return len(text.encode("utf-16-le")) // 2


def _cut(line: str, limit: int) -> list[str]:
    """A single line longer than a message, cut between characters (never inside an HTML
    entity such as &amp;): the last resort."""
    pieces, piece, size = [], "", 0
    for char in line:
        if size + _units(char) > limit:
            entity = piece.rfind("&")
            carry = piece[entity:] if entity >= 0 and ";" not in piece[entity:] else ""
            pieces.append(piece[:len(piece) - len(carry)])
            piece, size = carry, _units(carry)
        piece += char
        size += _units(char)
    return pieces + [piece]


def split_text(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """Parts of at most `limit` units, cut only between lines, because Telegram refuses a
    longer message and a cut inside a line would break a deal line in two."""
    lines = [piece for line in text.split("\n") for piece in (_cut(line, limit) if _units(line) > limit else [line])]
    parts: list[list[str]] = [[]]
    size = 0
    for line in lines:
        extra = _units(line) + (1 if parts[-1] else 0)
        if parts[-1] and size + extra > limit:
            parts.append([])
            size, extra = 0, _units(line)
        parts[-1].append(line)
        size += extra
    texts = ["\n".join(part) for part in parts]
    return [part for part in texts if part.strip()] or [text]


def _width(label: str) -> int:
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in label)


def keyboard(reply: Reply) -> InlineKeyboardMarkup | None:
    """The reply's buttons, short ones side by side. A value over Telegram's 64-byte callback
    limit would make the whole message fail, so it is logged and its button left out."""
    rows: list[list[InlineKeyboardButton]] = []
    width = 0
    for choice in reply.choices:
        if len(choice.value.encode()) > CALLBACK_LIMIT:
            log.error("button %r dropped: callback data over %d bytes", choice.value, CALLBACK_LIMIT)
            continue
        label = render(reply.lang, choice.key, vocabulary=VOCABULARY, **choice.params)
        button = InlineKeyboardButton(label, callback_data=choice.value)
        if rows and len(rows[-1]) < ROW_BUTTONS and width + _width(label) <= ROW_WIDTH:
            rows[-1].append(button)
            width += _width(label)
        else:
            rows.append([button])
            width = _width(label)
    return InlineKeyboardMarkup(rows) if rows else None


def _html(text: str) -> str:
    return html.escape(text, quote=False)


def _mention(ref: UserRef) -> str:
    name = _html(ref.name)
    return f'<a href="tg://user?id={ref.external_id}">{name}</a>' if (ref.external_id or "").isdigit() else name


def html_text(reply: Reply) -> str:
    """The reply as Telegram HTML. Each `UserRef` is rendered as a placeholder, the text is
    escaped, then each placeholder becomes its mention: names are escaped once, tags never."""
    return render_reply(reply, VOCABULARY, _html, _mention)


def _handle(message: Message) -> MessageRef:
    return MessageRef(f"{message.chat_id}:{message.message_id}")


@dataclass
class Parts:
    """The messages of one push: the first `skip` went out in an earlier attempt; `accepted` is
    told the count after each one Telegram takes (the outbox records it, `SendsInParts`)."""

    skip: int
    accepted: Callable[[int], None]
    count: int = 0

    def already_sent(self) -> bool:
        self.count += 1
        return self.count <= self.skip

    async def sent(self) -> None:
        await asyncio.to_thread(self.accepted, self.count)


async def _send_text(bot: Bot, chat: str, text: str, markup: InlineKeyboardMarkup | None,
                     parts: Parts | None = None) -> Message | None:
    """`text` is HTML already; split it so, since Telegram's limit counts the escaped text.
    The last message sent, None when every part was sent before (`parts`)."""
    pieces = split_text(text)
    message = None
    for index, piece in enumerate(pieces):
        if parts is not None and parts.already_sent():
            continue
        message = await bot.send_message(chat, piece, parse_mode=ParseMode.HTML,
                                         reply_markup=markup if index == len(pieces) - 1 else None)
        if parts is not None:
            await parts.sent()
    return message


async def _edit(bot: Bot, chat_id: int | str, message_id: int, text: str, markup: InlineKeyboardMarkup | None) -> bool:
    """Edit a message the bot sent; False when it can't be (a photo, too old, deleted)."""
    try:
        await bot.edit_message_text(text, chat_id=chat_id, message_id=message_id, parse_mode=ParseMode.HTML,
                                    reply_markup=markup)
    except BadRequest as error:
        if "not modified" in str(error).lower():
            return True
        log.info("message %s in chat %s not edited (%s)", message_id, chat_id, error)
        return False
    return True


async def _edit_earlier(bot: Bot, ref: MessageRef, text: str, markup: InlineKeyboardMarkup | None) -> None:
    """`Reply.edits`: update the message behind the handle; one that can't be is only logged."""
    chat_id, _, message_id = ref.handle.rpartition(":")
    if not chat_id or not message_id.isdigit():
        log.warning("message handle %r is not Telegram's: not edited", ref.handle)
        return
    await _edit(bot, chat_id, int(message_id), split_text(text)[0], markup)


async def send_reply(bot: Bot, chat: str, reply: Reply, pressed: Message | None = None,
                     parts: Parts | None = None) -> Message | None:
    """One reply: an edit of an earlier message (`edits`), a photo with its text as caption, an
    edit of `pressed`, or messages. Answers the message that now carries the reply's buttons
    (None for an edit of an earlier one)."""
    text = html_text(reply)
    markup = keyboard(reply)
    if reply.edits is not None:
        await _edit_earlier(bot, reply.edits, text, markup)
        return None
    if reply.file is not None and reply.file.data is not None:
        fits = _units(text) <= CAPTION_LIMIT
        document = await bot.send_document(chat, InputFile(reply.file.data, filename=reply.file.name),
                                           caption=text if fits else None, parse_mode=ParseMode.HTML,
                                           reply_markup=markup if fits else None)
        return document if fits else await _send_text(bot, chat, text, markup)
    if reply.image is not None:
        fits = _units(text) <= CAPTION_LIMIT
        photo = None
        if parts is None or not parts.already_sent():
            photo = await bot.send_photo(chat, reply.image, caption=text if fits else None, parse_mode=ParseMode.HTML,
                                         reply_markup=markup if fits else None)
            if parts is not None:
                await parts.sent()
        return photo if fits else await _send_text(bot, chat, text, markup, parts)
    if (reply.replace and pressed is not None and pressed.text is not None and len(split_text(text)) == 1
            and await _edit(bot, pressed.chat_id, pressed.message_id, text, markup)):
        return pressed
    return await _send_text(bot, chat, text, markup, parts)


@dataclass
class Sent:
    """What `send_replies` did: recipients that blocked the bot, and the last message sent."""

    blocked: list[ChatKey] = field(default_factory=list)
    last: MessageRef | None = None


def _recipient(who: ChatKey, reply: Reply) -> ChatKey:
    """Telegram has no ephemeral messages: one meant for the sender alone, asked for in a
    group, goes to their private chat with the bot instead."""
    target = reply.to or who
    if reply.ephemeral and target.chat != target.user:
        return ChatKey(target.platform, target.user, target.user, target.tenant)
    return target


async def send_replies(bot: Bot, who: ChatKey, replies: Sequence[Reply], pressed: Message | None = None,
                       parts: Parts | None = None) -> Sent:
    """All replies in order, to `who` unless a reply names its recipient (or is ephemeral). 429s
    are waited out by the rate limiter and the message still goes; a recipient that blocked the
    bot (403) is logged and skipped, never retried, and returned so it can be marked. An
    ephemeral reply the sender can't get privately is dropped, never posted in the group."""
    sent = Sent()
    for reply in replies:
        target = _recipient(who, reply)
        if target in sent.blocked:
            continue
        try:
            message = await send_reply(bot, target.chat, reply, pressed if target == who and reply.to is None else None,
                                       parts)
        except Forbidden as error:
            log.warning("chat %s unreachable, its replies dropped%s: %s", target.chat,
                        f" (ephemeral, not posted in chat {who.chat})" if target != (reply.to or who) else "", error)
            sent.blocked.append(target)
            continue
        if message is not None:
            sent.last = _handle(message)
    return sent


class _Bridge:
    """Where Telegram meets the core: the synchronous `handle` runs in a worker thread so the
    event loop keeps serving other chats while the database works."""

    def __init__(self, make_uow: Callable[[], Any], clock: Clock) -> None:
        self.make_uow = make_uow
        self.clock = clock
        # Updates run concurrently (CONCURRENT_UPDATES); one person's are taken in the order
        # they came, each after the previous one's replies (the database serialises them too).
        self._in_order: dict[tuple[str, str], tuple[asyncio.Lock, list[int]]] = {}

    async def on_message(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """In a group only a command, a mention of the bot or a reply to it is for the bot;
        in a private chat everything is, so nothing is stripped there."""
        message = update.message
        if message is None:
            return
        text, addressed = message.text, False
        if message.chat.type != ChatType.PRIVATE:
            text, addressed = addressing(message, context.bot)
        await self._run(context.bot, inbound(update, text, None, bot_id(context.bot), addressed), None)

    async def on_attachment(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A photo, voice note, document, sticker, location …: in a private chat always answered
        (a spreadsheet is previewed for import); in a group only when it replies to the bot."""
        message = update.message
        if message is None:
            return
        addressed = False
        if message.chat.type != ChatType.PRIVATE:
            addressed = addressing(message, context.bot)[1]
            if not addressed:
                return
        attachment = await attachment_of(message)
        event = inbound(update, message.caption, None, bot_id(context.bot), addressed, attachment)
        await self._run(context.bot, event, None)

    async def on_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        if query is None:
            return
        await _answer(query)
        pressed = query.message if isinstance(query.message, Message) else None
        await self._run(context.bot, inbound(update, None, query.data or "", bot_id(context.bot)), pressed)

    async def _run(self, bot: Bot, event: Inbound, pressed: Message | None) -> None:
        key = (event.who.chat, event.who.user)
        lock, users = self._in_order.setdefault(key, (asyncio.Lock(), [0]))
        users[0] += 1
        try:
            async with lock:
                await self._handle(bot, event, pressed)
        finally:
            users[0] -= 1
            if not users[0]:
                del self._in_order[key]

    async def _handle(self, bot: Bot, event: Inbound, pressed: Message | None) -> None:
        replies = await asyncio.to_thread(handle, event, self.make_uow(), self.clock)
        replies = await asyncio.to_thread(draw_charts, replies)  # after the commit, off the event loop
        for who in (await send_replies(bot, event.who, replies, pressed)).blocked:
            if who.chat == who.user:  # a private chat: the person blocked the bot (a group may only have removed it)
                await asyncio.to_thread(mark_unreachable, who, self.make_uow())


async def _answer(query: CallbackQuery) -> None:
    """Stop the button's spinner first, whatever the core then says; a query too old to
    answer is not worth failing the press for."""
    try:
        await query.answer()
    except TelegramError as error:
        log.info("callback query %s not answered: %s", query.id, error)


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log with the update id; tell the user when the fault was ours (a Telegram error means
    the user can't be reached anyway, and what was saved is unknown)."""
    log.error("update %s failed", getattr(update, "update_id", None), exc_info=context.error)
    if isinstance(context.error, TelegramError) or not isinstance(update, Update) or update.effective_chat is None:
        return
    user = update.effective_user
    lang = normalise_lang(user.language_code if user else None)
    try:
        notice = render(lang, "common.internal_error", vocabulary=VOCABULARY)
        await context.bot.send_message(update.effective_chat.id, _html(notice), parse_mode=ParseMode.HTML)
    except TelegramError as error:
        log.warning("update %s: error notice not sent: %s", update.update_id, error)


_PUSHING = contextvars.ContextVar("pushing", default=False)
"""Set in a proactive send's task: its flood waits are not waited out, the row waits instead."""


class RateLimiter(AIORateLimiter):
    """PTB's limiter (throughput per bot and per group, 429s waited out and retried), except for
    proactive messages: their 429 is raised at once, so the deliverer can give the row a later
    time and send nothing behind the outbox's back."""

    async def process_request(self, callback: Any, args: Any, kwargs: dict[str, Any], endpoint: str,
                              data: dict[str, Any], rate_limit_args: int | None) -> Any:
        if not _PUSHING.get():
            return await super().process_request(callback, args, kwargs, endpoint, data, rate_limit_args)
        chat_id = data.get("chat_id")
        group: int | str | bool = chat_id if isinstance(chat_id, str) and not chat_id.lstrip("-").isdigit() else False
        if chat_id is not None and str(chat_id).lstrip("-").isdigit() and int(chat_id) < 0:
            group = int(chat_id)
        return await self._run_request(chat=chat_id is not None, group=group,
                                       allow_paid_broadcast=bool(data.get("allow_paid_broadcast", False)),
                                       callback=callback, args=args, kwargs=kwargs)


class TelegramDeliverer:
    """Proactive messages (reminders, self-checks, digests) from the scheduler's thread, sent on
    the Application's event loop so they share its rate limiter with the replies, and rendered
    like them (`send_reply`: Telegram's markup and VOCABULARY). A send is never left running once
    given up on: past `timeout` it is cancelled (and the row retried); a flood wait Telegram asks
    for is not waited out but answered Later, so other pushes don't queue behind it."""

    platform = PLATFORM

    def __init__(self, bot: Bot, loop: asyncio.AbstractEventLoop, timeout: float = 30) -> None:
        self.bot, self.loop, self.timeout = bot, loop, timeout

    async def _push(self, to: ChatKey, replies: list[Reply], parts: Parts | None) -> Sent:
        _PUSHING.set(True)  # this task's context only
        return await asyncio.wait_for(send_replies(self.bot, to, replies, parts=parts), self.timeout)

    def send(self, to: ChatKey, replies: list[Reply]) -> str | Delivered | Later:
        return self._deliver(to, replies, None)

    def send_parts(self, to: ChatKey, replies: list[Reply], skip: int,
                   accepted: Callable[[int], None]) -> str | Delivered | Later:
        """A long push is several messages: those an earlier attempt sent are skipped."""
        return self._deliver(to, replies, Parts(skip, accepted))

    def _deliver(self, to: ChatKey, replies: list[Reply], parts: Parts | None) -> str | Delivered | Later:
        """Sent: the handle of the last message ("<chat id>:<message id>"), for later edits."""
        future = asyncio.run_coroutine_threadsafe(self._push(to, draw_charts(replies), parts), self.loop)
        try:
            # wait_for cancels the send in the loop and waits for it to stop; the margin is for a
            # loop too busy to run it at all, where cancelling the future stops it before it starts
            sent = future.result(self.timeout + 30)
        except RetryAfter as error:
            wait = error.retry_after
            log.warning("proactive message to %s held back by flood control for %s s", to.chat, wait)
            return Later(wait if isinstance(wait, timedelta) else timedelta(seconds=wait))
        except (TelegramError, TimeoutError) as error:
            future.cancel()
            log.warning("proactive message to %s not sent, will retry: %s", to.chat, error)
            return RETRY
        if sent.blocked:
            return BLOCKED
        return Delivered(sent.last) if sent.last is not None else SENT


def menu_commands(lang: str) -> list[BotCommand]:
    """The core's command menu in `lang`, as Telegram's command list."""
    return [BotCommand(entry.command, entry.description) for entry in command_menu(lang)]


async def set_commands(application: Application) -> None:
    """Run at start-up: the menu per client language, and a fallback for all the others."""
    for lang in LANGS:
        await application.bot.set_my_commands(menu_commands(lang), language_code=lang)
    await application.bot.set_my_commands(menu_commands(FALLBACK_MENU_LANG))


def build_application(token: str, make_uow: Callable[[], Any], clock: Clock, base_url: str | None = None,
                      base_file_url: str | None = None, max_retries: int = MAX_RETRIES) -> Application:
    """The wired Application; `base_url` points it at another Bot API server (tests, a local one)."""
    builder = (ApplicationBuilder().token(token).rate_limiter(RateLimiter(max_retries=max_retries))
               .concurrent_updates(CONCURRENT_UPDATES).post_init(set_commands))
    if base_url:
        builder = builder.base_url(base_url).base_file_url(base_file_url or base_url)
    application = builder.build()
    bridge = _Bridge(make_uow, clock)
    application.add_handler(MessageHandler(filters.UpdateType.MESSAGE & filters.TEXT, bridge.on_message))
    application.add_handler(MessageHandler(filters.UpdateType.MESSAGE & ~filters.TEXT & ~filters.StatusUpdate.ALL,
                                           bridge.on_attachment))
    application.add_handler(CallbackQueryHandler(bridge.on_button))
    application.add_error_handler(on_error)
    return application


def webhook_options(webhook_url: str, listen: str, port: int, secret: str | None, token: str = "") -> dict[str, Any]:
    """Arguments for run_webhook / start_webhook: serve the URL's path and register the URL
    with a secret, so that a request without the X-Telegram-Bot-Api-Secret-Token header
    Telegram echoes back is refused (403). No secret given: one derived from the bot's token,
    so every process of the same bot behind one URL registers and accepts the same secret
    (a fresh random one per start only without a token)."""
    derived = hashlib.sha256(f"webhook-secret:{token}".encode()).hexdigest() if token else None
    return {"listen": listen, "port": port, "url_path": urlsplit(webhook_url).path.strip("/"),
            "webhook_url": webhook_url, "secret_token": secret or derived or secrets.token_urlsafe(32),
            "allowed_updates": UPDATES}


class TelegramFrontEnd:
    """The bot on its own event loop in a background thread, polling for updates or serving a
    webhook, so that it runs beside the other front ends in one process (`bot.py`)."""

    platform = PLATFORM

    def __init__(self, application: Application, webhook: dict[str, Any] | None = None) -> None:
        self.application, self.webhook = application, webhook
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="telegram", daemon=True)

    def start(self) -> TelegramDeliverer:
        """A token Telegram rejects, or a Bot API server that can't be reached, is a
        `StartupError` (one line from bot.py), never a traceback."""
        self.thread.start()
        try:
            asyncio.run_coroutine_threadsafe(self._begin(), self.loop).result()
        except InvalidToken:
            self._halt()
            raise StartupError("startup.token_rejected") from None
        except NetworkError as error:
            self._halt()
            raise StartupError("startup.telegram_unreachable", reason=str(error).splitlines()[0]) from None
        return TelegramDeliverer(self.application.bot, self.loop)

    def _halt(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join()

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self._end(), self.loop).result()
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join()

    def _updater(self) -> Updater:
        if self.application.updater is None:  # build_application always gives it one
            raise RuntimeError("the Telegram application has no updater")
        return self.application.updater

    async def _begin(self) -> None:
        await self.application.initialize()
        await set_commands(self.application)
        await self.application.start()
        if self.webhook:
            await self._updater().start_webhook(**self.webhook)
        else:
            await self._updater().start_polling(allowed_updates=UPDATES)

    async def _end(self) -> None:
        if self._updater().running:
            await self._updater().stop()
        if self.application.running:
            await self.application.stop()
        await self.application.shutdown()


def from_env(env: Mapping[str, str], make_uow: Callable[[], Any], clock: Clock, webhook_url: str | None = None,
             listen: str = "0.0.0.0", port: int | None = None) -> TelegramFrontEnd | None:
    """The Telegram front end when `TELEGRAM_BOT_TOKEN` is set: long polling, or a webhook when
    `webhook_url` is given. `TELEGRAM_API_URL` points it at another Bot API server (a local one)."""
    token = env.get("TELEGRAM_BOT_TOKEN")
    if not token:
        return None
    base_url = env.get("TELEGRAM_API_URL")
    application = build_application(token, make_uow, clock, base_url=f"{base_url}/bot" if base_url else None,
                                    base_file_url=f"{base_url}/file/bot" if base_url else None)
    webhook = (webhook_options(webhook_url, listen, port or WEBHOOK_PORT, env.get("TELEGRAM_WEBHOOK_SECRET"), token)
               if webhook_url else None)
    return TelegramFrontEnd(application, webhook)
