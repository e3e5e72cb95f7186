"""Long jobs: batches with progress, a crash and a re-run without duplicates, failures."""

from __future__ import annotations

import datetime
import time
from collections.abc import Generator, Iterator
from typing import Any
from unittest import mock

import pytest
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.utils import timezone

from tests.workflow.conftest import World
from tests.workflow.jobkinds import KIND, SimulatedCrash, create_holidays
from workflow import jobs, selectors, tasks
from workflow.models import Holiday, Job, JobStatus


def holiday_count(world: World) -> int:
    return Holiday.objects.filter(tenant=world.tenant).count()


def enqueue(world: World, capture: Any, **params: Any) -> Job:
    with capture(execute=True):
        job = jobs.enqueue_job(
            tenant_id=world.tenant.pk, kind=KIND, params=params, actor=world.admin
        )
    job.refresh_from_db()
    return job


def test_a_job_runs_in_batches_of_one_hundred_and_reports_progress(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    seen: list[tuple[int, int, int]] = []

    def spy(job: Job) -> Generator[tuple[int, int], None, dict[str, int]]:
        batches = create_holidays(job)
        while True:
            try:
                done, total = next(batches)
            except StopIteration as stop:
                return stop.value  # type: ignore[no-any-return]
            # What the page would show before this batch's progress is written.
            seen.append((done, total, Job.objects.get(pk=job.pk).done))
            yield done, total

    jobs.register_job("uji-spy", spy)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            job = jobs.enqueue_job(
                tenant_id=world.tenant.pk, kind="uji-spy", params={}, actor=world.admin
            )
            assert Job.objects.get(pk=job.pk).status == JobStatus.QUEUED
    finally:
        jobs.unregister_job("uji-spy")

    assert seen == [(100, 250, 0), (200, 250, 100), (250, 250, 200)]
    job.refresh_from_db()
    assert (job.status, job.done, job.total, job.percent, job.attempts) == (
        JobStatus.DONE,
        250,
        250,
        100,
        1,
    )
    assert (job.result, job.error, job.created_by_id) == ({"created": 250}, "", world.admin.pk)
    assert job.started_at is not None
    assert job.finished_at is not None
    assert job.finished_at >= job.started_at
    assert holiday_count(world) == 250


def test_an_enqueue_that_rolls_back_leaves_no_job_and_runs_nothing(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    def enqueue_then_fail() -> None:
        with transaction.atomic():
            jobs.enqueue_job(tenant_id=world.tenant.pk, kind=KIND, params={}, actor=world.admin)
            raise RuntimeError("rolled back")

    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(RuntimeError):
        enqueue_then_fail()

    assert callbacks == []
    assert Job.objects.count() == 0
    assert holiday_count(world) == 0


def test_an_unknown_kind_is_refused_and_nothing_is_written(world: World) -> None:
    with pytest.raises(jobs.UnknownJob, match="tidak dikenal"):
        jobs.enqueue_job(tenant_id=world.tenant.pk, kind="tidak-ada", params={}, actor=world.admin)

    assert Job.objects.count() == 0


def test_a_crash_after_the_first_batch_is_continued_by_a_rerun_without_duplicates(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    with pytest.raises(SimulatedCrash):
        enqueue(world, django_capture_on_commit_callbacks, crash_at=150)
    job = Job.objects.get()
    # The first batch committed with its progress; the half-done second batch rolled back.
    assert (job.status, job.done, job.total, job.attempts) == (JobStatus.RUNNING, 100, 250, 1)
    assert holiday_count(world) == 100

    # A second runner while the first one's heartbeat is fresh is refused.
    assert jobs.run_job(job.pk) == jobs.RunOutcome.BUSY
    assert Job.objects.get(pk=job.pk).attempts == 1

    # Once the heartbeat is stale the crashed run is taken over and finished.
    Job.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - datetime.timedelta(hours=1))
    assert jobs.run_job(job.pk) == jobs.RunOutcome.FINISHED

    job.refresh_from_db()
    assert (job.status, job.done, job.total, job.attempts, job.result) == (
        JobStatus.DONE,
        250,
        250,
        2,
        {"created": 250},
    )
    dates = list(Holiday.objects.filter(tenant=world.tenant).values_list("date", flat=True))
    assert len(dates) == len(set(dates)) == 250


def test_a_failure_is_recorded_with_its_error_and_the_failed_batch_rolled_back(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    job = enqueue(world, django_capture_on_commit_callbacks, fail_at=120)

    assert (job.status, job.done, job.total, job.attempts) == (JobStatus.FAILED, 100, 250, 1)
    assert job.error == "ValueError: baris 120 tidak valid"
    assert job.finished_at is not None
    assert holiday_count(world) == 100


def test_running_a_finished_job_again_leaves_it(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    done = enqueue(world, django_capture_on_commit_callbacks)
    failed = enqueue(world, django_capture_on_commit_callbacks, fail_at=300, count=400)
    before = list(Job.objects.order_by("pk").values())

    assert jobs.run_job(done.pk) == jobs.RunOutcome.ALREADY_FINISHED
    assert jobs.run_job(failed.pk) == jobs.RunOutcome.ALREADY_FINISHED
    assert tasks.run_job.apply(args=(done.pk,)).get() == "already_finished"
    assert jobs.run_job(999999) == jobs.RunOutcome.MISSING

    assert list(Job.objects.order_by("pk").values()) == before


def test_a_run_overtaken_by_a_later_attempt_stops_and_rolls_back_its_batch(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    def overtaken(job: Job) -> Iterator[tuple[int, int]]:
        Holiday.objects.create(tenant_id=job.tenant_id, date=datetime.date(2031, 1, 1), name="x")
        # Meanwhile another run took the job over after a (wrongly) stale heartbeat.
        Job.objects.filter(pk=job.pk).update(attempts=job.attempts + 1)
        yield 1, 1

    jobs.register_job("uji-overtaken", overtaken)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            job = jobs.enqueue_job(
                tenant_id=world.tenant.pk, kind="uji-overtaken", params={}, actor=None
            )
    finally:
        jobs.unregister_job("uji-overtaken")

    job.refresh_from_db()
    assert (job.status, job.done, job.attempts) == (JobStatus.RUNNING, 0, 1)
    assert holiday_count(world) == 0


def test_with_a_broker_the_job_goes_to_the_celery_task(
    world: World,
    settings: Any,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.WORKFLOW_JOBS_INLINE = False
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:6379/9"
    settings.WORKFLOW_JOBS_QUEUE = "panjang"
    sent: list[tuple[Any, Any]] = []
    monkeypatch.setattr(
        tasks.run_job, "apply_async", lambda args, queue: sent.append((args, queue))
    )

    job = enqueue(world, django_capture_on_commit_callbacks)

    assert sent == [((job.pk,), "panjang")]
    assert (job.status, job.attempts) == (JobStatus.QUEUED, 0)


# The in-memory SQLite test database is shared between threads with table locks and no
# busy timeout, unlike the WAL file of the embedded default; PostgreSQL shows the real thing.
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_without_a_broker_the_job_runs_in_a_background_thread(world: World, settings: Any) -> None:
    settings.WORKFLOW_JOBS_INLINE = False
    settings.CELERY_BROKER_URL = ""

    job = jobs.enqueue_job(tenant_id=world.tenant.pk, kind=KIND, params={}, actor=world.admin)

    deadline = timezone.now() + datetime.timedelta(seconds=30)
    while timezone.now() < deadline:
        job.refresh_from_db()
        if job.is_finished:
            break
        time.sleep(0.05)
    assert (job.status, job.done, holiday_count(world)) == (JobStatus.DONE, 250, 250)


def test_resume_stale_jobs_restarts_only_abandoned_jobs(world: World, settings: Any) -> None:
    """A running job with an old heartbeat, or a queued one never started, is started again."""
    settings.WORKFLOW_JOB_STALE_SECONDS = 60
    now = timezone.now()
    old = now - datetime.timedelta(seconds=61)
    fresh = now - datetime.timedelta(seconds=10)
    started: list[int] = []
    abandoned = Job.objects.create(
        tenant=world.tenant, kind=KIND, status=JobStatus.RUNNING, heartbeat_at=old
    )
    lost = Job.objects.create(tenant=world.tenant, kind=KIND, created_at=old)
    Job.objects.create(tenant=world.tenant, kind=KIND, status=JobStatus.RUNNING, heartbeat_at=fresh)
    Job.objects.create(tenant=world.tenant, kind=KIND, created_at=fresh)
    Job.objects.create(tenant=world.tenant, kind=KIND, status=JobStatus.DONE, heartbeat_at=old)

    with mock.patch("workflow.jobs.start_job", side_effect=started.append):
        assert jobs.resume_stale_jobs(now) == 2

    assert started == [abandoned.pk, lost.pk]


# Progress from inside a handler's own transaction ------------------------------------------


def _all_or_nothing(seen: list[tuple[int, int]], world: World) -> jobs.JobHandler:
    """A handler that writes everything in one transaction, like the organisation import."""

    def handler(job: Job) -> Iterator[tuple[int, int]]:
        jobs.report_progress(job.pk, 10, 120)  # outside: straight to the row
        seen.append((10, Job.objects.get(pk=job.pk).done))
        with transaction.atomic():
            for done in (40, 80, 120):
                jobs.report_progress(job.pk, done, 120)
                page = selectors.job_for(world.admin, job.pk)
                assert page is not None
                seen.append((page.done, page.total))
        return iter([(120, 120)])

    return handler


@pytest.mark.django_db(transaction=True)
def test_progress_reported_inside_the_handlers_transaction_reaches_the_page(
    world: World,
) -> None:
    seen: list[tuple[int, int]] = []
    jobs.register_job("uji-sekaligus", _all_or_nothing(seen, world))
    try:
        job = jobs.enqueue_job(
            tenant_id=world.tenant.pk, kind="uji-sekaligus", params={}, actor=world.admin
        )
    finally:
        jobs.unregister_job("uji-sekaligus")

    job.refresh_from_db()
    assert seen == [(10, 10), (40, 120), (80, 120), (120, 120)]
    assert (job.status, job.done, job.total) == (JobStatus.DONE, 120, 120)
    assert job.pk not in jobs._LIVE


def test_live_progress_never_shows_a_finished_job_behind_or_a_stale_figure(world: World) -> None:
    job = Job.objects.create(
        tenant=world.tenant, kind=KIND, status=JobStatus.RUNNING, done=50, total=100
    )
    with transaction.atomic():
        jobs.report_progress(job.pk, 30, 100)  # behind the row: the row wins

    assert (jobs.with_live_progress(job).done, Job.objects.get(pk=job.pk).done) == (50, 50)
    with transaction.atomic():
        jobs.report_progress(job.pk, 70, 100)
    assert jobs.with_live_progress(Job.objects.get(pk=job.pk)).done == 70
    Job.objects.filter(pk=job.pk).update(status=JobStatus.DONE, done=100)
    assert jobs.with_live_progress(Job.objects.get(pk=job.pk)).done == 100
    jobs._forget_live(job.pk)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_on_postgresql_other_processes_see_the_progress_before_the_commit(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = iter([100.0, 100.5, 100.9, 102.0])
    monkeypatch.setattr(jobs, "_clock", lambda: next(clock))
    job = Job.objects.create(tenant=world.tenant, kind=KIND, status=JobStatus.RUNNING)
    outside = connections.create_connection(DEFAULT_DB_ALIAS)
    seen: list[tuple[int, int]] = []

    def read_outside() -> tuple[int, int]:
        with outside.cursor() as cursor:
            cursor.execute("SELECT done, total FROM workflow_job WHERE id = %s", [job.pk])
            done, total = cursor.fetchone()
        return int(done), int(total)

    try:
        with transaction.atomic():
            Holiday.objects.create(tenant=world.tenant, date=datetime.date(2026, 5, 4), name="X")
            # 100.0 writes; 100.5 is within a second and skipped; 100.9 is the last (done ==
            # total) and writes anyway; nothing is left to write at 102.0.
            for done in (40, 80, 120):
                jobs.report_progress(job.pk, done, 120)
                seen.append(read_outside())
            holidays_outside = _count_outside(outside, world)
    finally:
        outside.close()
        jobs._forget_live(job.pk)

    assert seen == [(40, 120), (40, 120), (120, 120)]
    # The handler's own writes stayed invisible until its commit.
    assert holidays_outside == 0
    job.refresh_from_db()
    assert job.heartbeat_at is not None


def _count_outside(outside: Any, world: World) -> int:
    with outside.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*) FROM workflow_holiday WHERE tenant_id = %s", [world.tenant.pk]
        )
        (count,) = cursor.fetchone()
    return int(count)
