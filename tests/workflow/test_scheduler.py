"""Reminders and escalation: once per task, the right recipients per on_breach, audited."""

from __future__ import annotations

import datetime
import threading
from typing import Any

import pytest
from django.db import close_old_connections, connection
from viewflow.workflow.status import STATUS

from tests.workflow.conftest import KIND, World, open_tasks, snapshot
from workflow import actions, policy, scheduler
from workflow.designer import create_template, publish_template
from workflow.doctor import diagnose
from workflow.errors import AlreadyDecided, StepNotAllowed
from workflow.models import AuditCode, AuditEntry, Case, Notification, WorkItem
from workflow.spec import BreachAction, Phase, Role, StageSpec

HOUR = datetime.timedelta(hours=1)


def breach_case(world: World, mode: str, role: str = Role.APPRAISER) -> Case:
    """Start a one-stage document whose stage (``role``, 2 days) breaches with ``mode``."""
    code = f"breach-{mode}-{role}"
    template = world.templates.get(code)
    if template is None:
        template = create_template(
            tenant_id=world.tenant.pk,
            process_kind=KIND,
            code=code,
            name=f"Uji {mode}",
            actor=world.admin,
            stages=[
                StageSpec("decide", "Memutuskan", Phase.FINAL, role, sla_days=2, on_breach=mode)
            ],
        )
        publish_template(template_id=template.pk, actor=world.admin)
        world.templates[code] = template
    return actions.start_case(
        template=template, subject_id=world.employee.pk, title="Uji eskalasi", actor=world.admin
    )


def notified(code: AuditCode) -> list[tuple[int, int | None, str]]:
    return list(
        Notification.objects.filter(code=code)
        .order_by("recipient_id", "pk")
        .values_list("recipient_id", "case_id", "title")
    )


def due_of(case: Case) -> datetime.datetime:
    [task] = open_tasks(case)
    assert task.due_at is not None
    return task.due_at


# Reminders ------------------------------------------------------------------------------


def test_a_task_due_soon_is_reminded_once(world: World) -> None:
    case = world.start()
    [task] = open_tasks(case)
    now = due_of(case) - 10 * HOUR

    assert scheduler.send_due_reminders(now) == 1
    assert scheduler.send_due_reminders(now) == 0
    assert scheduler.send_due_reminders(now + HOUR) == 0

    assert notified(AuditCode.TASK_REMINDED) == [
        (world.employee.pk, case.pk, "Pengingat: Menyusun rencana")
    ]
    task.refresh_from_db()
    assert task.reminded_at == now
    body = Notification.objects.get().body
    assert body.startswith("Tugas Anda pada tahap Menyusun rencana untuk Dokumen uji berakhir")


@pytest.mark.parametrize("hours_before", [49, 0, -1])
def test_only_tasks_due_within_the_window_are_reminded(world: World, hours_before: int) -> None:
    case = world.start()
    now = due_of(case) - hours_before * HOUR

    assert scheduler.send_due_reminders(now) == 0
    assert Notification.objects.count() == 0
    assert WorkItem.objects.filter(reminded_at__isnull=False).count() == 0


def test_the_window_follows_the_setting(world: World, settings: Any) -> None:
    settings.WORKFLOW_REMINDER_HOURS = 72
    case = world.start()

    assert scheduler.send_due_reminders(due_of(case) - 60 * HOUR) == 1


def test_an_unclaimed_pool_task_reminds_every_candidate(world: World) -> None:
    case = breach_case(world, BreachAction.NOTIFY, Role.HR)

    assert scheduler.send_due_reminders(due_of(case) - HOUR) == 1

    assert [row[0] for row in notified(AuditCode.TASK_REMINDED)] == [u.pk for u in world.hr]


def test_a_cancelled_document_is_not_reminded(world: World) -> None:
    case = world.start()
    due = due_of(case)
    actions.cancel_case(case_id=case.pk, actor=world.admin, reason="Salah input")

    assert scheduler.send_due_reminders(due - HOUR) == 0
    assert Notification.objects.count() == 0


def test_a_task_with_nobody_to_remind_is_left_for_later(world: World) -> None:
    world.book.gaps[(world.employee.pk, Role.APPRAISER)] = "Pejabat penilai kosong"
    case = breach_case(world, BreachAction.NOTIFY)
    [task] = open_tasks(case)
    assert task.needs_actor is True

    assert scheduler.send_due_reminders(due_of(case) - HOUR) == 0
    task.refresh_from_db()
    assert task.reminded_at is None


# Escalation ---------------------------------------------------------------------------


