"""Commands and menu buttons outside a flow: what `/new`, `/deals`, `新商机 …` do."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, available_timezones

from assistant.chat import agenda, edits, tenant_binding, transfers, views
from assistant.chat.context import Ctx
from assistant.chat.currency import currency_command
from assistant.chat.flows import read_sentence, runner, undo_change, weekly_check
from assistant.chat.flows.answers import (
    DEAL_BUTTONS,
    deal_option,
    load_own_deal,
    matching_customers,
    matching_deals,
    own_open_deals,
)
from assistant.chat.flows.registry import FLOWS
from assistant.chat.routes import RepDeals, RunCommand, button
from assistant.chat.teams import LINK_MINUTES, create_invite, create_link_code, create_team, may_invite, toggle_group
from assistant.events import Inbound, MessageRef, Reply
from assistant.i18n import LANGS, catalog, render
from assistant.method import cadence
from assistant.method.currency import currency_code
from assistant.method.deals import can_view, is_overdue
from assistant.method.funnel_config import DEFAULT_PRESET, preset
from assistant.method.model import Deal, DealStatus, Role, User
from assistant.method.numbers import parse_id, shown
from assistant.method.results import Problem

EVERYONE = frozenset(Role)
MANAGERS = frozenset({Role.MANAGER, Role.ADMIN})
ADMINS = frozenset({Role.ADMIN})


@dataclass(frozen=True)
class Command:
    """One command and everything the router needs to know about it."""

    run: Callable[[Ctx, str], list[Reply]]
    roles: frozenset[Role] = EVERYONE
    flow: str | None = None  # the flow it starts; the flow says whether it can be a form
    private_only: bool = False  # refused in group chats (invites, joining)
    resets_flow: bool = False  # the open flow does not survive it (/cancel, /start)
    for_strangers: bool = False  # what someone not yet in a team may send (the invite code)
    in_groups: bool = False  # answered in a group even when the team shares no deals there
    menu: str | None = None  # catalog key of its description in the platforms' command menus
    main: bool = False  # one of the main menu's buttons offered when nothing else fits
    # A look-up that writes nothing: answered in a read-only transaction, off SQLite's write lock,
    # so it never waits behind another member's write (a write it attempts sends it the usual way).
    reads: bool = False

    def allows(self, user: User) -> bool:
        """The one role check, for typed commands, buttons and forms alike."""
        return user.role in self.roles

    @property
    def keeps_flow(self) -> bool:
        """A look-up that leaves the flow in progress as it was (/funnel while adding a deal)."""
        return self.flow is None and not self.resets_flow

    @property
    def form(self) -> bool:
        return self.flow is not None and FLOWS[self.flow].form


def start_flow(ctx: Ctx, flow_name: str, args: str = "", values: dict[str, Any] | None = None) -> list[Reply]:
    step = runner.start(FLOWS[flow_name], ctx, args, values)
    ctx.uow.flow_states.save(ctx.who, step.state, ctx.now)
    return step.replies


def _flow(flow_name: str, **properties: Any) -> Command:
    return Command(lambda ctx, args: start_flow(ctx, flow_name, args), flow=flow_name, **properties)


def _deal_flow(flow_name: str, **properties: Any) -> Command:
    """`/advance 12`, `/lost 华为`: the argument names the deal, the rest is asked."""
    def run(ctx: Ctx, args: str) -> list[Reply]:
        values = {"_typed": {"deal": args.strip()}} if args.strip() else None
        return start_flow(ctx, flow_name, "", values)
    return Command(run, flow=flow_name, **properties)


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
        choices = tuple(button(RunCommand("lang", code), f"lang.{code}") for code in LANGS)
        return [Reply("lang.ask", ctx.lang, {}, choices)]
    ctx.uow.users.set_lang(ctx.user.id, wanted)
    return [Reply("lang.set", wanted)]


def _deals(ctx: Ctx, args: str) -> list[Reply]:
    deals = ctx.uow.deals.find(ctx.team.id, owner_id=ctx.user.id, status=DealStatus.OPEN)
    page = parse_id(args) or 1
    return [views.deal_list(ctx, deals, page, "deals.list", lambda p: RunCommand("deals", str(p)))]


def _deal(ctx: Ctx, args: str) -> list[Reply]:
    """`/deal 12`, `/deal #12` or `/deal 宁德`: a deal this user may view; several matches are
    asked back with a button each, never guessed."""
    if not args.strip():
        return _deals(ctx, "")
    visible = _visible_deals(ctx)
    deal_id = parse_id(args)
    if deal_id is not None:
        found = next((d for d in visible if d.id == deal_id), None)
        return [views.deal_detail(ctx, found)] if found else [Reply("deal.not_found", ctx.lang, {"ref": shown(args)})]
    hits = matching_deals(args, visible)
    if len(hits) == 1:
        return [views.deal_detail(ctx, hits[0])]
    if not hits:
        return [Reply("deal.not_found", ctx.lang, {"ref": shown(args)})]
    return [Reply("deal.which", ctx.lang, {"query": shown(args)},
                  tuple(button(RunCommand("deal", str(d.id)), "deal.option", deal_option(d).params)
                        for d in hits[:DEAL_BUTTONS]))]


def _visible_deals(ctx: Ctx) -> list[Deal]:
    """Open deals first, newest activity first: a rep's own, a manager's whole team."""
    owner = None if ctx.user.is_manager else ctx.user.id
    deals = [d for d in ctx.uow.deals.find(ctx.team.id, owner_id=owner) if can_view(ctx.user, d)]
    deals.sort(key=lambda d: d.last_activity_at or d.created_at or ctx.now, reverse=True)
    deals.sort(key=lambda d: d.status != DealStatus.OPEN)  # stable: open deals first, each part newest first
    return deals


def _find(ctx: Ctx, args: str) -> list[Reply]:
    """`/find 华为`: the deals this user may view, and the team's customers with who follows
    each (the owners of its open deals), so two reps do not follow one customer unknowingly.
    Another rep's deals are never listed: only the customer's name and its followers' names."""
    query = args.strip()
    if not query:
        return [Reply("find.ask", ctx.lang)]
    deals = matching_deals(query, _visible_deals(ctx))
    customers = matching_customers(ctx, query)
    if not deals and not customers:
        return [Reply("find.nothing", ctx.lang, {"query": shown(query)})]
    people = {u.id: u.name for u in ctx.uow.users.members(ctx.team.id)}
    followers: dict[int, set[str]] = {}
    for deal in ctx.uow.deals.find(ctx.team.id, status=DealStatus.OPEN):
        followers.setdefault(deal.customer_id, set()).add(people.get(deal.owner_id, "?"))
    found = [{"name": c.name, "followers": sorted(followers.get(c.id, ()))} for c in customers]
    shown_deals = [views.deal_params(ctx, d) | {"owner": people.get(d.owner_id, "?"), "mine": d.owner_id == ctx.user.id}
                   for d in deals[:FIND_LIMIT]]
    choices = tuple(button(RunCommand("deal", str(d.id)), "deal.option", deal_option(d).params)
                    for d in deals[:DEAL_BUTTONS])
    params = {"query": shown(query), "deals": shown_deals, "more": len(deals) - FIND_LIMIT,
              "customers": found[:FIND_LIMIT]}
    return [Reply("find.result", ctx.lang, params, choices)]


