"""The clockwork: APScheduler runs the reminder scan and the outbox sender in the background.

Both jobs are safe to run as often as they like (unique outbox keys, leased claims), so
several bot processes on one PostgreSQL database may each run them.
"""
from __future__ import annotations

import logging
import socket
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.background import BackgroundScheduler

from assistant.clock import Clock
from assistant.push import agenda, self_check, snapshots, team_digest
from assistant.push.delivery import Deliverer, deliver_due
from assistant.unit_of_work import UnitOfWorkFactory

log = logging.getLogger(__name__)
SCAN_MINUTES = 10
SEND_SECONDS = 20
INBOX_RETENTION = timedelta(days=7)
"""How long a processed event id is remembered. Redelivery happens within hours at most
(Telegram keeps an unconfirmed update for 24 hours, Slack and DingTalk retry within minutes),
so a week catches every duplicate while the table stays small."""


def scan(make_uow: UnitOfWorkFactory, clock: Clock) -> None:
    """Queue what is due, one team per transaction: a team whose data or settings break the
    scan is logged and skipped, and every other team still gets its messages. Event ids past
    `INBOX_RETENTION` are forgotten on the way."""
    with make_uow() as uow:
        team_ids = [team.id for team in uow.teams.all()]
        pruned = uow.inbox.prune(clock.now() - INBOX_RETENTION)
        uow.commit()
    if pruned:
        log.info("%s processed event ids past retention forgotten", pruned)
    for team_id in team_ids:
        try:
            _scan_team(make_uow, clock, team_id)
        except Exception:  # the scheduler's edge: log it, go on with the next team
            log.exception("scan of team %s failed", team_id)


def _scan_team(make_uow: UnitOfWorkFactory, clock: Clock, team_id: int) -> None:
    with make_uow() as uow:
        team = uow.teams.get(team_id)
        if team is None:  # removed since the list was read
            return
        added = (agenda.enqueue_team(uow, team, clock) + self_check.enqueue_team(uow, team, clock)
                 + team_digest.enqueue_team(uow, team, clock))
        snapshots.take_team(uow, team, clock)
        uow.commit()
    if added:
        log.info("team %s: %s messages queued", team_id, added)


def start(make_uow: UnitOfWorkFactory, clock: Clock, deliverers: Sequence[Deliverer]) -> BackgroundScheduler:
    """Start the background jobs: one scan, and one sender per platform (a platform that is slow
    or down delays only its own pushes). The caller shuts the scheduler down on exit."""
    platforms = [deliverer.platform for deliverer in deliverers]
    if len(set(platforms)) != len(platforms):
        raise ValueError(f"one deliverer per platform, got {platforms}")
    worker = f"{socket.gethostname()}-{uuid.uuid4().hex[:8]}"
    scheduler = BackgroundScheduler(timezone=UTC, job_defaults={
        "coalesce": True, "max_instances": 1, "misfire_grace_time": 300})
    now = datetime.now(UTC)
    scheduler.add_job(scan, "interval", minutes=SCAN_MINUTES, args=(make_uow, clock), next_run_time=now, id="scan")
    for deliverer in deliverers:
        scheduler.add_job(deliver_due, "interval", seconds=SEND_SECONDS, args=(make_uow, clock, deliverer, worker),
                          next_run_time=now + timedelta(seconds=2), id=f"send-{deliverer.platform}")
    scheduler.start()
    return scheduler
