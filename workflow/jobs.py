"""Long jobs run in batches with visible progress: on Celery, in a thread, or inline.

A process registers a handler per job kind. The handler receives the ``Job`` and yields
``(done, total)`` after each batch; it may ``return`` a JSON-serialisable result. The
runner executes each batch (the handler's code between two yields) in its own
transaction together with the progress update, so a batch and its progress commit or
roll back together. After a crash, a re-run calls the handler again with ``job.done``
at the last committed batch; the handler continues from there and its batches must be
idempotent, so nothing is done twice.

Where a job runs: with ``WORKFLOW_JOBS_INLINE`` synchronously in the caller's thread
(tests); else with a Celery broker on a worker (``workflow.tasks.run_job``, acknowledged
late so a lost worker's job is delivered again); else, in the embedded default without a
broker, in a background thread of the web process so its page can poll the progress.

A batch must take less than ``WORKFLOW_JOB_STALE_SECONDS`` (300 s): a running job whose
heartbeat is older counts as crashed and another run may take it over.
"""

from __future__ import annotations

import datetime
import logging
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from enum import StrEnum
from functools import partial
from typing import Any

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections, transaction
from django.db.models import F, Q, QuerySet, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from workflow import conf
from workflow.errors import StepNotAllowed
from workflow.models import Job, JobStatus

logger = logging.getLogger(__name__)

JobHandler = Callable[[Job], Iterator[tuple[int, int]]]
# What a finished job offers on its page: (address, link text), e.g. a file to download.
ResultLink = Callable[[Job], "tuple[str, str] | None"]

_HANDLERS: dict[str, JobHandler] = {}
_LABELS: dict[str, str | Promise] = {}
_RESULT_LINKS: dict[str, ResultLink] = {}


class UnknownJob(StepNotAllowed):
    """No handler is registered for this job kind."""

    code = "unknown_job"


class RunOutcome(StrEnum):
    """What one call of ``run_job`` did."""

    FINISHED = "finished"  # this run completed the job
    FAILED = "failed"  # this run recorded a failure
    ALREADY_FINISHED = "already_finished"  # done or failed before; left as it was
    BUSY = "busy"  # another run is alive (or took over from this one)
    MISSING = "missing"  # no such job


class _LostJob(Exception):
    """Another run took the job over; this run's current batch is rolled back."""


def register_job(
    kind: str,
    handler: JobHandler,
    *,
    label: str | Promise = "",
    result_link: ResultLink | None = None,
) -> JobHandler:
    """Register (or replace) the handler of ``kind`` and return it.

    ``label`` names the kind on the job's page (default: the kind itself); ``result_link``
    gives a done job's page a link to what it made (``None`` from it: no link).
    """
    _HANDLERS[kind] = handler
    _LABELS[kind] = label
    if result_link is None:
        _RESULT_LINKS.pop(kind, None)
    else:
        _RESULT_LINKS[kind] = result_link
    return handler


def unregister_job(kind: str) -> None:
    """Remove the handler of ``kind`` (tests use this)."""
    _HANDLERS.pop(kind, None)
    _LABELS.pop(kind, None)
    _RESULT_LINKS.pop(kind, None)


def job_label(kind: str) -> str:
    """Return how a job kind reads on its page (its registered label, else the kind)."""
    return str(_LABELS.get(kind) or kind)


def result_link(job: Job) -> tuple[str, str] | None:
    """Return the (address, text) a finished job links to, or None."""
    link = _RESULT_LINKS.get(job.kind)
    if link is None or job.status != JobStatus.DONE:
        return None
    return link(job)


def enqueue_job(
    *, tenant_id: int, kind: str, params: Mapping[str, Any] | None = None, actor: Any
) -> Job:
    """Create a queued job and start it once the current transaction commits.

    ``actor`` (None for the system) is recorded as its creator, who may follow its page.
    Raise UnknownJob, writing nothing, when no handler is registered for ``kind``.
    """
    if kind not in _HANDLERS:
        raise UnknownJob(_("Jenis pekerjaan %(kind)s tidak dikenal.") % {"kind": kind})
    job = Job.objects.create(
        tenant_id=tenant_id,
        kind=kind,
        params=dict(params or {}),
        created_by_id=getattr(actor, "pk", None),
    )
    transaction.on_commit(partial(start_job, job.pk))
    return job


