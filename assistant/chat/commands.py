"""Commands and menu buttons outside a flow: what `/new`, `/deals`, `新商机 …` do."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, available_timezones

from assistant.chat import views
from assistant.chat.context import Ctx
from assistant.chat.flows import forms, runner, weekly_check
from assistant.chat.flows.answers import load_own_deal
from assistant.chat.flows.registry import FLOWS
from assistant.chat.teams import create_invite, create_team, may_invite, toggle_group
from assistant.events import Choice, Inbound, MessageRef, Reply
from assistant.i18n import LANGS, catalog, render
from assistant.method import cadence
from assistant.method.deals import can_view, is_overdue
from assistant.method.funnel_config import DEFAULT_PRESET, preset
from assistant.method.model import DealStatus, Role, User
from assistant.method.numbers import parse_id, shown
from assistant.method.results import Problem


@dataclass(frozen=True)
class Command:
    run: Callable[[Ctx, str], list[Reply]]
    manager_only: bool = False
    flow: str | None = None
    admin_only: bool = False

    def allows(self, user: User) -> bool:
        """The one role check, for typed commands, buttons and forms alike."""
        if self.admin_only:
            return user.role == Role.ADMIN
        return user.is_manager or not self.manager_only


def start_flow(ctx: Ctx, flow_name: str, args: str = "", values: dict | None = None) -> list[Reply]:
    step = runner.start(FLOWS[flow_name], ctx, args, values)
    ctx.uow.flow_states.save(ctx.who, step.state, ctx.now)
    return step.replies


def _flow(flow_name: str, manager_only: bool = False) -> Command:
    return Command(lambda ctx, args: start_flow(ctx, flow_name, args), manager_only, flow_name)


def _deal_flow(flow_name: str) -> Command:
    """`/advance 12`, `/lost 华为`: the argument names the deal, the rest is asked."""
    def run(ctx: Ctx, args: str) -> list[Reply]:
        values = {"_typed": {"deal": args.strip()}} if args.strip() else None
        return start_flow(ctx, flow_name, "", values)
    return Command(run, False, flow_name)


def _cancel(ctx: Ctx, args: str) -> list[Reply]:
    had_flow = ctx.uow.flow_states.get(ctx.who) is not None
    ctx.uow.flow_states.save(ctx.who, None, ctx.now)
    return [Reply("common.cancelled" if had_flow else "common.nothing_to_cancel", ctx.lang)]


def _help(ctx: Ctx, args: str) -> list[Reply]:
    return [Reply(f"help.{ctx.user.role}", ctx.lang)]


def _start(ctx: Ctx, args: str) -> list[Reply]:
    return [Reply("join.already_member", ctx.lang, {"name": ctx.user.name, "team": ctx.team.name})] + _help(ctx, args)


def _lang(ctx: Ctx, args: str) -> list[Reply]:
    wanted = args.strip().lower()[:2]
    if wanted not in LANGS:
        return [Reply("lang.ask", ctx.lang, {}, tuple(Choice(f"lang.{code}", f"lang.{code}") for code in LANGS))]
    ctx.uow.users.set_lang(ctx.user.id, wanted)
    return [Reply("lang.set", wanted)]


def _deals(ctx: Ctx, args: str) -> list[Reply]:
    deals = ctx.uow.deals.find(ctx.team.id, owner_id=ctx.user.id, status=DealStatus.OPEN)
    page = parse_id(args) or 1
    return [views.deal_list(ctx, deals, page, "deals.list", "deals")]


def _deal(ctx: Ctx, args: str) -> list[Reply]:
    if not args.strip():
        return _deals(ctx, "")
    deal_id = parse_id(args)
    found = ctx.uow.deals.get(deal_id) if deal_id else None
    if found is None or found.team_id != ctx.team.id or not can_view(ctx.user, found):
        return [Reply("deal.not_found", ctx.lang, {"ref": shown(args)})]
    return [views.deal_detail(ctx, found)]


def _funnel(ctx: Ctx, args: str) -> list[Reply]:
    deals = ctx.uow.deals.find(ctx.team.id, owner_id=ctx.user.id, status=DealStatus.OPEN)
    params = views.funnel_params(ctx, deals)
    chart = views.funnel_chart_spec(ctx, params, render(ctx.lang, "chart.my_title", name=ctx.user.name))
    return [Reply("funnel.mine", ctx.lang, params, chart=chart)]


def _forecast(ctx: Ctx, args: str) -> list[Reply]:
    deals = ctx.uow.deals.find(ctx.team.id, owner_id=ctx.user.id, status=DealStatus.OPEN)
    return [Reply("forecast.view", ctx.lang, views.forecast_params(ctx, deals, ctx.user))]


def _team(ctx: Ctx, args: str) -> list[Reply]:
    deals = ctx.uow.deals.find(ctx.team.id, status=DealStatus.OPEN)
    reps = []
    for member in ctx.uow.users.members(ctx.team.id):
        own = [d for d in deals if d.owner_id == member.id]
        if member.role != Role.REP and not own:
            continue
        reps.append({"id": member.id, "name": member.name, **views.funnel_params(ctx, own)})
    params = views.funnel_params(ctx, deals) | {"reps": reps, "team": ctx.team.name}
    chart = views.funnel_chart_spec(ctx, params, render(ctx.lang, "chart.team_title", team=ctx.team.name))
    forecast = views.forecast_params(ctx, deals, None)
    choices = tuple(Choice(f"rep.{r['id']}.1", "team.rep_button", {"name": r["name"]}) for r in reps if r["count"])
    return [Reply("funnel.team", ctx.lang, params, choices, chart=chart), Reply("forecast.view", ctx.lang, forecast)]


def _rep(ctx: Ctx, args: str) -> list[Reply]:
    wanted = args.strip().casefold()
    members = ctx.uow.users.members(ctx.team.id)
    hits = [m for m in members if wanted and wanted in m.name.casefold()]
    exact = [m for m in hits if m.name.casefold() == wanted]
    if len(exact) == 1 or len(hits) == 1:
        return rep_deals(ctx, (exact or hits)[0].id, 1)
    key = "team.which_rep" if hits or not wanted else "team.rep_not_found"
    return [Reply(key, ctx.lang, {"query": shown(args)},
                  tuple(Choice(f"rep.{m.id}.1", "team.rep_button", {"name": m.name}) for m in (hits or members)))]


def rep_deals(ctx: Ctx, user_id: int, page: int) -> list[Reply]:
    member = ctx.uow.users.get(user_id)
    if member is None or member.team_id != ctx.team.id:
        return [Reply("team.no_such_rep", ctx.lang)]
    deals = ctx.uow.deals.find(ctx.team.id, owner_id=member.id, status=DealStatus.OPEN)
    return [views.deal_list(ctx, deals, page, "team.rep_deals", f"rep.{member.id}", {"rep": member.name})]


def _invite(ctx: Ctx, args: str) -> list[Reply]:
    role = Role.MANAGER if args.strip().lower() in ("manager", render(ctx.lang, "role.manager").lower()) else Role.REP
    if not may_invite(ctx.user, role):
        return [Reply("common.not_allowed", ctx.lang)]
    invite = create_invite(ctx.uow, ctx.team, ctx.user, role, ctx.now)
    return [Reply("invite.created", ctx.lang, {"code": invite.code, "role": str(role),
                                                "expires": invite.expires_at.astimezone(ZoneInfo(ctx.team.timezone)),
                                                "team": ctx.team.name})]


def _new_team(ctx: Ctx, args: str) -> list[Reply]:
    """An admin opens a team (default stages) and gets the invite for its first manager."""
    name = args.strip()
    if not name or len(name) > 100:
        return [Reply("team.new_needs_name", ctx.lang)]
    if ctx.uow.teams.by_name(name) is not None:
        return [Reply("team.exists", ctx.lang, {"team": name})]
    team, invite = create_team(ctx.uow, name, preset(DEFAULT_PRESET), ctx.lang, ctx.team.timezone, ctx.user, ctx.now)
    return [Reply("invite.created", ctx.lang, {"code": invite.code, "role": str(Role.MANAGER), "team": team.name,
                                                "expires": invite.expires_at.astimezone(ZoneInfo(team.timezone))})]


def _teams(ctx: Ctx, args: str) -> list[Reply]:
    teams = [{"name": t.name, "members": len(ctx.uow.users.members(t.id)), "preset": t.funnel.preset}
             for t in ctx.uow.teams.all()]
    return [Reply("team.list", ctx.lang, {"teams": teams})]


def _share(ctx: Ctx, args: str) -> list[Reply]:
    """Whether deal details may be shown in the team's group chats (off by default)."""
    wanted = args.strip().lower()
    if wanted not in ("on", "off"):
        return [Reply("team.share_ask", ctx.lang, {"on": ctx.team.share_in_groups},
                      (Choice("cmd.share_on", "team.share_on"), Choice("cmd.share_off", "team.share_off")))]
    ctx.uow.teams.set_share_in_groups(ctx.team.id, wanted == "on")
    return [Reply("team.share_set", ctx.lang, {"on": wanted == "on"})]


