"""Real-life changes: transfers and reporting-line corrections re-route documents in flight."""

from __future__ import annotations

import datetime
from collections.abc import Iterator

import pytest
from django.utils import timezone
from viewflow.workflow.status import STATUS

from processes.organisation import actions, roles
from processes.organisation.access import administered_agency_ids
from processes.organisation.models import (
    OrganisationChange,
    PositionHolding,
    ReportingLineChange,
)
from tests.factories.organisation import Org, build_org, make_agency
from workflow import actions as engine
from workflow.calendar import local_date
from workflow.designer import create_template, publish_template
from workflow.doctor import diagnose
from workflow.errors import ActionForbidden
from workflow.library import default_stages
from workflow.models import AuditCode, AuditEntry, Case, WorkItem
from workflow.registry import DeadlinePolicy, ProcessDefinition, register, unregister

KIND = "org-test"


@pytest.fixture
def org(db: None) -> Iterator[Org]:
    register(
        ProcessDefinition(
            kind=KIND,
            label="Uji organisasi",
            resolve_role=roles.resolve_role,
            administered_tenant_ids=administered_agency_ids,
            deadline_policy=lambda case: DeadlinePolicy(zone="Asia/Makassar"),
            user_in_tenant=roles.user_in_agency,
        )
    )
    yield build_org()
    unregister(KIND)


def today() -> datetime.date:
    return local_date(timezone.now(), "Asia/Makassar")


def case_at_agreement(org: Org, who: str = "staf1") -> tuple[Case, WorkItem]:
    template = create_template(
        tenant_id=org.agency.pk,
        process_kind=KIND,
        code=f"t-{who}",
        name="Templat uji",
        actor=org.admin,
        stages=default_stages(),
    )
    publish_template(template_id=template.pk, actor=org.admin)
    case = engine.start_case(
        template=template, subject_id=org.user(who).pk, title=f"SKP {who}", actor=org.admin
    )
    draft = WorkItem.objects.get(process_id=case.pk, stage_key="draft_plan")
    engine.complete_task(task_id=draft.pk, actor=org.user(who))
    task = WorkItem.objects.get(process_id=case.pk, stage_key="agree_plan")
    return case, task


def test_transferring_the_appraiser_reroutes_the_open_task_and_lists_the_document(org: Org) -> None:
    case, task = case_at_agreement(org)
    assert task.owner_id == org.user("kasi").pk

    change = actions.transfer_employee(
        actor=org.admin,
        employee=org.people["kasi"],
        position=org.positions["GURU"],
        on=today(),
        reason="Mutasi ke jabatan fungsional",
        reference="SK 821/45/2026",
    )

    task.refresh_from_db()
    assert (task.owner_id, task.status) == (org.user("kabid").pk, STATUS.ASSIGNED)
    assert change.kind == OrganisationChange.Kind.TRANSFER
    assert change.affected == [
        {
            "case_id": case.pk,
            "document": "SKP staf1",
            "what": "1 tugas dialihkan ke pejabat yang baru",
        }
    ]
    old, new = PositionHolding.objects.filter(employee=org.people["kasi"]).order_by("starts_on")
    assert (old.ends_on, new.starts_on, new.position.code, new.reference) == (
        today() - datetime.timedelta(days=1),
        today(),
        "GURU",
        "SK 821/45/2026",
    )
    row = AuditEntry.objects.get(case=case, code=AuditCode.TASK_REASSIGNED)
    assert (row.payload["from_user"], row.payload["to_user"], row.capacity) == (
        org.user("kasi").pk,
        org.user("kabid").pk,
        "sistem",
    )
    assert diagnose(Case.objects.get(pk=case.pk)) == []


def test_transferring_the_employee_moves_their_document_to_the_new_appraiser(org: Org) -> None:
    case, task = case_at_agreement(org)

    actions.transfer_employee(
        actor=org.admin,
        employee=org.people["staf1"],
        position=org.positions["GURU"],
        on=today(),
        reason="Mutasi",
    )

    task.refresh_from_db()
    assert task.owner_id == org.user("kabid").pk
    assert diagnose(Case.objects.get(pk=case.pk)) == []


