"""The README's transcript is what the terminal chat prints for its inputs, on the demo team,
on the day the tests' clock shows (2026-11-18, 10:00 in Shanghai)."""
from __future__ import annotations

import re
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"


def readme_transcript() -> str:
    section = README.read_text("utf-8").split("## A short transcript", 1)[1]
    return re.search(r"```\n(.*?)```", section, re.S).group(1)


def played(chat, inputs: list[str]) -> str:
    """Each input as the terminal echoes it, then what the assistant answers, as `console.run` prints it."""
    return "".join(f"> {line}\n" + "".join(f"{text}\n\n" for text in chat.send(line)) for line in inputs)


def test_the_readme_transcript_is_what_the_terminal_prints(demo, chat):
    expected = readme_transcript()
    inputs = [line[2:] for line in expected.splitlines() if line.startswith("> ")]
    assert inputs, "the README has a transcript"
    assert played(chat("王伟").console, inputs) == expected