def _schedule(ctx: Ctx, args: str) -> list[Reply]:
    """The team's cadence: shown, or one setting changed (`/schedule quiet 21:00-07:00`)."""
    name, _, value = args.strip().partition(" ")
    if name:
        if name.lower() == "timezone":
            if value.strip() not in available_timezones():
                return [Reply("schedule.bad_setting", ctx.lang, {"name": name, "value": shown(value)})]
            ctx.uow.teams.set_timezone(ctx.team.id, value.strip())
        else:
            changed = cadence.change(ctx.team, name.lower(), value)
            if isinstance(changed, Problem):
                return [Reply(changed.key, ctx.lang, dict(changed.params) | {"value": shown(value)})]
            ctx.uow.teams.set_settings(ctx.team.id, changed)
        ctx.team = ctx.uow.teams.get(ctx.team.id)
    plan = cadence.cadence(ctx.team)
    return [Reply("schedule.view", ctx.lang, {
        "timezone": plan.timezone, "quiet_start": plan.quiet_start.isoformat("minutes"),
        "quiet_end": plan.quiet_end.isoformat("minutes"), "weekends": plan.weekends,
        "self_check_day": plan.self_check_day, "self_check_at": plan.self_check_at.isoformat("minutes"),
        "digest_day": plan.digest_day, "digest_at": plan.digest_at.isoformat("minutes"),
        "revisit_days": plan.revisit_days, "changed": bool(name),
        "stall": [{"stage": s.name(ctx.lang), "days": cadence.stall_days(plan, i)}
                  for i, s in enumerate(ctx.team.funnel.stages)]})]


