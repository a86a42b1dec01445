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
from typing import Any

import matplotlib

matplotlib.use("Agg")

import mplfonts
from matplotlib import font_manager
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from assistant.events import Reply
from assistant.i18n import money, render
from assistant.method.model import Params

FONT_FILE = Path(mplfonts.__file__).resolve().parent / "fonts" / "NotoSansCJKsc-Regular.otf"
BAR, WEIGHTED, TARGET = "#9ecae1", "#3182bd", "#d62728"


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
    spec = dict(reply.chart)
    drawer = digest_chart if spec.pop("kind", "funnel") == "digest" else funnel_chart
    return replace(reply, image=drawer(**spec), chart=None)


def draw_charts(replies: Sequence[Reply]) -> list[Reply]:
    """Every chart of `replies` drawn. Front ends call it at their edge, after `handle` has
    committed and after the platform's acknowledgement, so that a drawing (100 ms and more)
    never holds the database or an interaction's 3-second deadline."""
    return [draw(reply) for reply in replies]


def _label(axes: Any, x: float, y: float, text: str, font: font_manager.FontProperties, **kw: Any) -> None:
    axes.text(x, y, text, va="center", fontproperties=font, fontsize=9, **kw)


def _bare(axes: Any) -> None:
    axes.xaxis.set_visible(False)
    for side in ("top", "right", "bottom"):
        axes.spines[side].set_visible(False)


def digest_chart(lang: str, title: str, stages: list[Params], reps: list[Params], currency: str,
                 target: Any = None, target_label: str = "") -> bytes:
    """The weekly digest's picture, three panels under a title naming the team and the week:
    the funnel as a funnel (bars centred, in stage order, widest expected on top; an empty
    stage drawn as an outline so it shows), amount and count on each bar; the weighted amount
    per stage against each stage's share of the period target (001: weighted roughly equal in
    every stage, their sum above the target); and each rep's amount and weighted amount."""
    font = cjk_font()
    rows = max(len(stages), 1) + max(len(reps), 1)
    figure = Figure(figsize=(9, 2.2 + 0.55 * (rows + len(stages))), dpi=110)
    grid = figure.add_gridspec(3, 1, height_ratios=[max(len(stages), 1), max(len(stages), 1), max(len(reps), 1)])
    money_of = lambda value: money(value, lang, currency)  # noqa: E731
    _funnel_panel(figure.add_subplot(grid[0]), lang, stages, money_of, font)
    _balance_panel(figure.add_subplot(grid[1]), lang, stages, target, target_label, money_of, font)
    _reps_panel(figure.add_subplot(grid[2]), lang, reps, money_of, font)
    figure.suptitle(title, fontproperties=font, fontsize=12)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def _funnel_panel(axes: Any, lang: str, stages: list[Params], money_of: Any, font: Any) -> None:
    widest = max([float(s["amount"]) for s in stages] + [1.0])
    names = [s["stage"] for s in stages]
    for row, stage in enumerate(stages):
        amount, weighted = float(stage["amount"]), float(stage["weighted"])
        if amount:
            axes.barh(row, amount, left=-amount / 2, color=BAR, height=0.8)
            axes.barh(row, weighted, left=-weighted / 2, color=WEIGHTED, height=0.4)
        else:
            axes.barh(row, widest * 0.04, left=-widest * 0.02, color="none", edgecolor="#999999",
                      linestyle="--", height=0.8)
        label = render(lang, "chart.stage_label", count=stage["count"], amount=money_of(stage["amount"]))
        if amount:
            label += " · " + render(lang, "chart.bar_weighted", amount=money_of(stage["weighted"]))
        _label(axes, max(amount, widest * 0.04) / 2 + widest * 0.02, row, label, font)
    axes.set_xlim(-widest * 0.55, widest * 1.1)
    axes.set_ylim(len(stages) - 0.5, -0.5)
    axes.set_yticks(range(len(names)), names, fontproperties=font)
    axes.set_title(render(lang, "chart.funnel_panel"), fontproperties=font, fontsize=10, loc="left")
    axes.legend(handles=[Patch(color=BAR, label=render(lang, "chart.amount")),
                         Patch(color=WEIGHTED, label=render(lang, "chart.weighted"))],
                prop=font, loc="lower right", bbox_to_anchor=(1.0, 1.0), ncol=2, frameon=False)
    _bare(axes)
    axes.spines["left"].set_visible(False)
    axes.tick_params(axis="y", length=0)


def _balance_panel(axes: Any, lang: str, stages: list[Params], target: Any, label: str, money_of: Any,
                   font: Any) -> None:
    weighted = [float(s["weighted"]) for s in stages]
    share = float(target) / len(stages) if target and stages else None
    widest = max(weighted + [share or 0.0, 1.0])
    axes.barh(range(len(stages)), weighted, color=WEIGHTED, height=0.6)
    for row, stage in enumerate(stages):
        _label(axes, weighted[row] + widest * 0.01, row, money_of(stage["weighted"]), font)
    if share is not None:
        axes.axvline(share, color=TARGET, linestyle="--", linewidth=1.2)
        _label(axes, share + widest * 0.01, -0.35, money_of(target / len(stages)), font, color=TARGET)
        total = sum((s["weighted"] for s in stages), 0)
        subtitle = "\n" + render(lang, "chart.balance_total", weighted=money_of(total), target=money_of(target))
        subtitle += " · " + render(lang, "chart.balance_share", share=money_of(target / len(stages)),
                                   target=money_of(target), stages=len(stages))
    else:
        subtitle = ""
    axes.set_xlim(0, widest * 1.5)
    axes.set_ylim(len(stages) - 0.5, -0.6)
    axes.set_yticks(range(len(stages)), [s["stage"] for s in stages], fontproperties=font)
    heading = render(lang, "chart.balance_panel" if share is not None else "chart.no_target", label=label)
    axes.set_title(heading + subtitle, fontproperties=font,
                   fontsize=10, loc="left")
    _bare(axes)


def _reps_panel(axes: Any, lang: str, reps: list[Params], money_of: Any, font: Any) -> None:
    amounts = [float(r["amount"]) for r in reps]
    widest = max(amounts + [1.0])
    axes.barh(range(len(reps)), amounts, color=BAR, height=0.7)
    axes.barh(range(len(reps)), [float(r["weighted"]) for r in reps], color=WEIGHTED, height=0.35)
    for row, rep in enumerate(reps):
        text = render(lang, "chart.stage_label", count=rep["count"], amount=money_of(rep["amount"]))
        text += " · " + render(lang, "chart.bar_weighted", amount=money_of(rep["weighted"]))
        _label(axes, amounts[row] + widest * 0.01, row, text, font)
    axes.set_xlim(0, widest * 1.6)
    axes.set_ylim(max(len(reps), 1) - 0.5, -0.5)
    axes.set_yticks(range(len(reps)), [r["name"] for r in reps], fontproperties=font)
    axes.set_title(render(lang, "chart.reps_panel"), fontproperties=font, fontsize=10, loc="left")
    _bare(axes)
