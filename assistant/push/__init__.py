"""What the assistant sends by itself: the scan that queues due work in the outbox (reminders,
the weekly self-check, the manager's digest, forecast snapshots), and the delivery that sends
each row through whichever front end reaches its user. Scheduled by `jobs.py`."""