FIND_LIMIT = 10  # lines per part of a /find answer; a longer answer needs a narrower query


def _funnel(ctx: Ctx, args: str) -> list[Reply]:
    deals = ctx.uow.deals.find(ctx.team.id, owner_id=ctx.user.id, status=DealStatus.OPEN)
    params = views.funnel_params(ctx, deals)
    chart = views.funnel_chart_spec(ctx, params, render(ctx.lang, "chart.my_title", name=ctx.user.name))
    return [Reply("funnel.mine", ctx.lang, params, chart=chart)]


def _forecast(ctx: Ctx, args: str) -> list[Reply]:
    """A rep's own forecast; a manager's is the team's, against the team targets."""
    if ctx.user.is_manager:
        team = ctx.uow.deals.find(ctx.team.id, status=DealStatus.OPEN)
        return [Reply("forecast.view", ctx.lang, views.forecast_params(ctx, team, None))]
    deals = ctx.uow.deals.find(ctx.team.id, owner_id=ctx.user.id, status=DealStatus.OPEN)
    return [Reply("forecast.view", ctx.lang, views.forecast_params(ctx, deals, ctx.user))]


def _team(ctx: Ctx, args: str) -> list[Reply]:
    deals = ctx.uow.deals.find(ctx.team.id, status=DealStatus.OPEN)
    reps = []
    for member in ctx.uow.users.members(ctx.team.id):
        own = [d for d in deals if d.owner_id == member.id]
        if member.role != Role.REP and not own:
            continue
        reps.append({"id": member.id, "name": member.name, **views.funnel_params(ctx, own),
                     "outlook": views.rep_outlook(ctx, member)})
    params = views.funnel_params(ctx, deals) | {"reps": reps, "team": ctx.team.name}
    chart = views.funnel_chart_spec(ctx, params, render(ctx.lang, "chart.team_title", team=ctx.team.name))
    forecast = views.forecast_params(ctx, deals, None)
    choices = tuple(button(RepDeals(r["id"]), "team.rep_button", {"name": r["name"]}) for r in reps if r["count"])
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
                  tuple(button(RepDeals(m.id), "team.rep_button", {"name": m.name}) for m in (hits or members)))]


