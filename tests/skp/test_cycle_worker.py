"""A real Celery worker on Redis opens a cycle for 1,000 employees (PostgreSQL CI run).

The organisation comes from the import (1,000 employees in one file); the HR admin opens
the cycle, the job goes through the broker to a worker process, which enrols everyone in
committed batches. Every SKP's case then stands in its first stage with the employee's task,
and running the enrolment again creates nothing.
"""

from __future__ import annotations

import io
import time
from typing import Any

import pytest
from viewflow.workflow.status import STATUS

from bench.bench_import import synthetic_workbook
from processes.organisation.importer import import_organisation
from processes.skp.actions import cycle as cycle_actions
from processes.skp.jobs import OPEN_CYCLE_JOB, open_cycle_params
from processes.skp.models import Skp
from processes.skp.process import KIND
from processes.skp.stages import default_stages
from tests.factories.organisation import make_agency
from tests.worker import real_worker
from workflow import jobs
from workflow.designer import create_template, publish_template
from workflow.doctor import diagnose
from workflow.models import Case, JobStatus, WorkItem

EMPLOYEES = 1_000
WAIT_SECONDS = 600
PICKUP_SECONDS = 120


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_opens_a_cycle_for_a_thousand_employees(settings: Any) -> None:
    agency, admin = make_agency("seribu", "Asia/Makassar")
    report = import_organisation(
        actor=admin,
        agency=agency,
        file=io.BytesIO(synthetic_workbook(EMPLOYEES, first=7_000_000)),
        filename="seribu.xlsx",
        dry_run=False,
    )
    assert report.problems == []
    template = create_template(
        tenant_id=agency.pk,
        process_kind=KIND,
        code="skp",
        name="SKP",
        actor=admin,
        stages=default_stages(),
    )
    publish_template(template_id=template.pk, actor=admin)
    cycle = cycle_actions.create_cycle(
        actor=admin,
        agency=agency,
        year=2026,
        name="SKP 2026",
        template=template,
        period_type="quarterly",
    )
    cycle_actions.mark_cycle_open(cycle_id=cycle.pk, actor=admin)

    with real_worker(settings) as worker:
        job = jobs.enqueue_job(
            tenant_id=agency.pk,
            kind=OPEN_CYCLE_JOB,
            params=open_cycle_params(cycle.pk),
            actor=admin,
        )

        def started() -> bool:
            job.refresh_from_db()
            return job.status != JobStatus.QUEUED

        def finished() -> bool:
            job.refresh_from_db()
            return job.is_finished

        # A job the worker never receives would otherwise be waited for the whole time.
        assert worker.wait_for(started, PICKUP_SECONDS), (
            f"the worker did not receive the job:\n{worker.output()[-4000:]}"
        )
        worker.wait_for(finished, WAIT_SECONDS)
        output = worker.output()
        assert worker.alive(), f"the worker exited early:\n{output[-4000:]}"

    assert (job.status, job.done, job.total, job.error) == (
        JobStatus.DONE,
        EMPLOYEES,
        EMPLOYEES,
        "",
    ), output[-4000:]
    skps = Skp.objects.filter(cycle=cycle)
    assert skps.count() == EMPLOYEES
    assert skps.values("employee").distinct().count() == EMPLOYEES
    assert set(Case.objects.filter(skp__cycle=cycle).values_list("stage_key", "phase")) == {
        ("draft_plan", "plan_drafted")
    }
    owners = dict(
        WorkItem.objects.filter(
            process__case__skp__cycle=cycle, status=STATUS.ASSIGNED
        ).values_list("process_id", "owner_id")
    )
    expected = dict(skps.values_list("case_id", "employee__user_id"))
    assert owners == expected
    problems = [p for case in Case.objects.filter(skp__cycle=cycle) for p in diagnose(case)]
    assert problems == []

    # Opening again (a re-run of the job, or a second click) creates nothing.
    assert cycle_actions.open_cycle_now(cycle_id=cycle.pk, actor=admin) == EMPLOYEES
    assert Skp.objects.filter(cycle=cycle).count() == EMPLOYEES


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_job_leaves_whole_batches_and_the_job_finishes_later(
    settings: Any,
) -> None:
    agency, admin = make_agency("seribu", "Asia/Makassar")
    import_organisation(
        actor=admin,
        agency=agency,
        file=io.BytesIO(synthetic_workbook(EMPLOYEES, first=7_000_000)),
        filename="seribu.xlsx",
        dry_run=False,
    )
    template = create_template(
        tenant_id=agency.pk,
        process_kind=KIND,
        code="skp",
        name="SKP",
        actor=admin,
        stages=default_stages(),
    )
    publish_template(template_id=template.pk, actor=admin)
    cycle = cycle_actions.create_cycle(
        actor=admin,
        agency=agency,
        year=2026,
        name="SKP 2026",
        template=template,
        period_type="quarterly",
    )
    cycle_actions.mark_cycle_open(cycle_id=cycle.pk, actor=admin)
    # Runs whose heartbeat is a second old count as crashed, in this process and the workers.
    settings.WORKFLOW_JOB_STALE_SECONDS = 1
    quick = {"WORKFLOW_JOB_STALE_SECONDS": "1"}
    batch = cycle_actions.BATCH_SIZE

    with real_worker(settings, environment=quick) as first:
        job = jobs.enqueue_job(
            tenant_id=agency.pk,
            kind=OPEN_CYCLE_JOB,
            params=open_cycle_params(cycle.pk),
            actor=admin,
        )

        def halfway() -> bool:
            job.refresh_from_db()
            return job.done >= 2 * batch

        assert first.wait_for(halfway, WAIT_SECONDS), first.output()[-4000:]
        first.kill()

    job.refresh_from_db()
    enrolled = Skp.objects.filter(cycle=cycle).count()
    assert job.status == JobStatus.RUNNING
    assert 2 * batch <= enrolled < EMPLOYEES
    # Whole batches only: every SKP has its case, every case its one open task.
    assert enrolled % batch == 0
    assert not Skp.objects.filter(cycle=cycle, case__isnull=True).exists()
    assert (
        WorkItem.objects.filter(process__case__skp__cycle=cycle, status=STATUS.ASSIGNED).count()
        == enrolled
    )

    time.sleep(1.5)
    with real_worker(settings, environment=quick) as second:
        assert jobs.resume_stale_jobs() == 1

        def finished() -> bool:
            job.refresh_from_db()
            return job.is_finished

        second.wait_for(finished, WAIT_SECONDS)
        output = second.output()

    assert (job.status, job.done, job.total, job.attempts, job.error) == (
        JobStatus.DONE,
        EMPLOYEES,
        EMPLOYEES,
        2,
        "",
    ), output[-4000:]
    skps = Skp.objects.filter(cycle=cycle)
    assert (skps.count(), skps.values("employee").distinct().count()) == (EMPLOYEES, EMPLOYEES)
    problems = [p for case in Case.objects.filter(skp__cycle=cycle) for p in diagnose(case)]
    assert problems == []
