"""Forecast snapshots are taken once per rep and period, at the period's first scan."""
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from assistant.push import snapshots


def test_snapshot_once_per_period(demo, make_uow, clock):
    clock.at = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)  # 09:00 on Dec 1 in Shanghai
    with make_uow() as uow:
        assert snapshots.take(uow, clock) == 4  # 2 reps x (2026-12, 2026-Q4)
        uow.commit()
    clock.at += timedelta(days=3)
    with make_uow() as uow:
        assert snapshots.take(uow, clock) == 0
        december = uow.snapshots.of_period("2026-12")
    # 王伟 in December: Xiaomi 87,500 + CATL 720,000 + Huawei 120,000; 李娜: Tencent 75,000
    assert december == {1: Decimal("927500.00"), 2: Decimal("75000.00")}
