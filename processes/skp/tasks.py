"""Celery tasks of the SKP process: thin wrappers around functions safe to run twice.

``expire_discussion_windows`` re-checks every SKP under its lock, so a repeated delivery or
two beats by mistake acknowledge nothing twice.
"""

from __future__ import annotations

import datetime

from celery import shared_task

from processes.skp.actions import objection


@shared_task(name="processes.skp.tasks.expire_discussion_windows")
def expire_discussion_windows() -> list[int]:
    """Acknowledge results whose keberatan window passed unused; return the SKP ids."""
    return objection.expire_discussion_windows()


def expire_discussion_windows_at(now: datetime.datetime) -> int:
    """Run the expiry for ``run_scheduler`` (no beat); return how many were acknowledged."""
    return len(objection.expire_discussion_windows(now=now))
