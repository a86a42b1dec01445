"""Funnel charts as PNG bytes, drawn with matplotlib in the reader's language.

Chinese labels need a CJK font on every machine, including a fresh server with no fonts
installed: the Noto Sans CJK SC font shipped inside the `mplfonts` package is registered
explicitly rather than relying on system fonts.
"""
from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import mplfonts
from matplotlib import font_manager
from matplotlib.figure import Figure

from assistant.events import Reply
from assistant.i18n import money, render
from assistant.method.model import Params

FONT_FILE = Path(mplfonts.__file__).resolve().parent / "fonts" / "NotoSansCJKsc-Regular.otf"
BAR, WEIGHTED = "#9ecae1", "#3182bd"


@lru_cache(maxsize=1)
def cjk_font() -> font_manager.FontProperties:
    font_manager.fontManager.addfont(str(FONT_FILE))
    return font_manager.FontProperties(fname=str(FONT_FILE))


def funnel_chart(lang: str, title: str, lines: list[Params], currency: str) -> bytes:
    """Bars per stage, widest at the top of the funnel: amount (light) and weighted amount
    (dark), each labelled with its count and weighted figure."""
    font = cjk_font()
    figure = Figure(figsize=(7, 1.0 + 0.6 * max(len(lines), 1)), dpi=110)
    axes = figure.add_subplot()
    names = [line["stage"] for line in lines][::-1]
    amounts = [float(line["amount"]) for line in lines][::-1]
    weighted = [float(line["weighted"]) for line in lines][::-1]
    axes.barh(names, amounts, color=BAR, label=render(lang, "chart.amount"))
    axes.barh(names, weighted, color=WEIGHTED, height=0.45, label=render(lang, "chart.weighted"))
    widest = max(amounts + [1.0])
    for row, line in enumerate(lines[::-1]):
        axes.text(amounts[row] + widest * 0.01, row, render(lang, "chart.bar_label", count=line["count"],
                  weighted=money(line["weighted"], lang, currency)), va="center", fontproperties=font, fontsize=9)
    axes.set_xlim(0, widest * 1.35)
    axes.set_title(title, fontproperties=font)
    axes.set_yticks(range(len(names)), names, fontproperties=font)
    axes.xaxis.set_visible(False)
    for side in ("top", "right", "bottom"):
        axes.spines[side].set_visible(False)
    axes.legend(prop=font, loc="lower right", frameon=False)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def draw(reply: Reply) -> Reply:
    """A reply whose chart spec is drawn into its image."""
    if reply.chart is None:
        return reply
    return replace(reply, image=funnel_chart(**reply.chart), chart=None)


def draw_charts(replies: Sequence[Reply]) -> list[Reply]:
    """Every chart of `replies` drawn. Front ends call it at their edge, after `handle` has
    committed and after the platform's acknowledgement, so that a drawing (100 ms and more)
    never holds the database or an interaction's 3-second deadline."""
    return [draw(reply) for reply in replies]
