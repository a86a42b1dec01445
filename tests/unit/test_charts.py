"""The funnel chart: a PNG whose Chinese labels use a real CJK font (no missing glyphs)."""
import logging
import warnings
from decimal import Decimal

from assistant.charts import FONT_FILE, funnel_chart

LINES = [{"stage": name, "count": 2, "amount": Decimal(amount), "weighted": Decimal(amount) / 4}
         for name, amount in (("目标客户", 2400000), ("有效客户", 350000), ("接近赢单客户", 450000))]


def test_chinese_chart_renders_without_missing_glyphs(caplog):
    with warnings.catch_warnings(record=True) as caught, caplog.at_level(logging.WARNING):
        warnings.simplefilter("always")
        png = funnel_chart("zh", "王伟的销售漏斗", LINES, "CNY")
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 5000
    missing = [str(w.message) for w in caught if "missing from" in str(w.message) or "Glyph" in str(w.message)]
    assert missing == [] and "Glyph" not in caplog.text
    assert FONT_FILE.is_file()


def test_english_chart_and_empty_funnel():
    assert funnel_chart("en", "Pipeline", LINES, "CNY").startswith(b"\x89PNG")
    assert funnel_chart("en", "Pipeline", [], "CNY").startswith(b"\x89PNG")


STAGES = [{"stage": name, "count": count, "amount": Decimal(amount), "weighted": Decimal(amount) * p}
          for name, count, amount, p in (("目标客户", 2, 1880000, Decimal("0.1")), ("有效客户", 0, 0, Decimal("0.25")),
                                         ("入围客户", 2, 2950000, Decimal("0.5")))]
REPS = [{"name": "王伟", "count": 3, "amount": Decimal(3000000), "weighted": Decimal(900000)},
        {"name": "赵敏", "count": 0, "amount": Decimal(0), "weighted": Decimal(0)}]


def test_the_digest_chart_in_both_languages_with_and_without_a_target(caplog):
    from assistant.charts import digest_chart
    with warnings.catch_warnings(record=True) as caught, caplog.at_level(logging.WARNING):
        warnings.simplefilter("always")
        pngs = [digest_chart(lang, "华东大区销售部 销售漏斗周报 · 上周", STAGES, REPS, "CNY", target, "2027-Q1")
                for lang in ("zh", "en") for target in (Decimal(8000000), None)]
    assert all(png.startswith(b"\x89PNG") and len(png) > 20000 for png in pngs)
    assert [str(w.message) for w in caught if "missing from" in str(w.message) or "Glyph" in str(w.message)] == []


def test_a_digest_spec_is_drawn_as_the_digest_chart_and_a_funnel_spec_as_before():
    from assistant.charts import draw
    from assistant.events import Reply
    digest = Reply("digest.weekly", "zh", {}, chart={"kind": "digest", "lang": "zh", "title": "周报", "stages": STAGES,
                                                      "reps": REPS, "currency": "CNY", "target": None,
                                                      "target_label": "2027-Q1"})
    team = Reply("funnel.team", "zh", {}, chart={"lang": "zh", "title": "团队", "lines": LINES, "currency": "CNY"})
    drawn = [draw(digest), draw(team)]
    assert all(r.chart is None and r.image.startswith(b"\x89PNG") for r in drawn)
    assert len(drawn[0].image) > len(drawn[1].image)
