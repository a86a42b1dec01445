"""A demo team for `python bot.py --demo`: three people and deals in every stage."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from assistant.clock import Clock, local_today
from assistant.deals import advance, record_creation
from assistant.model import Deal, Role
from assistant.names import normalise_name
from assistant.stages import preset

DEMO_TEAM = "华东大区销售部"
DEMO_PEOPLE = (("王伟", Role.REP), ("李娜", Role.REP), ("张强", Role.MANAGER), ("陈静", Role.ADMIN))
# (owner, customer, title, amount, days to close, stage index, need, money, authority, urgent, next step, due in days)
DEMO_DEALS = (
    ("王伟", "华为技术有限公司", "数据中心扩容", 1200000, 40, 0, True, False, False, False, "提交同行业案例", 2),
    ("王伟", "北京小米科技有限责任公司", "办公网络改造", 350000, 20, 1, True, True, False, False, "约技术负责人交流", -1),
    ("王伟", "比亚迪股份有限公司", "工厂MES系统", 2800000, 75, 2, True, True, True, False, "安排产品测试", 5),
    ("王伟", "宁德时代新能源科技股份有限公司", "安全监控平台", 960000, 30, 3, True, True, True, True, "商务条款谈判", 3),
    ("王伟", "美的集团股份有限公司", "呼叫中心升级", 450000, 12, 4, True, True, True, True, "参与投标", 1),
    ("李娜", "中国石油（北京）有限公司", "办公终端采购", 680000, 50, 0, True, False, False, False, "了解现有设备情况", 4),
    ("李娜", "腾讯科技（深圳）有限公司-采购部", "会议系统", 150000, 25, 2, True, True, False, False, "提交方案", -3),
    ("李娜", "顺丰速运有限公司", "仓储WMS", 1500000, 100, 1, True, True, False, False, "拜访IT总监", 6),
)


def seed_demo(uow, clock: Clock, lang: str = "zh") -> None:
    """Create the demo team once; running it again changes nothing."""
    if uow.teams.by_name(DEMO_TEAM) is not None:
        return
    now = clock.now()
    funnel = preset("project")
    team = uow.teams.add(DEMO_TEAM, funnel, now, lang=lang)
    today = local_today(clock, team.timezone)
    people = {}
    for name, role in DEMO_PEOPLE:
        people[name] = uow.users.add(team.id, name, role, lang, now)
        uow.users.link(people[name].id, "console", name, name)
    customers = {}
    for owner, customer, title, amount, close_in, stage_at, need, money, authority, urgent, step, due_in in DEMO_DEALS:
        if customer not in customers:
            customers[customer] = uow.customers.add(team.id, people[owner].id, customer, normalise_name(customer), now)
        deal = Deal(0, team.id, people[owner].id, customers[customer].id, customer, title, Decimal(amount), "CNY",
                    today + timedelta(days=close_in), funnel.stages[0].key, need=need, money=money,
                    authority=authority, urgent=urgent, next_step=step, next_due=today + timedelta(days=due_in),
                    created_at=now - timedelta(days=30), last_activity_at=now - timedelta(days=abs(due_in)))
        uow.deals.add(deal)
        first = funnel.stages[0]
        uow.deals.add_change(record_creation(deal, people[owner], now - timedelta(days=30),
                                             {"ticked": [p.key for p in first.checklist], "unticked": []}))
        for step_no in range(stage_at):
            target = funnel.stages[step_no + 1]
            deal, change = advance(deal, funnel, people[owner], now - timedelta(days=25 - 5 * step_no),
                                   {"ticked": [p.key for p in target.checklist], "unticked": []})
            uow.deals.add_change(change)
        deal.last_activity_at = now - timedelta(days=abs(due_in))
        uow.deals.save(deal)
    uow.commit()
