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
