"""workflow_doctor finds and repairs inconsistencies; audit_verify finds edited and deleted rows."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from viewflow.workflow.status import STATUS

from tests.workflow.conftest import World, complete_stage, open_tasks
from workflow import policy
from workflow.audit import verify_all
from workflow.doctor import diagnose
from workflow.models import AuditCode, AuditEntry, Case, ImmutableRowError, WorkItem


def run(command: str, *args: str) -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command(command, *args, stdout=out)
    except CommandError as error:
        return 1, out.getvalue() + str(error)
    return 0, out.getvalue()


def test_doctor_clean_database_exits_zero(world: World) -> None:
    world.start()
    assert run("workflow_doctor") == (0, "OK: no inconsistency found\n")


def test_doctor_reports_and_repairs_a_lost_permission(world: World) -> None:
    case = world.start()
    policy.revoke_all(case, policy.ACT)

    code, output = run("workflow_doctor")
    assert code == 1
    assert (
        f"case {case.pk}: [permissions] act_case held by users [] groups [], expected users [{world.employee.pk}] groups []"
        in output
    )

    code, output = run("workflow_doctor", "--fix")
    assert code == 0
    assert f"case {case.pk}: act_case re-synchronised" in output
    row = AuditEntry.objects.get(case=case, code=AuditCode.CASE_REPAIRED)
    assert (row.actor_id, row.capacity, row.reason) == (None, "sistem", "workflow_doctor --fix")
    assert diagnose(case) == []


def test_doctor_cancels_a_stray_task_and_recreates_missing_ones(world: World) -> None:
    case = world.start()
    complete_stage(world, case)
    [task] = open_tasks(case)
    # Simulate a crash that left the current task cancelled and an old one open.
    WorkItem.objects.filter(pk=task.pk).update(status=STATUS.CANCELED)
    old = WorkItem.objects.get(process_id=case.pk, stage_key="draft_plan")
    WorkItem.objects.filter(pk=old.pk).update(status=STATUS.ASSIGNED, finished=None)

    problems = {problem.code for problem in diagnose(Case.objects.get(pk=case.pk))}
    assert problems == {"stray_task", "missing_tasks", "permissions"}

    code, output = run("workflow_doctor", "--fix")

    assert code == 0, output
    case.refresh_from_db()
    assert WorkItem.objects.get(pk=old.pk).status == STATUS.CANCELED
    [fresh] = open_tasks(case)
    assert (fresh.stage_key, fresh.owner_id) == ("agree_plan", world.appraiser.pk)
    assert diagnose(case) == []


def test_audit_rows_cannot_be_changed_or_deleted_through_django(world: World) -> None:
    case = world.start()
    row = AuditEntry.objects.filter(case=case).first()
    assert row is not None
    row.reason = "ubah"
    with pytest.raises(ImmutableRowError):
        row.save()
    with pytest.raises(ImmutableRowError):
        row.delete()
    with pytest.raises(ImmutableRowError):
        AuditEntry.objects.filter(case=case).update(reason="x")
    with pytest.raises(ImmutableRowError):
        AuditEntry.objects.filter(case=case).delete()


def _raw(sql: str, params: list[int | str]) -> None:
    """Tamper as a database superuser would: on PostgreSQL, with triggers switched off."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = replica")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = origin")


def test_audit_verify_detects_an_edited_row(world: World) -> None:
    case = world.start()
    complete_stage(world, case)
    assert run("audit_verify") == (0, "OK: every audit chain is intact\n")
    target = AuditEntry.objects.get(case=case, code=AuditCode.TASK_COMPLETED)

    _raw("UPDATE workflow_auditentry SET reason = %s WHERE id = %s", ["dipalsukan", target.pk])

    code, output = run("audit_verify")
    assert code == 1
    assert f"case:{case.pk} #{target.sequence}: content was edited after writing" in output


def test_audit_verify_detects_deleted_rows_in_the_middle_and_at_the_end(world: World) -> None:
    case = world.start()
    complete_stage(world, case)
    rows = list(AuditEntry.objects.filter(case=case).order_by("sequence"))
    middle, last = rows[2], rows[-1]

    _raw("DELETE FROM workflow_auditentry WHERE id IN (%s, %s)", [middle.pk, last.pk])

    problems = [(p.sequence, p.message) for p in verify_all()]
    assert (
        middle.sequence + 1,
        f"rows {middle.sequence}..{middle.sequence} are missing (deleted)",
    ) in problems
    assert (
        last.sequence,
        f"rows {last.sequence}..{last.sequence} are missing (deleted)",
    ) in problems
    assert (middle.sequence + 1, "does not link to the previous row's hash") in problems


@pytest.mark.postgres
def test_postgresql_itself_refuses_updates_and_deletes(world: World) -> None:
    from django.db import DatabaseError, transaction

    case = world.start()
    row = AuditEntry.objects.filter(case=case).first()
    assert row is not None
    for sql in (
        "UPDATE workflow_auditentry SET reason = 'x' WHERE id = %s",
        "DELETE FROM workflow_auditentry WHERE id = %s",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, [row.pk])
    assert AuditEntry.objects.get(pk=row.pk).reason == row.reason