def rep_deals(ctx: Ctx, user_id: int, page: int) -> list[Reply]:
    member = ctx.uow.users.get(user_id)
    if member is None or member.team_id != ctx.team.id:
        return [Reply("team.no_such_rep", ctx.lang)]
    deals = ctx.uow.deals.find(ctx.team.id, owner_id=member.id, status=DealStatus.OPEN)
    return [views.deal_list(ctx, deals, page, "team.rep_deals", lambda p: RepDeals(member.id, p),
                            {"rep": member.name, "outlook": views.rep_outlook(ctx, member),
                             "currency": ctx.team.currency})]


def _invite(ctx: Ctx, args: str) -> list[Reply]:
    role = Role.MANAGER if args.strip().lower() in ("manager", render(ctx.lang, "role.manager").lower()) else Role.REP
    if not may_invite(ctx.user, role):
        return [Reply("common.not_allowed", ctx.lang)]
    invite = create_invite(ctx.uow, ctx.team, ctx.user, role, ctx.now)
    return [Reply("invite.created", ctx.lang, {"code": invite.code, "role": str(role),
                                                "expires": invite.expires_at.astimezone(ZoneInfo(ctx.team.timezone)),
                                                "team": ctx.team.name})]


def _link(ctx: Ctx, args: str) -> list[Reply]:
    """A short-lived code that makes this member's identity on another platform theirs too."""
    code = create_link_code(ctx.uow, ctx.user, ctx.now)
    return [Reply("link.code", ctx.lang, {"code": code.code, "minutes": LINK_MINUTES})]


def _new_team(ctx: Ctx, args: str) -> list[Reply]:
    """An admin opens a team (default stages) and gets the invite for its first manager; a
    currency code at the end is its reporting currency (`/newteam 香港销售部 HKD`)."""
    name, _, last = args.strip().rpartition(" ")
    currency = currency_code(last) if name else None
    name = name.strip() if currency else args.strip()
    if not name or len(name) > 100:
        return [Reply("team.new_needs_name", ctx.lang)]
    if ctx.uow.teams.by_name(name) is not None:
        return [Reply("team.exists", ctx.lang, {"team": name})]
    team, invite = create_team(ctx.uow, name, preset(DEFAULT_PRESET), ctx.lang, ctx.team.timezone, ctx.user, ctx.now,
                               currency or ctx.team.currency)
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
                      (button(RunCommand("share", "on"), "team.share_on"),
                       button(RunCommand("share", "off"), "team.share_off")))]
    ctx.uow.teams.set_share_in_groups(ctx.team.id, wanted == "on")
    return [Reply("team.share_set", ctx.lang, {"on": wanted == "on"})]


