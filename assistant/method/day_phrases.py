"""Narrow recognisers for a rep's day, kept in one place until the free-sentence reader lands:
a date written inside a Chinese sentence ("客户同意下周二看方案"), where no space sets it apart."""
from __future__ import annotations

import re
from datetime import date

from assistant.method.dates import parse_date
from assistant.method.results import Ok

_INSIDE = re.compile(
    r"(?:下下|下|这|本)?(?:周|星期|礼拜)[一二三四五六日天]|(?:明|后|大后)天|(?:下|本)?月(?:底|初|中)"
    r"|\d{1,2}月\d{1,2}[日号]|(?<![\d月])\d{1,2}[日号]|[0-9一二两三四五六七八九十]+(?:天|周|个月)(?:后|内)")


def date_inside(text: str, today: date) -> date | None:
    """The first date phrase inside `text` that reads as a day after today, or None."""
    for found in _INSIDE.finditer(text):
        read = parse_date(found.group(0), today)
        if isinstance(read, Ok) and read.value > today:
            return read.value
    return None
