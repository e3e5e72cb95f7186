"""Benchmark the engine on the SKP process: opening a cycle, one step, and the busiest pages.

Run: .venv/bin/python -m bench.bench_workflow   (a throw-away SQLite database)
     BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/kinerja_bench \
     .venv/bin/python -m bench.bench_workflow   (an existing, empty PostgreSQL database)

Measured:
- opening a cycle for 500 employees (enrolment in committed batches: SKP + engine case +
  first task + permissions + audit rows each), reported per cycle and per SKP;
- one step: an employee submitting a drafted plan, and its approval (engine complete_task
  with its guards, the plan frozen into a version);
- the pages people open most: the HR stuck console and dashboards over the 500 SKPs, an
  SKP page, an employee's inbox.
Prints a table and writes bench/results/workflow.json (see bench/harness.py).
"""

from __future__ import annotations

import io
import os
import statistics
import tempfile
import time
import tracemalloc

EMPLOYEES = 500


def main() -> None:
    """Build a scratch agency, then time the cycle opening, a step and the pages."""
    url = os.environ.get("BENCH_DATABASE_URL", "")
    scratch = tempfile.mkdtemp(prefix="kinerja-bench-")
    os.environ["KINERJA_VAR_DIR"] = scratch
    if url:
        os.environ["DATABASE_URL"] = url
    else:
        os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from bench.bench_import import synthetic_workbook
    from bench.harness import Measurement, measure, report
    from processes.organisation.importer import import_organisation
    from processes.organisation.models import Agency, User
    from processes.skp.actions import cycle as cycle_actions
    from processes.skp.actions import plan as plan_actions
    from processes.skp.models import Skp
    from processes.skp.process import KIND
    from processes.skp.stages import default_stages
    from tests.factories.skp import EXPECTATIONS, agree_chain, build_skp_world, draft_plan
    from workflow.designer import create_template, publish_template

    call_command("migrate", verbosity=0)
    agency = Agency.objects.create(name="Instansi Bench", code="bench", time_zone="Asia/Makassar")
    admin = User.objects.create_user("admin-bench", agency=agency, is_agency_admin=True)
    result = import_organisation(
        actor=admin,
        agency=agency,
        file=io.BytesIO(synthetic_workbook(EMPLOYEES, first=9_000_000)),
        filename="bench.xlsx",
        dry_run=False,
    )
    if not result.ok:
        raise SystemExit(f"unexpected import problems: {result.problems[:5]}")
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

    measurements: list[Measurement] = []
    tracemalloc.start()
    started = time.perf_counter()
    enrolled = cycle_actions.open_cycle_now(cycle_id=cycle.pk, actor=admin)
    elapsed_ms = (time.perf_counter() - started) * 1000
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    if enrolled != EMPLOYEES:
        raise SystemExit(f"enrolled {enrolled}, expected {EMPLOYEES}")
    for name, value in (
        (f"open a cycle for {EMPLOYEES} employees", elapsed_ms),
        ("  per SKP", elapsed_ms / EMPLOYEES),
    ):
        measurements.append(
            Measurement(
                name=name,
                runs=1,
                median_ms=round(value, 2),
                p95_ms=round(value, 2),
                max_ms=round(value, 2),
                peak_kib=round(peak / 1024, 1),
                target_ms=None,
                passed=None,
            )
        )

    # One step, on the tests' small realistic organisation (plans cascade top-down there).
    world = build_skp_world(code="bench-step")
    agree_chain(world, "kadis", "kabid", "kasi")
    submits: list[float] = []
    approvals: list[float] = []
    for who in ("staf1", "staf2", "staf3"):
        draft_plan(world, who)
        skp = world.skp(who)
        begin = time.perf_counter()
        plan_actions.submit_plan(skp_id=skp.pk, actor=world.user(who))
        submits.append((time.perf_counter() - begin) * 1000)
        plan_actions.save_expectations(
            skp_id=skp.pk, actor=world.user("kasi"), expectations=dict(EXPECTATIONS)
        )
        begin = time.perf_counter()
        plan_actions.approve_plan(skp_id=skp.pk, actor=world.user("kasi"))
        approvals.append((time.perf_counter() - begin) * 1000)
    for name, values in (("submit a plan", submits), ("approve a plan", approvals)):
        values.sort()
        measurements.append(
            Measurement(
                name=name,
                runs=len(values),
                median_ms=round(statistics.median(values), 2),
                p95_ms=round(values[-1], 2),
                max_ms=round(values[-1], 2),
                peak_kib=0,
                target_ms=None,
                passed=None,
            )
        )

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(admin)
    some_skp = Skp.objects.filter(cycle=cycle).order_by("pk").first()
    assert some_skp is not None

    def get_ok(path: str) -> None:
        response = client.get(path)
        if response.status_code != 200:
            raise SystemExit(f"{path} answered {response.status_code}")

    measurements += [
        measure("GET /skp/macet/ (HR stuck console)", lambda: get_ok("/skp/macet/"), runs=20),
        measure("GET /skp/dasbor/ (dashboards)", lambda: get_ok("/skp/dasbor/"), runs=10),
        measure(
            f"GET /skp/{some_skp.pk}/ (SKP page, as HR)",
            lambda: get_ok(f"/skp/{some_skp.pk}/"),
            runs=20,
        ),
    ]
    employee_user = some_skp.employee.user
    assert employee_user is not None
    client.force_login(employee_user)
    measurements.append(measure("GET /tugas/ (employee inbox)", lambda: get_ok("/tugas/"), runs=20))
    print(f"database: {connection.vendor}")
    report("workflow", measurements)


if __name__ == "__main__":
    main()
