"""Fixtures for engine tests: a generic process, people, and three templates.

The process ("demo") resolves roles from an in-memory book, so the engine is tested with
no organisation data at all. The same tests run on the default seven-stage template, on
one with a parallel N-of-M peer stage, and on one with an independent team stage.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from viewflow.workflow.status import STATUS

from workflow import actions
from workflow.designer import create_template, publish_template
from workflow.library import default_stages, with_peer_stage, with_team_stage
from workflow.models import (
    AuditEntry,
    Case,
    CaseGroupObjectPermission,
    CaseUserObjectPermission,
    Team,
    WorkflowTemplate,
    WorkItem,
)
from workflow.registry import (
    DeadlinePolicy,
    ProcessDefinition,
    RoleResolution,
    Seat,
    register,
    unregister,
)
from workflow.spec import Role

KIND = "demo"
TEAM_CODE = "tim-independen"


@dataclass
class RoleBook:
    """Who holds each role, per subject (set by tests)."""

    appraiser: dict[int, int] = field(default_factory=dict)
    supervisor: dict[int, int] = field(default_factory=dict)
    peers: dict[int, list[int]] = field(default_factory=dict)
    hr: list[int] = field(default_factory=list)
    gaps: dict[tuple[int, str], str] = field(default_factory=dict)
    peer_pool: bool = False  # peers as one claimable pool instead of named seats

    def resolve(self, case: Case, role: str, on: datetime.date) -> RoleResolution:
        subject = case.subject_id
        assert subject is not None
        gap = self.gaps.get((subject, role))
        if gap:
            return RoleResolution(problems=(gap,))
        if role == Role.EMPLOYEE:
            return RoleResolution(seats=(Seat(subject, "Pegawai"),))
        if role == Role.APPRAISER and subject in self.appraiser:
            return RoleResolution(seats=(Seat(self.appraiser[subject], "Pejabat penilai"),))
        if role == Role.APPRAISER_SUPERVISOR and subject in self.supervisor:
            return RoleResolution(seats=(Seat(self.supervisor[subject], "Atasan"),))
        if role == Role.PEERS:
            return RoleResolution(
                seats=tuple(Seat(p, "Rekan") for p in self.peers.get(subject, [])),
                pool=self.peer_pool,
            )
        if role == Role.HR:
            return RoleResolution(seats=tuple(Seat(h, "BKPSDM") for h in self.hr), pool=True)
        return RoleResolution(problems=(f"no {role} on record",))


def plan_complete(case: Case) -> list[str]:
    """A guard: the document's data says the plan is complete."""
    return [] if case.data.get("plan_ready") else ["Rencana belum lengkap."]


@dataclass
class World:
    """Everything a test needs."""

    tenant: Any
    other_tenant: Any
    employee: Any
    appraiser: Any
    supervisor: Any
    peers: list[Any]
    hr: list[Any]
    admin: Any
    other_admin: Any
    outsider: Any
    team_members: list[Any]
    book: RoleBook
    templates: dict[str, WorkflowTemplate]

    def start(self, variant: str = "default", subject: Any = None) -> Case:
        return actions.start_case(
            template=self.templates[variant],
            subject_id=(subject or self.employee).pk,
            title="Dokumen uji",
            actor=self.admin,
        )


def _user(username: str, tenant: Any, **extra: Any) -> Any:
    return get_user_model().objects.create_user(
        username, password="x", agency=tenant, first_name=username.title(), **extra
    )


