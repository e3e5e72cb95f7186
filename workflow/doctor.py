"""Consistency diagnosis: every open case has exactly the tasks and rights its stage requires.

Read-only; repairs go through ``workflow.actions.repair_case`` (audited).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from viewflow.workflow.status import PROCESS, STATUS

from workflow import policy
from workflow.models import Case, WorkItem

OPEN = (STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED)


@dataclass(frozen=True)
class Problem:
    """One inconsistency of one case."""

    case_id: int
    code: str
    message: str
    fixable: bool = True

    def __str__(self) -> str:
        return f"case {self.case_id}: [{self.code}] {self.message}"


def expected_act_holders(case: Case) -> tuple[set[int], set[int]]:
    """Return (user ids, group ids) that should hold ``act_case`` given the open tasks."""
    users: set[int] = set()
    groups: set[int] = set()
    if not case.is_open:
        return users, groups
    for task in WorkItem.objects.filter(process_id=case.pk, status__in=OPEN, visit=case.visit):
        if task.owner_id is not None:
            users.add(task.owner_id)
        elif task.is_pool:
            users.update(task.candidate_ids)
            if task.data.get("team_group_id"):
                groups.add(int(task.data["team_group_id"]))
    return users, groups


def diagnose(case: Case) -> list[Problem]:
    """Return every inconsistency of ``case``."""
    problems: list[Problem] = []
    open_tasks = list(WorkItem.objects.filter(process_id=case.pk, status__in=OPEN))
    if case.is_open:
        try:
            spec = case.current_stage()
        except KeyError:
            return [
                Problem(
                    case.pk,
                    "unknown_stage",
                    f"stage {case.stage_key!r} is not in template version "
                    f"{case.template_version.number}",
                    fixable=False,
                )
            ]
        if case.phase != spec.phase:
            problems.append(
                Problem(
                    case.pk, "phase", f"phase {case.phase} but stage {spec.key} is {spec.phase}"
                )
            )
        if case.status != PROCESS.NEW:
            problems.append(
                Problem(case.pk, "process_status", f"open case has status {case.status}")
            )
        stray = [t for t in open_tasks if t.visit != case.visit or t.stage_key != case.stage_key]
        for task in stray:
            problems.append(
                Problem(
                    case.pk,
                    "stray_task",
                    f"open task {task.pk} is for stage {task.stage_key} visit {task.visit}, "
                    f"not the current {case.stage_key} visit {case.visit}",
                )
            )
        current = [t for t in open_tasks if t not in stray]
        done = WorkItem.objects.filter(
            process_id=case.pk, visit=case.visit, status=STATUS.DONE
        ).count()
        if done >= case.stage_quorum:
            problems.append(
                Problem(case.pk, "quorum_met", f"quorum {case.stage_quorum} met but stage not left")
            )
        elif len(current) < case.stage_quorum - done:
            problems.append(
                Problem(
                    case.pk,
                    "missing_tasks",
                    f"stage {case.stage_key} needs {case.stage_quorum - done} more completions "
                    f"but has {len(current)} open tasks",
                )
            )
    else:
        for task in open_tasks:
            problems.append(
                Problem(case.pk, "task_on_closed_case", f"open task {task.pk} on a closed case")
            )
    expected_users, expected_groups = expected_act_holders(case)
    users, groups = policy.holders(case, policy.ACT)
    if users != expected_users or groups != expected_groups:
        problems.append(
            Problem(
                case.pk,
                "permissions",
                f"act_case held by users {sorted(users)} groups {sorted(groups)}, expected "
                f"users {sorted(expected_users)} groups {sorted(expected_groups)}",
            )
        )
    return problems


def diagnose_all(batch_size: int = 500) -> Iterator[Problem]:
    """Yield every problem of every case."""
    queryset = Case.objects.select_related("template_version").order_by("pk")
    for case in queryset.iterator(chunk_size=batch_size):
        yield from diagnose(case)
