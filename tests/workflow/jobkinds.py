"""A test-only job kind: create N tenant holidays in batches (imported by the worker test too).

The Holiday table's unique (tenant, date) constraint makes any duplicated item fail loudly,
so "finished without duplicates" is checked by the database as well as by counting.
"""

from __future__ import annotations

import datetime
from collections.abc import Generator
from typing import Any

from workflow.jobs import register_job
from workflow.models import Holiday, Job

KIND = "uji-hari-libur"
FIRST_DAY = datetime.date(2030, 1, 1)


class SimulatedCrash(BaseException):
    """A process dying mid-batch: not an Exception, so the runner records nothing."""


def create_holidays(job: Job) -> Generator[tuple[int, int], None, dict[str, int]]:
    """Create ``count`` holidays in batches of ``batch``, continuing from ``job.done``.

    ``crash_at`` (first attempt only) dies before item N; ``fail_at`` raises a ValueError.
    """
    params: dict[str, Any] = job.params
    count = int(params.get("count", 250))
    size = int(params.get("batch", 100))
    crash_at = params.get("crash_at")
    fail_at = params.get("fail_at")
    done = job.done
    while done < count:
        end = min(done + size, count)
        for index in range(done, end):
            if crash_at is not None and job.attempts == 1 and index == crash_at:
                raise SimulatedCrash(index)
            if fail_at is not None and index == fail_at:
                raise ValueError(f"baris {index} tidak valid")
            Holiday.objects.create(
                tenant_id=job.tenant_id,
                date=FIRST_DAY + datetime.timedelta(days=index),
                name=f"Uji {index}",
            )
        done = end
        yield done, count
    return {"created": Holiday.objects.filter(tenant_id=job.tenant_id).count()}


register_job(KIND, create_holidays)