def _schedule(ctx: Ctx, args: str) -> list[Reply]:
    """The team's cadence: shown, or one setting changed (`/schedule quiet 21:00-07:00`)."""
    name, _, value = args.strip().partition(" ")
    if name:
        if name.lower() == "timezone":
            if value.strip() not in available_timezones():
                return [Reply("schedule.bad_setting", ctx.lang, {"name": shown(name), "value": shown(value)})]
            ctx.uow.teams.set_timezone(ctx.team.id, value.strip())
        else:
            changed = cadence.change(ctx.team, name.lower(), value)
            if isinstance(changed, Problem):
                bounded = {"name": shown(name), "value": shown(value)}
                return [Reply(changed.key, ctx.lang, dict(changed.params) | bounded)]
            ctx.uow.teams.set_settings(ctx.team.id, changed)
        ctx.team = ctx.uow.teams.get(ctx.team.id) or ctx.team
    plan = cadence.cadence(ctx.team)
    return [Reply("schedule.view", ctx.lang, {
        "timezone": plan.timezone, "quiet_start": plan.quiet_start.isoformat("minutes"),
        "quiet_end": plan.quiet_end.isoformat("minutes"), "weekends": plan.weekends,
        "self_check_day": plan.self_check_day, "self_check_at": plan.self_check_at.isoformat("minutes"),
        "digest_day": plan.digest_day, "digest_at": plan.digest_at.isoformat("minutes"),
        "agenda_at": plan.agenda_at.isoformat("minutes"),
        "revisit_days": plan.revisit_days, "changed": bool(name),
        "stall": [{"stage": s.name(ctx.lang), "days": cadence.stall_days(plan, i)}
                  for i, s in enumerate(ctx.team.funnel.stages)]})]


def _unknown(ctx: Ctx, args: str) -> list[Reply]:
    return [Reply("common.unknown_command", ctx.lang, {"text": args})] + _help(ctx, "")


def _today(ctx: Ctx, args: str) -> list[Reply]:
    """The morning agenda on demand, everything on it (no "already named this week" filter)."""
    return agenda.agenda_replies(ctx, agenda.collect(ctx), pushed=False)


def _check(ctx: Ctx, args: str) -> list[Reply]:
    return start_flow(ctx, "weekly_check", "", weekly_check.start_values(ctx))


def _undo(ctx: Ctx, args: str) -> list[Reply]:
    values = undo_change.start_values(ctx)
    if isinstance(values, Problem):
        return [Reply(values.key, ctx.lang, dict(values.params))]
    return start_flow(ctx, "undo_change", "", values)


def _group_digest(ctx: Ctx, args: str) -> list[Reply]:
    return toggle_group(ctx)


def _digest(ctx: Ctx, args: str) -> list[Reply]:
    return views.digest_replies(ctx)


# Every command, in the order the platforms' command menus list those with a `menu` key.
COMMANDS: dict[str, Command] = {
    "new": _flow("new_deal", menu="menu.new", main=True),
    "visit": _flow("log_visit", menu="menu.visit", main=True),
    "advance": _deal_flow("advance_deal", menu="action.advance_deal"),
    "back": _deal_flow("back_off", menu="action.back_off"),
    "won": _deal_flow("mark_won", menu="action.mark_won"),
    "lost": _deal_flow("mark_lost", menu="action.mark_lost"),
    "reopen": _deal_flow("reopen_deal"),
    "qualify": _deal_flow("qualify_deal", menu="action.qualify_deal"),
    "deals": Command(_deals, menu="menu.deals", main=True, reads=True),
    "funnel": Command(_funnel, menu="menu.funnel", main=True, reads=True),
    "forecast": Command(_forecast, menu="menu.forecast", main=True, reads=True),
    "today": Command(_today, menu="menu_command.today"),
    "team": Command(_team, MANAGERS, menu="menu_command.team", reads=True),
    "invite": Command(_invite, MANAGERS, private_only=True, menu="menu_command.invite"),
    "lang": Command(_lang, menu="menu_command.lang"),
    "link": Command(_link, private_only=True, menu="menu_command.link"),
    "help": Command(_help, menu="menu_command.help", reads=True),
    "cancel": Command(_cancel, resets_flow=True, menu="menu_command.cancel"),
    "start": Command(_start, private_only=True, resets_flow=True, for_strangers=True),
    "join": Command(_start, private_only=True, resets_flow=True, for_strangers=True),
    "edit": _deal_flow("edit_deal"), "next": _deal_flow("next_step"),
    "check": Command(_check, flow="weekly_check"),
    "customer": _flow("new_customer"), "contact": _flow("add_contact"), "prospects": _flow("plan_prospects"),
    "deal": Command(_deal, reads=True), "find": Command(_find, menu="menu_command.find", reads=True),
    "rep": Command(_rep, MANAGERS, reads=True), "target": _flow("set_target", roles=MANAGERS),
    "share": Command(_share, MANAGERS), "schedule": Command(_schedule, MANAGERS),
    "currency": Command(currency_command, MANAGERS),
    "undo": Command(_undo, flow="undo_change"),
    "digest": Command(_digest, MANAGERS, reads=True),
    "groupdigest": Command(_group_digest, MANAGERS, in_groups=True),
    "bind": Command(tenant_binding.bind, MANAGERS, private_only=True),
    "newteam": Command(_new_team, ADMINS, private_only=True, resets_flow=True),
    "teams": Command(_teams, ADMINS, reads=True),
    "import": Command(transfers.import_command, private_only=True),
    "export": Command(transfers.export_command, private_only=True),
    "unknown": Command(_unknown, reads=True),
}
MENU = tuple(name for name, command in COMMANDS.items() if command.main)
DEAL_FLOWS = ("log_visit", "advance_deal", "back_off", "mark_won", "mark_lost", "qualify_deal", "edit_deal",
              "reopen_deal", "next_step")


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


