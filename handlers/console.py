"""Terminal chat: one line in is one message, replies printed; buttons become numbers.

A bare number ("2") presses that button, here and only here: the core never reads a typed
number as a button, so "#2" (deal 2) goes to the core as text.

Works the same typed by a person or piped from a script, which is how the flow tests
drive the whole assistant. Commands are slash commands (`/new`), as on Telegram; a test may
give the chat another `Vocabulary` to see a platform without them. A terminal has one reader:
ephemeral replies print like any other, an update of an earlier message prints anew marked as an
update, a named person is @name.
"""
from __future__ import annotations

import logging
import sys
import tempfile
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from assistant import (
    MAX_DOCUMENT_BYTES,
    RETRY,
    SLASH,
    Attachment,
    ChatKey,
    Choice,
    Delivered,
    Inbound,
    MessageRef,
    Reply,
    Vocabulary,
    draw_charts,
    handle,
    parse_id,
    render,
    render_reply,
)

PLATFORM = "console"
log = logging.getLogger(__name__)


class ConsoleChat:
    def __init__(self, make_uow: Callable, clock, name: str, lang: str | None = None,
                 vocabulary: Vocabulary = SLASH) -> None:
        self.make_uow = make_uow
        self.vocabulary = vocabulary
        self.clock = clock
        self.who = ChatKey(PLATFORM, name, name)
        self.name = name
        self.lang = lang
        self.buttons: list[Choice] = []

    def send(self, line: str) -> list[str]:
        """One line typed by the user -> the texts the assistant answers, buttons included.
        `/import PATH` sends the file at PATH, as a document is sent on a phone."""
        text: str | None = line.strip()
        choice = None
        attachment = None
        number = parse_id(line.strip()) if line.strip().isdigit() else None  # "#2" names deal 2; only "2" presses [2]
        if number is not None and 1 <= number <= len(self.buttons):
            choice, text = self.buttons[number - 1].value, None
        command, _, path = line.strip().partition(" ")
        if command == "/import" and path.strip() and (Path(path.strip()).suffix or Path(path.strip()).exists()):
            attachment = read_document(Path(path.strip()).expanduser())
            if attachment is None:
                return [render(self.lang or "zh", "transfer.no_file", vocabulary=self.vocabulary, path=path.strip())]
            text = None
        event = Inbound(self.who, f"{PLATFORM}-{uuid.uuid4().hex}", text=text, choice=choice,
                        display_name=self.name, lang_hint=self.lang, attachment=attachment)
        try:
            replies = draw_charts(handle(event, self.make_uow(), self.clock))
        except Exception:
            log.exception("event %s failed", event.event_id)
            return [render(self.lang or "zh", "common.internal_error", vocabulary=self.vocabulary)]
        return self._render(replies)

    def receive(self, replies: list[Reply]) -> list[str]:
        """Messages the assistant sends by itself (reminders): shown, their buttons pressable."""
        return self._render(replies)

    def _render(self, replies: list[Reply]) -> list[str]:
        if replies:
            self.buttons = [choice for reply in replies for choice in reply.choices]
        texts, number = [], 0
        for reply in replies:
            lines = [text(reply, self.vocabulary)]
            if reply.image is not None:
                lines.append(render(reply.lang, "console.image_saved", vocabulary=self.vocabulary,
                                    path=save_image(reply.image)))
            if reply.file is not None and reply.file.data is not None:
                lines.append(render(reply.lang, "console.file_saved", vocabulary=self.vocabulary,
                                    path=save_file(reply.file.name, reply.file.data)))
            for choice in reply.choices:
                number += 1
                label = render(reply.lang, choice.key, vocabulary=self.vocabulary, **choice.params)
                lines.append(f"  [{number}] {label}")
            texts.append("\n".join(lines))
        return texts


def text(reply: Reply, vocabulary: Vocabulary = SLASH) -> str:
    """The reply as the terminal shows it: people as @name, an edit marked as an update."""
    shown = render_reply(reply, vocabulary, mention=lambda ref: f"@{ref.name}")
    return render(reply.lang, "console.updated", text=shown) if reply.edits is not None else shown


def save_image(image: bytes) -> str:
    """A terminal shows no pictures: the chart goes to a file the user can open."""
    folder = Path(tempfile.gettempdir()) / "sales-assistant-charts"
    folder.mkdir(exist_ok=True)
    path = folder / f"{uuid.uuid4().hex[:12]}.png"
    path.write_bytes(image)
    return str(path)


def read_document(path: Path) -> Attachment | None:
    """The file at `path` as a document attachment (read only up to the size a chat takes);
    None when there is no such file."""
    if not path.is_file():
        return None
    size = path.stat().st_size
    data = path.read_bytes() if size <= MAX_DOCUMENT_BYTES else None
    return Attachment("document", path.name, "", size, data)


def save_file(name: str, data: bytes) -> str:
    """A file the assistant sends (an export) goes to a folder of its own, under its name."""
    folder = Path(tempfile.gettempdir()) / "sales-assistant-files" / uuid.uuid4().hex[:8]
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / Path(name).name
    path.write_bytes(data)
    return str(path)


class ConsoleDeliverer:
    """Proactive messages to whoever sits at this terminal; anyone else's stay in the outbox, unclaimed.
    Each is rendered by its reader's chat, in that chat's vocabulary."""

    platform = PLATFORM

    def __init__(self, chats: dict[str, ConsoleChat], stdout: TextIO | None = None) -> None:
        self.chats = chats
        self.stdout = stdout

    def recipients(self) -> list[ChatKey]:
        """Who sits at this terminal: the only people whose pushes this process claims."""
        return [chat.who for chat in self.chats.values()]

    def send(self, to: ChatKey, replies: list[Reply]) -> str | Delivered:
        """Shown; the handle names the message so that an update of it can say so."""
        chat = self.chats.get(to.user)
        if chat is None:
            return RETRY
        texts = chat.receive(draw_charts(replies))
        if self.stdout is not None:
            self.stdout.write("\n" + "\n\n".join(texts) + "\n\n")
            self.stdout.flush()
        return Delivered(MessageRef(f"{to.user}:{uuid.uuid4().hex[:12]}"))


def run(chat: ConsoleChat, stdin: TextIO = sys.stdin, stdout: TextIO = sys.stdout) -> None:
    """Read lines until end of input; a prompt only when a person is typing."""
    interactive = stdin.isatty()
    for stream in (stdin, stdout):  # bytes that are not UTF-8 read as U+FFFD, never end the chat
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="replace")
    if interactive:
        stdout.write(render(chat.lang or "zh", "console.banner", vocabulary=chat.vocabulary, name=chat.name) + "\n")
    while True:
        if interactive:
            stdout.write("> ")
            stdout.flush()
        line = stdin.readline()
        if not line:
            break
        if not line.strip():
            continue
        for text in chat.send(line):
            stdout.write(text + "\n\n")
        stdout.flush()
