"""A demo team for `python bot.py --demo`, seeded from `demo.yaml`: people and deals in every stage."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

import yaml

from assistant.clock import Clock, local_today
from assistant.events import ChatKey
from assistant.method.customer_names import normalise_name
from assistant.method.deals import advance, record_creation
from assistant.method.funnel_config import preset
from assistant.method.model import Customer, Deal, JsonDict, Role, User
from assistant.method.results import Problem
from assistant.unit_of_work import UnitOfWork

DEMO_FILE = Path(__file__).resolve().with_name("demo.yaml")


@lru_cache(maxsize=1)
def demo_data() -> JsonDict:
    data: JsonDict = yaml.safe_load(DEMO_FILE.read_text("utf-8"))
    return data


def demo_people() -> list[str]:
    return [person["name"] for person in demo_data()["people"]]


def seed_demo(uow: UnitOfWork, clock: Clock, platform: str, lang: str = "zh") -> None:
    """Create the demo team once, its people reachable on `platform` under their names;
    running it again changes nothing."""
    data = demo_data()
    if uow.teams.by_name(data["team"]) is not None:
        return
    now = clock.now()
    funnel = preset("project")
    team = uow.teams.add(data["team"], funnel, now, lang=lang)
    today = local_today(clock, team.timezone)
    people: dict[str, User] = {}
    for person in data["people"]:
        people[person["name"]] = uow.users.add(team.id, person["name"], Role(person["role"]), lang, now)
        uow.users.link(people[person["name"]].id, ChatKey(platform, person["name"], person["name"]))
    customers: dict[str, Customer] = {}
    for item in data["deals"]:
        owner = people[item["owner"]]
        name = item["customer"]
        if name not in customers:
            customers[name] = uow.customers.add(team.id, owner.id, name, normalise_name(name), now)
        deal = Deal(0, team.id, owner.id, customers[name].id, name, item["title"], Decimal(item["amount"]), "CNY",
                    today + timedelta(days=item["close_in_days"]), funnel.stages[0].key,
                    next_step=item["next_step"], next_due=today + timedelta(days=item["due_in_days"]),
                    created_at=now - timedelta(days=30),
                    last_activity_at=now - timedelta(days=abs(item["due_in_days"])),
                    need="need" in item["man"], money="money" in item["man"],
                    authority="authority" in item["man"], urgent="urgent" in item["man"],
                    assessed_at=now - timedelta(days=30) if item["man"] else None)
        uow.deals.add(deal)
        first = funnel.stages[0]
        uow.deals.add_change(record_creation(deal, owner, now - timedelta(days=30),
                                             {"ticked": [p.key for p in first.checklist], "unticked": []}))
        for step_no in range(item["stage"]):
            target = funnel.stages[step_no + 1]
            moved = advance(deal, funnel, owner, now - timedelta(days=25 - 5 * step_no),
                            {"ticked": [p.key for p in target.checklist], "unticked": []})
            if isinstance(moved, Problem):
                raise ValueError(f"demo.yaml: {item['title']} cannot reach stage {item['stage']}: {moved.key}")
            deal, change = moved
            uow.deals.add_change(change)
        deal.last_activity_at = now - timedelta(days=abs(item["due_in_days"]))
        uow.deals.save(deal)
    uow.commit()
