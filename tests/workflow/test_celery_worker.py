"""A real Celery worker runs a long job from a real broker (PostgreSQL + Redis, in CI)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.worker import real_worker
from tests.workflow.conftest import World
from tests.workflow.jobkinds import KIND
from workflow import jobs
from workflow.models import Holiday, Job, JobStatus

WAIT_SECONDS = 60


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_a_job_from_the_broker(world: World, settings: Any) -> None:
    # The test-only job kind is registered when the worker imports its module.
    with real_worker(settings, imports=["tests.workflow.jobkinds"]) as worker:
        # Not in a transaction (transactional test): the job is published at once.
        job = jobs.enqueue_job(
            tenant_id=world.tenant.pk, kind=KIND, params={"count": 250}, actor=world.admin
        )

        def finished() -> bool:
            job.refresh_from_db()
            return job.is_finished

        worker.wait_for(finished, WAIT_SECONDS)
        output = worker.output()
        assert worker.alive(), f"the worker exited early:\n{output}"
        assert (job.status, job.done, job.total, job.attempts, job.error) == (
            JobStatus.DONE,
            250,
            250,
            1,
            "",
        ), output
        assert job.result == {"created": 250}
        assert Holiday.objects.filter(tenant=world.tenant).count() == 250
        assert Job.objects.count() == 1
        assert "Task workflow.tasks.run_job[" in output