def _unknown(ctx: Ctx, args: str) -> list[Reply]:
    return [Reply("common.unknown_command", ctx.lang, {"text": args})] + _help(ctx, "")


COMMANDS: dict[str, Command] = {
    "start": Command(_start), "join": Command(_start), "help": Command(_help), "cancel": Command(_cancel),
    "lang": Command(_lang),
    "new": _flow("new_deal"), "visit": _flow("log_visit"),
    "advance": _deal_flow("advance_deal"), "back": _deal_flow("back_off"),
    "won": _deal_flow("mark_won"), "lost": _deal_flow("mark_lost"), "qualify": _deal_flow("qualify_deal"),
    "edit": _deal_flow("edit_deal"), "next": _deal_flow("next_step"),
    "check": Command(lambda ctx, args: start_flow(ctx, "weekly_check", "", weekly_check.start_values(ctx)),
                     flow="weekly_check"),
    "customer": _flow("new_customer"), "contact": _flow("add_contact"), "prospects": _flow("plan_prospects"),
    "deals": Command(_deals), "deal": Command(_deal), "funnel": Command(_funnel), "forecast": Command(_forecast),
    "team": Command(_team, True), "rep": Command(_rep, True), "invite": Command(_invite, True),
    "target": _flow("set_target", True), "unknown": Command(_unknown),
    "share": Command(_share, True), "schedule": Command(_schedule, True),
    "digest": Command(lambda ctx, args: views.digest_replies(ctx), True),
    "groupdigest": Command(lambda ctx, args: toggle_group(ctx), True),
    "newteam": Command(_new_team, admin_only=True), "teams": Command(_teams, admin_only=True),
}
MENU = ("new", "visit", "deals", "funnel", "forecast")


@lru_cache(maxsize=1)
def _aliases() -> dict[str, str]:
    """Words that start a command without a slash ("新商机", "拜访"), from both catalogs."""
    found: dict[str, str] = {}
    for lang in LANGS:
        for key, words in catalog(lang).items():
            if key.startswith("alias."):
                for word in words.split("|"):
                    found[word.strip().casefold()] = key.removeprefix("alias.")
    return found


def parse_command(text: str, lang: str, in_flow: bool) -> tuple[str, str] | None:
    """(command, arguments), or None for text that is an answer. A slash always wins; an
    alias word only when no flow is waiting for an answer."""
    if not text:
        return None
    head, _, args = text.partition(" ")
    if head.startswith("/"):
        name = head[1:].split("@")[0].lower()
        name = name if name in COMMANDS else _aliases().get(name, "unknown")
        return (name, args.strip()) if name != "unknown" else ("unknown", text)
    if not in_flow and head.casefold() in _aliases():
        return _aliases()[head.casefold()], args.strip()
    return None


def keeps_flow(name: str) -> bool:
    """Commands that look something up and leave the flow in progress as it was."""
    command = COMMANDS[name]
    return command.flow is None and name not in ("cancel", "start", "join", "newteam")


def run(ctx: Ctx, name: str, args: str) -> list[Reply]:
    command = COMMANDS[name]
    if not command.allows(ctx.user):
        return [Reply("common.not_allowed", ctx.lang)]
    return command.run(ctx, args)