def test_notify_reminds_the_owner_again_once_and_is_audited(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    case = world.start()
    [task] = open_tasks(case)
    version = Case.objects.get(pk=case.pk).lock_version
    now = due_of(case) + HOUR

    with django_capture_on_commit_callbacks(execute=True):
        assert scheduler.escalate_breaches(now) == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert scheduler.escalate_breaches(now + HOUR) == 0

    assert notified(AuditCode.TASK_ESCALATED) == [
        (world.employee.pk, case.pk, "Terlambat: Menyusun rencana")
    ]
    row = AuditEntry.objects.get(case=case, code=AuditCode.TASK_ESCALATED)
    assert (row.actor_id, row.capacity, row.work_item_id, row.reason) == (
        None,
        "sistem",
        task.pk,
        "Melewati batas waktu tahap.",
    )
    assert row.payload == {
        "on_breach": "notify",
        "due_at": task.due_at.isoformat(),  # type: ignore[union-attr]
        "recipients": [world.employee.pk],
        "from_user": world.employee.pk,
        "to_user": None,
        "problems": [],
    }
    task.refresh_from_db()
    assert (task.escalated_at, task.owner_id) == (now, world.employee.pk)
    assert Case.objects.get(pk=case.pk).lock_version == version  # a notice is not a change
    assert diagnose(Case.objects.get(pk=case.pk)) == []


@pytest.mark.parametrize(
    ("mode", "who", "owner"),
    [
        (BreachAction.NOTIFY, ["appraiser"], "appraiser"),
        (BreachAction.ESCALATE, ["supervisor", "admin"], "appraiser"),
        (BreachAction.REASSIGN, ["appraiser", "supervisor", "admin"], "supervisor"),
    ],
)
def test_who_is_told_and_who_holds_the_task_after_a_breach(
    world: World,
    django_capture_on_commit_callbacks: Any,
    mode: str,
    who: list[str],
    owner: str,
) -> None:
    case = breach_case(world, mode)
    [task] = open_tasks(case)

    with django_capture_on_commit_callbacks(execute=True):
        assert scheduler.escalate_breaches(due_of(case) + HOUR) == 1

    expected = sorted(getattr(world, name).pk for name in who)
    assert [row[0] for row in notified(AuditCode.TASK_ESCALATED)] == expected
    row = AuditEntry.objects.get(case=case, code=AuditCode.TASK_ESCALATED)
    assert (row.payload["on_breach"], row.payload["recipients"]) == (mode, expected)
    task.refresh_from_db()
    assert task.owner_id == getattr(world, owner).pk
    assert world.other_admin.pk not in expected


def test_reassign_hands_the_task_to_the_supervisor_who_can_then_act(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    case = breach_case(world, BreachAction.REASSIGN)
    [task] = open_tasks(case)
    version = Case.objects.get(pk=case.pk).lock_version

    with django_capture_on_commit_callbacks(execute=True):
        scheduler.escalate_breaches(due_of(case) + HOUR)

    case = Case.objects.get(pk=case.pk)
    assert case.lock_version == version + 1
    assert policy.holders(case, policy.ACT) == ({world.supervisor.pk}, set())
    row = AuditEntry.objects.get(case=case, code=AuditCode.TASK_ESCALATED)
    assert (row.payload["from_user"], row.payload["to_user"]) == (
        world.appraiser.pk,
        world.supervisor.pk,
    )
    titles = dict(Notification.objects.values_list("recipient_id", "title"))
    assert titles[world.supervisor.pk] == "Eskalasi: Memutuskan dialihkan"
    assert diagnose(case) == []
    actions.complete_task(task_id=task.pk, actor=world.supervisor)
    assert Case.objects.get(pk=case.pk).closed_at is not None


def test_reassign_without_a_supervisor_escalates_to_the_admins_and_keeps_the_owner(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    world.book.gaps[(world.employee.pk, Role.APPRAISER_SUPERVISOR)] = "Jabatan atasan kosong"
    case = breach_case(world, BreachAction.REASSIGN)
    [task] = open_tasks(case)

    with django_capture_on_commit_callbacks(execute=True):
        assert scheduler.escalate_breaches(due_of(case) + HOUR) == 1

    assert [row[0] for row in notified(AuditCode.TASK_ESCALATED)] == [world.admin.pk]
    row = AuditEntry.objects.get(case=case, code=AuditCode.TASK_ESCALATED)
    assert (row.payload["to_user"], row.payload["problems"]) == (None, ["Jabatan atasan kosong"])
    task.refresh_from_db()
    assert task.owner_id == world.appraiser.pk


def test_a_task_not_yet_due_cannot_be_escalated_and_nothing_changes(world: World) -> None:
    case = breach_case(world, BreachAction.REASSIGN)
    [task] = open_tasks(case)
    before = snapshot(case.pk)

    with pytest.raises(StepNotAllowed, match="belum melewati batas waktu"):
        actions.escalate_task(task_id=task.pk, reason="uji", now=due_of(case) - HOUR)

    assert snapshot(case.pk) == before
    assert WorkItem.objects.get(pk=task.pk).escalated_at is None


def test_escalating_twice_or_a_completed_task_is_refused(world: World) -> None:
    case = breach_case(world, BreachAction.ESCALATE)
    [task] = open_tasks(case)
    late = due_of(case) + HOUR
    actions.escalate_task(task_id=task.pk, reason="uji", now=late)
    before = snapshot(case.pk)

    with pytest.raises(AlreadyDecided, match="sudah dieskalasi"):
        actions.escalate_task(task_id=task.pk, reason="uji", now=late)
    assert snapshot(case.pk) == before

    actions.complete_task(task_id=task.pk, actor=world.appraiser)
    with pytest.raises(StepNotAllowed, match="sudah final"):
        actions.escalate_task(task_id=task.pk, reason="uji", now=late)
    assert AuditEntry.objects.filter(code=AuditCode.TASK_ESCALATED).count() == 1


def test_a_reminded_task_is_still_escalated_when_late(world: World) -> None:
    case = world.start()
    due = due_of(case)

    periodic = dict.fromkeys(scheduler._PERIODIC, 0)
    assert scheduler.run_once(due - HOUR, digest=False) == {
        "reminded": 1,
        "escalated": 0,
        **periodic,
    }
    assert scheduler.run_once(due + HOUR) == {
        "reminded": 0,
        "escalated": 1,
        **periodic,
        "digests": 0,
    }


# Two schedulers at once (PostgreSQL) -------------------------------------------------------


def _twice_at_once(target: Any) -> list[Any]:
    barrier = threading.Barrier(2)
    results: list[Any] = []
    lock = threading.Lock()

    def run() -> None:
        try:
            barrier.wait(timeout=30)
            value = target()
        except BaseException as error:
            value = error
        finally:
            connection.close()
        with lock:
            results.append(value)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    close_old_connections()
    return results


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_schedulers_at_once_notify_each_task_exactly_once(world: World) -> None:
    cases = [breach_case(world, BreachAction.ESCALATE) for _ in range(5)]
    due = max(due_of(case) for case in cases)

    reminded = _twice_at_once(lambda: scheduler.send_due_reminders(due - HOUR))
    escalated = _twice_at_once(lambda: scheduler.escalate_breaches(due + HOUR))

    assert sum(reminded) == 5
    assert sum(escalated) == 5
    case_ids = sorted(case.pk for case in cases)
    assert notified(AuditCode.TASK_REMINDED) == [
        (world.appraiser.pk, case_id, "Pengingat: Memutuskan") for case_id in case_ids
    ]
    per_task = sorted(
        Notification.objects.filter(code=AuditCode.TASK_ESCALATED).values_list(
            "case_id", "recipient_id"
        )
    )
    assert per_task == sorted(
        (case_id, user.pk) for case_id in case_ids for user in (world.supervisor, world.admin)
    )
    assert AuditEntry.objects.filter(code=AuditCode.TASK_ESCALATED).count() == 5
    assert WorkItem.objects.filter(status=STATUS.ASSIGNED, escalated_at__isnull=True).count() == 0


# The command for installations without beat -----------------------------------------------


def test_run_scheduler_once_runs_reminders_escalation_and_digest(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    from io import StringIO

    from django.core.management import call_command
    from django.utils import timezone

    case = world.start()
    monkeypatch.setattr(timezone, "now", lambda: due_of(case) - HOUR)
    out = StringIO()

    call_command("run_scheduler", "--once", stdout=out)

    assert (
        out.getvalue()
        .strip()
        .endswith("reminded=1, escalated=0, jobs_resumed=0, keberatan_expired=0, digests=0")
    )
    assert notified(AuditCode.TASK_REMINDED) == [
        (world.employee.pk, case.pk, "Pengingat: Menyusun rencana")
    ]


def test_run_scheduler_loops_and_sends_the_digest_once_a_day(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    from io import StringIO

    from django.core.management import call_command
    from django.utils import timezone

    # 08:00 in Jakarta: past the digest hour, so the first run sends it and the second not.
    monkeypatch.setattr(
        timezone, "now", lambda: datetime.datetime(2026, 8, 18, 1, 0, tzinfo=datetime.UTC)
    )
    out = StringIO()

    call_command("run_scheduler", "--interval", "0", "--max-runs", "2", stdout=out)

    lines = out.getvalue().strip().splitlines()
    assert [line.split(" ", 1)[1] for line in lines] == [
        "reminded=0, escalated=0, jobs_resumed=0, keberatan_expired=0, digests=0",
        "reminded=0, escalated=0, jobs_resumed=0, keberatan_expired=0",
    ]
