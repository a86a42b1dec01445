"""Deal classes (domain §5): how closable a deal is, and how soon the customer buys.

The labels live in the catalogs as `deal_class.<key>` and `timeframe.<key>`.
"""
from __future__ import annotations

from datetime import date

from dateutil.relativedelta import relativedelta

CLASS_KEYS: tuple[str, ...] = ("3S", "2S", "1S", "A", "B")
TIMEFRAME_KEYS: tuple[str, ...] = ("A", "B", "C", "D", "E")

# Upper bound (in calendar months ahead, inclusive) of each timeframe class but the last.
_TIMEFRAME_LIMITS: tuple[tuple[int, str], ...] = ((1, "A"), (3, "B"), (6, "C"), (12, "D"))


def man_class(need: bool, money: bool, authority: bool, urgent: bool) -> str:
    """The closable class (002) from the MAN flags (003) and urgency.

    Named by the seed:
    - "3S" 奖金型: need + money + authority + urgent;
    - "2S" 金矿型: need + money + authority, not urgent;
    - "1S" 下月型: money but no need yet;
    - "A" 下季型: need but not enough money yet;
    - "B" 包袱型: neither need nor money.

    Product decisions for the combinations the seed leaves open:
    - need + money without authority -> "A": not yet closable, since nobody who can
      decide has said yes; like the seed's "A" it needs another quarter of work;
    - authority and urgency do not change "1S", "A" (need without money) or "B": without
      need or money there is nothing to close however high or hurried the contact.
    """
    if need and money:
        if not authority:
            return "A"
        return "3S" if urgent else "2S"
    if money:
        return "1S"
    return "A" if need else "B"


def assessed_class(need: bool, money: bool, authority: bool, urgent: bool, assessed: bool) -> str | None:
    """The class of a deal, or None when it was never assessed.

    Product decision: a deal counts as assessed once a rep has answered the MAN questions
    (recorded as `Deal.assessed_at`), whatever the answers; no flag set then means class B
    (包袱型, drop it), the class that matters most for a rep's time, not "not assessed". Deals
    stored before that record existed count as assessed when any flag is set (flags are only
    ever set by an assessment); with none set, whether they were assessed is unknown and they
    show as not assessed. At creation the guided flow's MAN step can be passed with nothing
    ticked, so there a class is shown only when some flag was ticked; the 🎯 assessment
    records itself whatever the answers.
    """
    if not assessed and not any((need, money, authority, urgent)):
        return None
    return man_class(need, money, authority, urgent)


def timeframe_class(close_date: date, today: date) -> str:
    """The purchase timeframe (003): A <= 1 month, B <= 3, C <= 6, D <= 12, E beyond.

    Months are calendar months from today (Jan 31 + 1 month = Feb 28/29). A boundary
    belongs to the lower class (product decision): exactly one month ahead is still "A".
    A close date in the past is overdue, so as urgent as can be: "A".
    """
    for months, key in _TIMEFRAME_LIMITS:
        if close_date <= today + relativedelta(months=months):
            return key
    return "E"