def test_correcting_a_reporting_line_reroutes_and_keeps_history(org: Org) -> None:
    case, task = case_at_agreement(org)

    change = actions.correct_reporting_line(
        actor=org.admin,
        position=org.positions["STAF"],
        reports_to=org.positions["KABID"],
        reason="Data SIMPEG salah: staf melapor langsung ke kepala bidang",
    )

    task.refresh_from_db()
    assert task.owner_id == org.user("kabid").pk
    history = ReportingLineChange.objects.get()
    assert (history.old_reports_to_id, history.new_reports_to_id, history.changed_by) == (
        org.positions["KASI"].pk,
        org.positions["KABID"].pk,
        org.admin,
    )
    assert change.affected[0]["case_id"] == case.pk
    assert diagnose(Case.objects.get(pk=case.pk)) == []


def test_a_reporting_loop_is_refused_and_nothing_changes(org: Org) -> None:
    _case, task = case_at_agreement(org)

    with pytest.raises(actions.InvalidInput) as raised:
        actions.correct_reporting_line(
            actor=org.admin,
            position=org.positions["KABID"],
            reports_to=org.positions["STAF"],
            reason="salah",
        )

    assert raised.value.errors == {
        "reports_to": [
            "Garis atasan ini membuat lingkaran: Kepala Bidang Pembinaan SD akan melapor ke dirinya."
        ]
    }
    org.positions["KABID"].refresh_from_db()
    task.refresh_from_db()
    assert (org.positions["KABID"].reports_to_id, task.owner_id) == (
        org.positions["KADIS"].pk,
        org.user("kasi").pk,
    )
    assert (ReportingLineChange.objects.count(), OrganisationChange.objects.count()) == (0, 0)


@pytest.mark.parametrize("who", ["other_admin", "employee", "superadmin"])
def test_only_the_agencys_admins_and_superadmins_may_change_it(org: Org, who: str) -> None:
    from processes.organisation.models import User

    if who == "other_admin":
        _agency, actor = make_agency("lain", "Asia/Jakarta")
    elif who == "employee":
        actor = org.user("staf2")
    else:
        actor = User.objects.create_superuser("root", password="x")
    before = (PositionHolding.objects.count(), OrganisationChange.objects.count())

    def move() -> OrganisationChange:
        return actions.transfer_employee(
            actor=actor,
            employee=org.people["staf1"],
            position=org.positions["GURU"],
            on=today(),
            reason="Mutasi",
        )

    if who == "superadmin":
        move()
        assert PositionHolding.objects.count() == before[0] + 1
    else:
        with pytest.raises(ActionForbidden):
            move()
        assert (PositionHolding.objects.count(), OrganisationChange.objects.count()) == before


def test_a_transfer_without_a_reason_is_refused(org: Org) -> None:
    with pytest.raises(actions.InvalidInput) as raised:
        actions.transfer_employee(
            actor=org.admin,
            employee=org.people["staf1"],
            position=org.positions["GURU"],
            on=today(),
            reason=" ",
        )
    assert raised.value.errors == {"reason": ["Alasan wajib diisi."]}
    assert PositionHolding.objects.filter(employee=org.people["staf1"]).count() == 1


