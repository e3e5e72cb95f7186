"""Engine settings, each with a default so a project may leave it out of its settings."""

from __future__ import annotations

from django.conf import settings


def site_url() -> str:
    """Return the public address used in e-mail links (``WORKFLOW_SITE_URL``)."""
    return str(getattr(settings, "WORKFLOW_SITE_URL", "http://127.0.0.1:8000"))


def reminder_hours() -> int:
    """Return how many hours before a task is due its owner is reminded."""
    return int(getattr(settings, "WORKFLOW_REMINDER_HOURS", 48))


def jobs_inline() -> bool:
    """Return True when long jobs run synchronously in the caller's thread (tests)."""
    return bool(getattr(settings, "WORKFLOW_JOBS_INLINE", False))


def jobs_queue() -> str:
    """Return the Celery queue for long jobs ("" means Celery's default queue)."""
    return str(getattr(settings, "WORKFLOW_JOBS_QUEUE", "") or "")


def broker_configured() -> bool:
    """Return True when a Celery broker is configured (else jobs run in a thread)."""
    return bool(getattr(settings, "CELERY_BROKER_URL", ""))


def job_stale_seconds() -> int:
    """Return after how many seconds without a heartbeat a running job counts as crashed."""
    return int(getattr(settings, "WORKFLOW_JOB_STALE_SECONDS", 300))