def start_job(job_id: int) -> None:
    """Start a queued job inline, on a Celery worker, or in a background thread."""
    if conf.jobs_inline():
        run_job(job_id)
    elif conf.broker_configured():
        from workflow.tasks import run_job as run_job_task

        run_job_task.apply_async(args=(job_id,), queue=conf.jobs_queue() or None)
    else:
        threading.Thread(
            target=_run_in_thread, args=(job_id,), name=f"workflow-job-{job_id}", daemon=True
        ).start()


def resume_stale_jobs(now: datetime.datetime | None = None) -> int:
    """Start again the jobs whose runner died; return how many were started.

    A job counts as abandoned when it is running with a heartbeat older than
    ``WORKFLOW_JOB_STALE_SECONDS`` (its worker was killed, its thread died with the web
    server), or still queued that long after it was created (its message was lost). Each is
    started again the usual way; ``run_job`` claims it with a conditional UPDATE, so a job a
    live runner still holds, or one another scheduler restarted first, never runs twice, and
    the handler continues from its last committed batch.
    """
    moment = now or timezone.now()
    stale = moment - datetime.timedelta(seconds=conf.job_stale_seconds())
    abandoned = list(
        Job.objects.filter(
            Q(status=JobStatus.RUNNING, heartbeat_at__lt=stale)
            | Q(status=JobStatus.RUNNING, heartbeat_at__isnull=True)
            | Q(status=JobStatus.QUEUED, created_at__lt=stale)
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for job_id in abandoned:
        start_job(int(job_id))
    return len(abandoned)


def _run_in_thread(job_id: int) -> None:
    try:
        run_job(job_id)
    except Exception:
        logger.exception("Job %s failed outside its handler", job_id)
    finally:
        connection.close()  # this thread's own connection


def run_job(job_id: int) -> RunOutcome:
    """Run (or continue) a job; safe to call twice and from two places at once.

    The job is claimed with a conditional UPDATE: only a queued job, or a running one whose
    heartbeat is stale (its runner crashed), is taken, and ``attempts`` is incremented; a
    finished job is left as it is and a live runner's job is refused (BUSY). Each batch
    commits with its progress only while this run still holds the latest attempt. An
    exception in the handler rolls back its batch and marks the job failed with the error.
    """
    now = timezone.now()
    stale = now - datetime.timedelta(seconds=conf.job_stale_seconds())
    claimed = (
        Job.objects.filter(pk=job_id)
        .filter(
            Q(status=JobStatus.QUEUED)
            | Q(status=JobStatus.RUNNING, heartbeat_at__lt=stale)
            | Q(status=JobStatus.RUNNING, heartbeat_at__isnull=True)
        )
        .update(
            status=JobStatus.RUNNING,
            started_at=Coalesce(F("started_at"), Value(now)),
            heartbeat_at=now,
            attempts=F("attempts") + 1,
        )
    )
    if claimed != 1:
        status = Job.objects.filter(pk=job_id).values_list("status", flat=True).first()
        if status is None:
            return RunOutcome.MISSING
        if status in (JobStatus.DONE, JobStatus.FAILED):
            return RunOutcome.ALREADY_FINISHED
        return RunOutcome.BUSY
    job = Job.objects.get(pk=job_id)
    attempt = job.attempts
    handler = _HANDLERS.get(job.kind)
    if handler is None:
        _fail(job_id, attempt, f"UnknownJob: no handler for {job.kind!r}")
        return RunOutcome.FAILED
    try:
        batches = iter(handler(job))
        while True:
            with transaction.atomic():
                try:
                    done, total = next(batches)
                except StopIteration as stop:
                    # The handler's last statements ran in this transaction: finish in it.
                    _finish(job_id, attempt, stop.value)
                    return RunOutcome.FINISHED
                _record_progress(job_id, attempt, done, total)
    except _LostJob:
        logger.warning("Job %s was taken over by a later run; attempt %s stops", job_id, attempt)
        return RunOutcome.BUSY
    except Exception as error:
        logger.exception("Job %s (%s) failed", job_id, job.kind)
        _fail(job_id, attempt, f"{type(error).__name__}: {error}")
        return RunOutcome.FAILED


# Live progress from inside a transaction ---------------------------------------------------

# Progress that a handler reports while it holds a transaction of its own (an import that
# writes the whole file or nothing) would reach the job row only when that transaction
# commits. It is kept here, for pages served by this process (the embedded default runs
# jobs in a thread of the web process), and on PostgreSQL also written to the job row over
# a connection of its own, outside the transaction, for pages served elsewhere (a Celery
# worker's job seen by the web server); that write refreshes the heartbeat too, so a long
# all-or-nothing import is not taken for a crashed one.
_LIVE: dict[int, tuple[int, int]] = {}
_LIVE_LOCK = threading.Lock()
_ASIDE_SECONDS = 1.0  # write aside at most this often per job
_aside_at: dict[int, float] = {}
_clock = time.monotonic  # seconds, for the throttle above (tests replace it)


def report_progress(job_id: int, done: int, total: int) -> None:
    """Record ``done`` of ``total`` for a running job, visible at once to its page.

    Outside a transaction the job row is updated directly. Inside one (a handler's own
    all-or-nothing write), see ``_LIVE`` above. A finished or unknown job is left alone.
    """
    done, total = max(int(done), 0), max(int(total), 0)
    if not connection.in_atomic_block:
        Job.objects.filter(pk=job_id, status=JobStatus.RUNNING).update(
            done=done, total=total, heartbeat_at=timezone.now()
        )
        return
    with _LIVE_LOCK:
        _LIVE[job_id] = (done, total)
    if connection.vendor == "postgresql":
        now = _clock()
        if now - _aside_at.get(job_id, 0.0) >= _ASIDE_SECONDS or done >= total:
            _aside_at[job_id] = now
            _write_aside(job_id, done, total)


def _write_aside(job_id: int, done: int, total: int) -> None:
    """Update the job row over a new connection in autocommit (PostgreSQL only)."""
    aside = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        table = aside.ops.quote_name(Job._meta.db_table)
        with aside.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET done = %s, total = %s, heartbeat_at = %s "
                "WHERE id = %s AND status = %s",
                [done, total, timezone.now(), job_id, JobStatus.RUNNING.value],
            )
    except DatabaseError:
        logger.warning("Could not record the progress of job %s aside", job_id, exc_info=True)
    finally:
        aside.close()


def with_live_progress(job: Job) -> Job:
    """Return ``job`` with the progress its handler reported in this process, if further on."""
    if job.status != JobStatus.RUNNING:
        return job
    with _LIVE_LOCK:
        live = _LIVE.get(job.pk)
    if live is not None and live[0] > job.done:
        job.done, job.total = live
    return job


def _forget_live(job_id: int) -> None:
    with _LIVE_LOCK:
        _LIVE.pop(job_id, None)
        _aside_at.pop(job_id, None)


def _mine(job_id: int, attempt: int) -> QuerySet[Job]:
    return Job.objects.filter(pk=job_id, status=JobStatus.RUNNING, attempts=attempt)


def _record_progress(job_id: int, attempt: int, done: int, total: int) -> None:
    changed = _mine(job_id, attempt).update(
        done=max(int(done), 0), total=max(int(total), 0), heartbeat_at=timezone.now()
    )
    if changed != 1:
        raise _LostJob(job_id)


def _finish(job_id: int, attempt: int, value: Any) -> None:
    _forget_live(job_id)
    result = value if isinstance(value, dict) else ({} if value is None else {"value": value})
    now = timezone.now()
    changed = _mine(job_id, attempt).update(
        status=JobStatus.DONE, result=result, finished_at=now, heartbeat_at=now
    )
    if changed != 1:
        raise _LostJob(job_id)


def _fail(job_id: int, attempt: int, error: str) -> None:
    _forget_live(job_id)
    now = timezone.now()
    _mine(job_id, attempt).update(
        status=JobStatus.FAILED, error=error[:5000], finished_at=now, heartbeat_at=now
    )