def test_ending_an_acting_appointment_returns_the_task(org: Org) -> None:
    case, task = case_at_agreement(org)
    actions.transfer_employee(
        actor=org.admin,
        employee=org.people["kasi"],
        position=org.positions["GURU"],
        on=today(),
        reason="Mutasi",
    )
    appointment = actions.appoint_acting_official(
        actor=org.admin,
        employee=org.people["staf3"],
        position=org.positions["KASI"],
        starts_on=today(),
        ends_on=today() + datetime.timedelta(days=30),
        decree_number="800/1/2026",
    )
    task.refresh_from_db()
    assert (task.owner_id, task.seat_label) == (
        org.user("staf3").pk,
        "Plt. Kepala Seksi Kurikulum (800/1/2026)",
    )

    actions.end_acting_appointment(
        actor=org.admin,
        appointment=appointment,
        ends_on=today(),
        reason="Pejabat definitif dilantik",
    )
    # The appointment still covers today; the new definitive holder takes precedence.
    actions.transfer_employee(
        actor=org.admin,
        employee=org.people["staf2"],
        position=org.positions["KASI"],
        on=today(),
        reason="Dilantik",
    )
    task.refresh_from_db()
    assert task.owner_id == org.user("staf2").pk
    assert diagnose(Case.objects.get(pk=case.pk)) == []


def test_ending_a_status_gives_the_official_their_tasks_back(org: Org) -> None:
    case, task = case_at_agreement(org)
    period = actions.set_employee_status(
        actor=org.admin,
        employee=org.people["kasi"],
        status="study_leave",
        starts_on=today() - datetime.timedelta(days=10),
    )
    task.refresh_from_db()
    assert task.owner_id == org.user("kabid").pk

    ended = actions.end_employee_status(
        actor=org.admin,
        period=period,
        ends_on=today() - datetime.timedelta(days=1),
        reference="SK 800/9/2026",
    )

    task.refresh_from_db()
    assert (ended.ends_on, task.owner_id) == (
        today() - datetime.timedelta(days=1),
        org.user("kasi").pk,
    )
    change = OrganisationChange.objects.filter(kind="status").latest("pk")
    assert (change.reason, change.affected) == (
        "SK 800/9/2026",
        [
            {
                "case_id": case.pk,
                "document": "SKP staf1",
                "what": "1 tugas dialihkan ke pejabat yang baru",
            }
        ],
    )
    row = AuditEntry.objects.filter(chain=f"org:{org.agency.pk}").latest("pk")
    assert row.payload["event"] == "employee_status_ended"
    assert (row.payload["previous_ends_on"], row.reason) == (None, "SK 800/9/2026")
    assert diagnose(Case.objects.get(pk=case.pk)) == []


@pytest.mark.parametrize(
    ("ends_on", "message"),
    [
        (-11, "Tanggal berakhir tidak boleh sebelum status dimulai ({start})."),
        (5, "Status ini sudah berakhir pada {end}; pilih tanggal sebelumnya."),
        (7, "Status ini sudah berakhir pada {end}; pilih tanggal sebelumnya."),
    ],
)
def test_a_status_cannot_end_before_it_starts_or_later_than_it_does(
    org: Org, ends_on: int, message: str
) -> None:
    start, end = today() - datetime.timedelta(days=10), today() + datetime.timedelta(days=5)
    period = actions.set_employee_status(
        actor=org.admin,
        employee=org.people["guru"],
        status="suspended",
        starts_on=start,
        ends_on=end,
    )
    before = (OrganisationChange.objects.count(), AuditEntry.objects.count())

    with pytest.raises(actions.InvalidInput) as raised:
        actions.end_employee_status(
            actor=org.admin, period=period, ends_on=today() + datetime.timedelta(days=ends_on)
        )

    assert raised.value.errors == {
        "ends_on": [message.format(start=start.isoformat(), end=end.isoformat())]
    }
    period.refresh_from_db()
    assert period.ends_on == end
    assert (OrganisationChange.objects.count(), AuditEntry.objects.count()) == before


def test_only_the_agencys_admins_may_end_a_status(org: Org) -> None:
    period = actions.set_employee_status(
        actor=org.admin, employee=org.people["guru"], status="study_leave", starts_on=today()
    )
    _other, stranger = make_agency("lain")
    for who in (org.user("kasi"), stranger):
        with pytest.raises(ActionForbidden):
            actions.end_employee_status(actor=who, period=period, ends_on=today())
    period.refresh_from_db()
    assert period.ends_on is None