def admin_user_ids(tenant_id: int) -> list[int]:
    """The tenant's active admins (told about escalations)."""
    return list(
        get_user_model()
        .objects.filter(agency_id=tenant_id, is_agency_admin=True, is_active=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def administered_tenant_ids(user: Any) -> list[int] | None:
    if user.is_superuser:
        return None
    if getattr(user, "is_agency_admin", False) and user.agency_id:
        return [user.agency_id]
    return []


@pytest.fixture
def world(db: None) -> Iterator[World]:
    tenant_model = apps.get_model(settings.WORKFLOW_TENANT_MODEL)
    tenant = tenant_model.objects.create(name="Instansi Uji", code="uji", time_zone="Asia/Makassar")
    other = tenant_model.objects.create(name="Instansi Lain", code="lain")
    book = RoleBook()
    employee = _user("pegawai", tenant)
    appraiser = _user("penilai", tenant)
    supervisor = _user("atasan", tenant)
    peers = [_user(f"rekan{i}", tenant) for i in range(1, 4)]
    hr = [_user(f"bkpsdm{i}", tenant) for i in range(1, 3)]
    admin = _user("admin-uji", tenant, is_agency_admin=True)
    other_admin = _user("admin-lain", other, is_agency_admin=True)
    outsider = _user("orang-luar", tenant)
    team_members = [_user(f"tim{i}", tenant) for i in range(1, 3)]
    book.appraiser[employee.pk] = appraiser.pk
    book.supervisor[employee.pk] = supervisor.pk
    book.peers[employee.pk] = [p.pk for p in peers]
    book.hr = [h.pk for h in hr]
    group = Group.objects.create(name="uji:tim-independen")
    group.user_set.add(*team_members)
    Team.objects.create(tenant=tenant, code=TEAM_CODE, name="Tim Penilai Independen", group=group)
    register(
        ProcessDefinition(
            kind=KIND,
            label="Demo",
            resolve_role=book.resolve,
            administered_tenant_ids=administered_tenant_ids,
            guards={"plan_complete": plan_complete},
            conditions={"objection_filed": lambda case: bool(case.data.get("objection"))},
            deadline_policy=lambda case: DeadlinePolicy(zone="Asia/Makassar"),
            may_start=lambda actor, tenant_id, subject_id: False,
            user_in_tenant=lambda user, tenant_id: user.agency_id == tenant_id,
            admin_user_ids=admin_user_ids,
        )
    )
    base = default_stages(guards={"agree_plan": ("plan_complete",)})
    variants = {
        "default": base,
        "peers": with_peer_stage(base, n=2),
        "team": with_team_stage(base, team=TEAM_CODE),
    }
    templates = {}
    for name, stages in variants.items():
        template = create_template(
            tenant_id=tenant.pk,
            process_kind=KIND,
            code=name,
            name=f"Templat {name}",
            actor=admin,
            stages=stages,
        )
        publish_template(template_id=template.pk, actor=admin)
        templates[name] = template
    yield World(
        tenant=tenant,
        other_tenant=other,
        employee=employee,
        appraiser=appraiser,
        supervisor=supervisor,
        peers=peers,
        hr=hr,
        admin=admin,
        other_admin=other_admin,
        outsider=outsider,
        team_members=team_members,
        book=book,
        templates=templates,
    )
    unregister(KIND)


VARIANTS = ["default", "peers", "team"]


def open_tasks(case: Case) -> list[WorkItem]:
    """Return the open tasks of the case's current visit (re-reading the case first)."""
    case.refresh_from_db()
    return list(
        WorkItem.objects.filter(
            process_id=case.pk, status__in=[STATUS.NEW, STATUS.ASSIGNED], visit=case.visit
        ).order_by("pk")
    )


def set_data(case: Case, **values: Any) -> None:
    """Write process data the guards read (the process's own action would do this)."""
    Case.objects.filter(pk=case.pk).update(data={**case.data, **values})
    case.data = {**case.data, **values}


def snapshot(case_id: int) -> dict[str, Any]:
    """Everything an action could change about a case."""
    case = Case.objects.get(pk=case_id)
    return {
        "case": (
            case.stage_key,
            case.phase,
            case.visit,
            case.lock_version,
            case.status,
            case.closed_at,
            case.template_version_id,
            case.stage_quorum,
        ),
        "tasks": sorted(
            WorkItem.objects.filter(process_id=case_id).values_list(
                "pk", "status", "owner_id", "stage_key", "visit", "needs_actor", "is_pool"
            )
        ),
        "user_perms": sorted(
            CaseUserObjectPermission.objects.filter(content_object_id=case_id).values_list(
                "user_id", "permission__codename"
            )
        ),
        "group_perms": sorted(
            CaseGroupObjectPermission.objects.filter(content_object_id=case_id).values_list(
                "group_id", "permission__codename"
            )
        ),
        "audit": AuditEntry.objects.filter(case_id=case_id).count(),
    }


def complete_stage(world: World, case: Case) -> None:
    """Complete the current stage as its rightful actors would (claiming pool tasks)."""
    case.refresh_from_db()
    stage = case.stage_key
    visit = case.visit
    while True:
        case.refresh_from_db()
        if case.stage_key != stage or case.visit != visit or not case.is_open:
            return
        task = open_tasks(case)[0]
        if task.owner_id is None:
            candidates = task.candidate_ids or [u.pk for u in world.team_members]
            holders = set(
                WorkItem.objects.filter(process_id=case.pk, visit=case.visit)
                .exclude(owner_id=None)
                .values_list("owner_id", flat=True)
            )
            user_id = next(uid for uid in candidates if uid not in holders)
            actor = get_user_model().objects.get(pk=user_id)
            actions.claim_task(task_id=task.pk, actor=actor)
        else:
            actor = get_user_model().objects.get(pk=task.owner_id)
        if stage == "draft_plan":
            set_data(case, plan_ready=True)
        actions.complete_task(task_id=task.pk, actor=actor)