_GLOBAL = ("cmd.", "deal.", "deals.", "act.", "lang.", "rep.", "rem.")
DEAL_FLOWS = ("log_visit", "advance_deal", "back_off", "mark_won", "mark_lost", "qualify_deal", "edit_deal")


def is_global_choice(value: str) -> bool:
    return value.startswith(_GLOBAL)


def run_choice(ctx: Ctx, value: str) -> list[Reply]:
    """A menu or list button. Every value is re-checked: a forged one changes nothing."""
    parts = value.split(".")
    head, rest = parts[0], parts[1:]
    numbers = [parse_id(part) for part in rest]
    if head == "cmd" and len(rest) == 1 and rest[0] in MENU + ("check",):
        return run(ctx, rest[0], "")
    if head == "cmd" and rest in (["share_on"], ["share_off"]):
        return run(ctx, "share", rest[0].removeprefix("share_"))
    if head == "deal" and len(rest) == 1 and numbers[0]:
        return _deal(ctx, rest[0])
    if head == "deals" and len(rest) == 1 and numbers[0]:
        return _deals(ctx, rest[0])
    if head == "lang" and len(rest) == 1:
        return _lang(ctx, rest[0])
    if head == "rep" and len(rest) == 2 and all(numbers) and ctx.user.is_manager:
        return rep_deals(ctx, numbers[0], numbers[1])
    if head == "act" and len(rest) == 2 and rest[0] in DEAL_FLOWS and numbers[1]:
        deal = load_own_deal(ctx, numbers[1])
        if isinstance(deal, Problem):
            return [Reply(deal.key, ctx.lang, dict(deal.params))]
        return run_flow_on_deal(ctx, rest[0], deal.id)
    if head == "rem" and len(rest) == 2 and numbers[1]:
        return _reminder_action(ctx, rest[0], numbers[1])
    return [Reply("common.stale_button", ctx.lang)]


def _reminder_action(ctx: Ctx, action: str, item_id: int) -> list[Reply]:
    """A reminder's buttons act once: a second press (or a forged id) changes nothing."""
    item = ctx.uow.outbox.get(item_id)
    if item is None or item.user_id != ctx.user.id or action not in ("done", "snooze", "date"):
        return [Reply("common.stale_button", ctx.lang)]
    deal = load_own_deal(ctx, int(item.subject))
    if isinstance(deal, Problem):
        return [Reply(deal.key, ctx.lang, dict(deal.params))]
    if item.acted_at is not None:
        return [Reply("reminder.already_handled", ctx.lang)]
    if not is_overdue(deal, ctx.today):
        return [Reply("reminder.no_longer_due", ctx.lang, {"title": deal.title})]
    if not ctx.uow.outbox.act(item.id, ctx.user.id, ctx.now):
        return [Reply("reminder.already_handled", ctx.lang)]
    due = ctx.today + timedelta(days=1) if action == "snooze" else deal.next_due
    # The reminder itself, when the platform gave a handle: its buttons go, what was done shows.
    update = [Reply(f"reminder.acted.{action}", ctx.lang, {"title": deal.title, "customer": deal.customer_name,
                                                           "due": due}, edits=MessageRef(item.message_ref))
              ] if item.message_ref else []
    if action == "snooze":
        ctx.uow.deals.save(replace(deal, next_due=due))
        return update + [Reply("reminder.snoozed", ctx.lang, {"due": due, "title": deal.title})]
    values = {"deal": deal.id} | ({"next_step": deal.next_step} if action == "date" else {})
    return update + start_flow(ctx, "next_step", "", values)


def run_flow_on_deal(ctx: Ctx, flow_name: str, deal_id: int) -> list[Reply]:
    return start_flow(ctx, flow_name, "", {"deal": deal_id})


def submit_form(ctx: Ctx, form: dict[str, str]) -> list[Reply]:
    """A whole flow submitted at once (a Slack modal); `_flow` names it."""
    name = form.pop("_flow", "")
    command = next((c for c in COMMANDS.values() if c.flow == name), None)
    if command is None or not FLOWS[name].form or not command.allows(ctx.user):
        return [Reply("common.stale_button", ctx.lang)]
    step = forms.submit_form(FLOWS[name], ctx, form)
    ctx.uow.flow_states.save(ctx.who, step.state, ctx.now)
    return step.replies


def idle(ctx: Ctx, event: Inbound) -> list[Reply]:
    """Text with no flow waiting and no command: offer the main menu."""
    return [Reply("common.what_now", ctx.lang, {}, tuple(Choice(f"cmd.{name}", f"menu.{name}") for name in MENU))]
