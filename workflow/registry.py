"""How a business process plugs into the engine: its roles, guards, conditions and policies.

The engine knows nothing about any process. A process (for example a yearly appraisal)
registers a ``ProcessDefinition`` at start-up with callables the engine calls inside its
actions: who holds a role for a document on a date, which inputs are complete, who may
administer a tenant's documents, and which time zone and calendar its deadlines use.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from django.utils.functional import Promise

from workflow.spec import Role, Vocabulary

if TYPE_CHECKING:
    from workflow.models import Case


@dataclass(frozen=True)
class Seat:
    """One person who may act on a stage, and in which capacity."""

    user_id: int
    label: str = ""  # e.g. "Kepala Bidang Mutasi" or "Plt. Kepala Dinas (SK 800/12/2026)"
    acting_for_id: int | None = None  # the post holder they act for, if any


@dataclass(frozen=True)
class RoleResolution:
    """Who holds a role for a document: seats (pre-assigned) or a pool (claimable)."""

    seats: tuple[Seat, ...] = ()
    pool: bool = False  # True: the seats are candidates; tasks are claimed, not pre-assigned
    problems: tuple[str, ...] = ()  # sentences for HR when nobody (or the wrong one) resolves


class RoleResolver(Protocol):
    """Resolve ``role`` for ``case`` on ``on``."""

    def __call__(self, case: Case, role: str, on: datetime.date) -> RoleResolution: ...


Guard = Callable[["Case"], list[str]]  # returns the problems; [] when the inputs are complete
Condition = Callable[["Case"], bool]


@dataclass(frozen=True)
class DeadlinePolicy:
    """Where and how a tenant counts SLA days."""

    zone: str = "Asia/Jakarta"
    working_days: bool = False
    holidays: frozenset[datetime.date] = frozenset()


@dataclass
class ProcessDefinition:
    """A process the engine can run."""

    kind: str
    label: str
    resolve_role: RoleResolver
    administered_tenant_ids: Callable[[Any], Iterable[int] | None]
    guards: Mapping[str, Guard] = field(default_factory=dict)
    conditions: Mapping[str, Condition] = field(default_factory=dict)
    # Why an optional stage is skipped when its condition does not hold, as users read it
    # in the history (say "no objection was filed"); without one the condition is named.
    skip_reasons: Mapping[str, str | Promise] = field(default_factory=dict)
    # What the process's own audit rows (``PROCESS_EVENT`` with ``payload["event"]``) read
    # as in a document's history, e.g. "realisation_saved" -> "Realisasi disimpan".
    event_labels: Mapping[str, str | Promise] = field(default_factory=dict)
    # What HR reads in the template designer for the codes a template stores: the page that
    # handles a stage (``forms``), its guards and its condition, e.g. "plan" -> "Rencana".
    # The designer lists labelled codes in this order; a code without a label shows as is.
    form_labels: Mapping[str, str | Promise] = field(default_factory=dict)
    guard_labels: Mapping[str, str | Promise] = field(default_factory=dict)
    condition_labels: Mapping[str, str | Promise] = field(default_factory=dict)
    roles: frozenset[str] = frozenset(Role)
    forms: frozenset[str] | None = None
    deadline_policy: Callable[[Case], DeadlinePolicy] = lambda case: DeadlinePolicy()
    may_start: Callable[[Any, int, Any], bool] = lambda actor, tenant_id, subject: False
    user_in_tenant: Callable[[Any, int], bool] = lambda user, tenant_id: True
    on_stage_entered: Callable[[Case, str], None] | None = None
    on_closed: Callable[[Case], None] | None = None
    on_reopened: Callable[[Case], None] | None = None
    # Who administers a tenant (ids of active users): told when a stage's SLA is breached
    # with on_breach "escalate" or "reassign".
    admin_user_ids: Callable[[int], Iterable[int]] = lambda tenant_id: ()
    # Where a participant opens a document (a path such as "/documents/12/"); notifications link
    # there. Empty: the notification has no link.
    case_url: Callable[[Case], str] = lambda case: ""
    # The same for a page of cases at once (lists stay one query); None: ``case_url`` each.
    case_urls: Callable[[Sequence[Case]], Mapping[int, str]] | None = None

    def vocabulary(self, teams: Iterable[str] | None = None) -> Vocabulary:
        """Return what templates of this process may refer to."""
        return Vocabulary(
            roles=self.roles,
            guards=frozenset(self.guards),
            conditions=frozenset(self.conditions),
            teams=None if teams is None else frozenset(teams),
            forms=self.forms,
        )

    def form_label(self, code: str) -> str:
        """Return what HR reads for the form ``code`` (the code itself when unlabelled)."""
        return str(self.form_labels.get(code) or code)

    def guard_label(self, code: str) -> str:
        """Return what HR reads for the guard ``code`` (the code itself when unlabelled)."""
        return str(self.guard_labels.get(code) or code)

    def condition_label(self, code: str) -> str:
        """Return what HR reads for the condition ``code`` (the code itself when unlabelled)."""
        return str(self.condition_labels.get(code) or code)

    def urls_for(self, cases: Sequence[Case]) -> Mapping[int, str]:
        """Return each case's page by case id (see ``case_url`` / ``case_urls``)."""
        if self.case_urls is not None:
            return self.case_urls(cases)
        return {case.pk: self.case_url(case) for case in cases}

    def administers(self, user: Any, tenant_id: int) -> bool:
        """Return True when ``user`` may repair documents of ``tenant_id``."""
        tenant_ids = self.administered_tenant_ids(user)
        return tenant_ids is None or tenant_id in set(tenant_ids)


class UnknownProcess(LookupError):
    """No process of this kind is registered."""


_REGISTRY: dict[str, ProcessDefinition] = {}


def register(definition: ProcessDefinition) -> ProcessDefinition:
    """Register (or replace) a process definition and return it."""
    _REGISTRY[definition.kind] = definition
    return definition


def unregister(kind: str) -> None:
    """Remove a process definition (tests use this)."""
    _REGISTRY.pop(kind, None)


def get_process(kind: str) -> ProcessDefinition:
    """Return the registered definition; raise UnknownProcess otherwise."""
    try:
        return _REGISTRY[kind]
    except KeyError as error:
        raise UnknownProcess(f"No process of kind {kind!r} is registered.") from error


def registered_processes() -> list[ProcessDefinition]:
    """Return every registered definition."""
    return list(_REGISTRY.values())
