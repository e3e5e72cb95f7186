"""The one generic viewflow flow: start, a stage node that loops over the template, end.

There is no Python per agency or per template: the stage node reads the case's pinned
template version. Engine actions decide what comes next (the next stage's seats, a
return, or the end) and put it in the activation's ``next_plan``; viewflow creates the
tasks, links each to the task that led to it, and finishes the process at the end node.
Only ``viewflow.workflow`` base classes are used (no views, viewsets, admin or charts).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.utils.timezone import now
from viewflow import this
from viewflow.workflow import nodes
from viewflow.workflow.activation import Activation
from viewflow.workflow.base import Edge, Flow, Node
from viewflow.workflow.status import STATUS

from workflow.models import Case, WorkItem

PlannedTask = tuple[Node, dict[str, Any]]


class PlannedNextMixin:
    """Create the next tasks the engine planned, each with its own data."""

    next_plan: list[PlannedTask]
    task: Any

    @Activation.status.transition(source=STATUS.DONE)
    def create_next(self) -> Iterator[Activation]:
        """Yield one activation per planned task."""
        for node, data in getattr(self, "next_plan", []):
            yield node._create(self, self.task.token, data=data)


class CaseStartActivation(PlannedNextMixin, nodes.StartHandle.activation_class):
    """Start a case whose row the engine has already prepared."""

    @classmethod
    def for_case(cls, flow_task: Node, case: Case, actor: Any) -> CaseStartActivation:
        """Return the start activation of a new case (the case is saved by execute())."""
        task = WorkItem(
            flow_task=flow_task,
            process=case,
            started=now(),
            owner=actor,
            stage_key="",
            outcome="started",
        )
        task.data = {}
        return cls(task)


class StageActivation(PlannedNextMixin, Activation):
    """One actor's task on a stage: assigned or claimable, completed or cancelled."""

    @classmethod
    def create(
        cls,
        flow_task: Node,
        prev_activation: Activation,
        token: Any,
        data: dict[str, Any] | None = None,
        seed: Any = None,
    ) -> StageActivation:
        """Persist a work item from the engine's plan (``data`` holds the seat)."""
        plan = dict(data or {})
        task = WorkItem(
            process=prev_activation.process,
            flow_task=flow_task,
            token=token,
            stage_key=plan.pop("stage_key"),
            visit=plan.pop("visit"),
            due_at=plan.pop("due_at", None),
            is_pool=plan.pop("is_pool", False),
            seat_label=plan.pop("seat_label", ""),
            acting_for_id=plan.pop("acting_for_id", None),
            needs_actor=plan.pop("needs_actor", False),
        )
        owner_id = plan.pop("owner_id", None)
        task.data = plan
        if owner_id is not None:
            task.owner_id = owner_id
            task.status = STATUS.ASSIGNED
            task.assigned = now()
        task.seed = seed
        task.save()
        task.previous.add(prev_activation.task)
        return cls(task)

    @Activation.status.super()
    def activate(self) -> None:
        """Wait for a person: nothing happens on activation."""

    @Activation.status.transition(source=STATUS.NEW, target=STATUS.ASSIGNED)
    def assign(self, user: Any) -> None:
        """Give the task to ``user`` (claim or admin assignment)."""
        self.task.owner = user
        self.task.assigned = now()
        self.task.save()

    @Activation.status.transition(source=STATUS.ASSIGNED, target=STATUS.NEW)
    def unassign(self) -> None:
        """Put a pool task back in the queue."""
        self.task.owner = None
        self.task.assigned = None
        self.task.save()

    @Activation.status.transition(source=STATUS.ASSIGNED)
    def reassign(self, user: Any) -> None:
        """Hand an assigned task to another user."""
        self.task.owner = user
        self.task.assigned = now()
        self.task.save()

    @Activation.status.transition(source=STATUS.ASSIGNED, target=STATUS.STARTED)
    def start(self) -> None:
        """Begin completing the task (the engine then completes it in the same transaction).

        Completion needs STARTED, as viewflow's own human tasks do: viewflow auto-completes
        any new task whose ``complete`` can proceed, so it must not start from ASSIGNED.
        """
        self.task.started = now()

    @Activation.status.transition(source=STATUS.STARTED, target=STATUS.DONE)
    def complete(self) -> None:
        """Finish the task (the engine has checked actor, guards and state)."""
        super().complete.original()

    @Activation.status.transition(
        source=[STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED], target=STATUS.CANCELED
    )
    def cancel(self) -> None:
        """Cancel an open task (quorum met elsewhere, a return, a repair)."""
        self.task.finished = now()
        self.task.save()


class StageNode(Node):
    """The generic human stage: loops to itself until the engine plans the end."""

    activation_class = StageActivation
    task_type = "HUMAN"
    shape = {
        "width": 150,
        "height": 100,
        "text-align": "middle",
        "svg": '<rect class="task" width="150" height="100" rx="5" ry="5"/>',
    }
    bpmn_element = "userTask"

    def __init__(self, end: Any = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._end = end

    def _resolve(self, instance: Any) -> None:
        self._end = this.resolve(instance, self._end)

    def _outgoing(self) -> Iterator[Edge]:
        yield Edge(src=self, dst=self, edge_class="next")
        if self._end is not None:
            yield Edge(src=self, dst=self._end, edge_class="next")


class CaseStart(nodes.StartHandle):
    """Start node: the engine creates the case row, viewflow records the start task."""

    activation_class = CaseStartActivation


class StageFlow(Flow):
    """Tahapan dokumen.

    The generic stage loop every template runs on.
    """

    process_class = Case
    task_class = WorkItem

    start = CaseStart().Next(this.stage)
    stage = StageNode(end=this.end)
    end = nodes.End()
