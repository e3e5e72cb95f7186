"""The beat schedule names real tasks at the intended times."""

from __future__ import annotations

import datetime
import importlib
import importlib.util
import zoneinfo

from django.apps import apps as django_apps
from django.conf import settings

from config.celery import app
from workflow import tasks

QUARTER_HOURS = {0, 15, 30, 45}


def test_every_scheduled_task_is_registered() -> None:
    # What a worker's autodiscovery does at start-up: import every installed app's tasks.
    for config in django_apps.get_app_configs():
        if importlib.util.find_spec(f"{config.name}.tasks") is not None:
            importlib.import_module(f"{config.name}.tasks")
    names = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}

    # The engine's own schedules; processes add theirs (each must name a registered task).
    assert {
        "workflow.tasks.send_due_reminders",
        "workflow.tasks.escalate_breaches",
        "workflow.tasks.send_daily_digests",
    } <= names
    assert names <= set(app.tasks)
    assert {tasks.run_job.name, tasks.send_notification_email.name} <= set(app.tasks)


def test_reminders_and_escalation_run_every_quarter_hour_and_the_digest_at_seven_wib() -> None:
    schedule = settings.CELERY_BEAT_SCHEDULE

    for name in ("workflow-due-reminders", "workflow-escalate-breaches"):
        assert schedule[name]["schedule"].minute == QUARTER_HOURS
        assert schedule[name]["schedule"].hour == set(range(24))
    digest = schedule["workflow-daily-digest"]["schedule"]
    assert (digest.hour, digest.minute, settings.CELERY_TIMEZONE) == ({0}, {0}, "UTC")
    utc_run = datetime.datetime(2026, 8, 18, 0, 0, tzinfo=datetime.UTC)
    assert utc_run.astimezone(zoneinfo.ZoneInfo("Asia/Jakarta")).hour == 7


def test_the_job_task_is_acknowledged_late_and_requeued_on_worker_loss() -> None:
    task = app.tasks["workflow.tasks.run_job"]

    assert (task.acks_late, task.reject_on_worker_lost) == (True, True)