# Commands whose Chinese word may be glued to its one-line arguments ("拜访华为 明天 提交方案"):
# those that read a line. Others ("目标", "商机") begin ordinary sentences too often.
_GLUED = frozenset({"new", "visit", "advance", "back", "won", "lost", "qualify", "edit", "next", "customer",
                    "contact"})
_PARTICLES = "了过着的吗呢吧啊么"  # "拜访过了吗" is a question, not 拜访 + a customer called 过了吗


def _alias_prefix(text: str) -> tuple[str, str] | None:
    """(command, arguments) when `text` starts with an alias: the longest first, so the words
    of "new deal Acme" are the alias "new deal"; a Chinese word of a `_GLUED` command also
    without a space before a Chinese argument."""
    folded = text.casefold()
    for word in sorted(_aliases(), key=len, reverse=True):
        if not folded.startswith(word):
            continue
        name, after = _aliases()[word], text[len(word):]
        if not after or after[0].isspace():
            return name, after.strip()
        if name in _GLUED and "\u3400" <= word[-1] <= "\u9fff" and "\u3400" <= after[0] <= "\u9fff" \
                and after[0] not in _PARTICLES:
            return name, after.strip()
    return None


def parse_command(text: str, lang: str, in_flow: bool, invoked: bool = False) -> tuple[str, str] | None:
    """(command, arguments), or None for text that is an answer. A slash always wins; an
    alias word only when no flow is waiting for an answer. `invoked`: the platform says the
    text is a command invocation (the text of Slack's `/sales new …`, a group message that
    mentions the bot), so its first word names the command without a slash, even in a flow;
    a first word that names no command is then an answer in a flow, else unknown. Aliases
    may be several words ("new deal") or glued to Chinese arguments ("拜访华为")."""
    if not text:
        return None
    head, _, args = text.partition(" ")
    if head.startswith("/"):
        name = head[1:].split("@")[0].lower()
        name = name if name in COMMANDS else _aliases().get(name, "unknown")
        return (name, args.strip()) if name != "unknown" else ("unknown", text)
    if invoked:
        if head.lower() in COMMANDS and head.lower() != "unknown":
            return head.lower(), args.strip()
        found = _alias_prefix(text)
        if found is not None and found[0] != "unknown":
            return found
        return None if in_flow else ("unknown", text)
    if not in_flow:
        return _alias_prefix(text)
    return None


def reminder_action(ctx: Ctx, action: str, item_id: int) -> list[Reply]:
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
        edits.record(ctx, "snooze", deal, replace(deal, next_due=due))
        return update + [Reply("reminder.snoozed", ctx.lang, {"due": due, "title": deal.title})]
    values = {"deal": deal.id} | ({"next_step": deal.next_step} if action == "date" else {})
    return update + start_flow(ctx, "next_step", "", values)


SENTENCE_MIN = 4  # characters: shorter text ("hi", "好的") gets the menu, not a reading


def idle(ctx: Ctx, event: Inbound) -> list[Reply]:
    """Text with no flow waiting and no command: a sentence is read for the change it proposes
    (`flows.read_sentence`, confirmed before anything is written); a word or two gets the main
    menu."""
    text = (event.text or "").strip()
    if len(text) >= SENTENCE_MIN and own_open_deals(ctx):
        return start_flow(ctx, "read_sentence", "", read_sentence.start_values(ctx, text))
    return [Reply("common.what_now", ctx.lang, {},
                  tuple(button(RunCommand(name), f"menu.{name}") for name in MENU))]
