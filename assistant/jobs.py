"""The clockwork: APScheduler runs the reminder scan and the outbox sender in the background.

Both jobs are safe to run as often as they like (unique outbox keys, leased claims), so
several bot processes on one PostgreSQL database may each run them.
"""
from __future__ import annotations

import logging
import socket
import uuid
from datetime import datetime, timedelta, timezone

from apscheduler.schedulers.background import BackgroundScheduler

from assistant import reminders, self_check, snapshots, team_digest
from assistant.clock import Clock
from assistant.delivery import Deliverer, deliver_due

log = logging.getLogger(__name__)
SCAN_MINUTES = 10
SEND_SECONDS = 20


def scan(make_uow, clock: Clock) -> None:
    with make_uow() as uow:
        added = reminders.enqueue(uow, clock) + self_check.enqueue(uow, clock) + team_digest.enqueue(uow, clock)
        snapshots.take(uow, clock)
        uow.commit()
    if added:
        log.info("%s reminders queued", added)


def start(make_uow, clock: Clock, deliverer: Deliverer) -> BackgroundScheduler:
    """Start the background jobs; the caller shuts the scheduler down on exit."""
    worker = f"{socket.gethostname()}-{uuid.uuid4().hex[:8]}"
    scheduler = BackgroundScheduler(timezone=timezone.utc, job_defaults={
        "coalesce": True, "max_instances": 1, "misfire_grace_time": 300})
    now = datetime.now(timezone.utc)
    scheduler.add_job(scan, "interval", minutes=SCAN_MINUTES, args=(make_uow, clock), next_run_time=now, id="scan")
    scheduler.add_job(deliver_due, "interval", seconds=SEND_SECONDS, args=(make_uow, clock, deliverer, worker),
                      next_run_time=now + timedelta(seconds=2), id="send")
    scheduler.start()
    return scheduler
