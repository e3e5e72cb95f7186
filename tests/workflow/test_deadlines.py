"""Due dates in working days: weekends and seeded holidays skipped, tenant zone, stored in UTC."""

from __future__ import annotations

import dataclasses
import datetime
from typing import Any

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.test import RequestFactory
from django.utils import timezone

from tests.workflow.conftest import KIND, World, open_tasks
from workflow import actions
from workflow.designer import create_template, publish_template
from workflow.holidays import holidays_for
from workflow.models import AuditCode, AuditEntry, Case, Holiday
from workflow.registry import DeadlinePolicy, get_process, register
from workflow.spec import Phase, Role, StageSpec

UTC = datetime.UTC
# 01:00 on Friday 14 August 2026 in Makassar (WITA, UTC+8), still Thursday in UTC.
START = datetime.datetime(2026, 8, 13, 17, 0, tzinfo=UTC)


def _working_day_process(world: World) -> None:
    register(
        dataclasses.replace(
            get_process(KIND),
            deadline_policy=lambda case: DeadlinePolicy(
                zone="Asia/Makassar", working_days=True, holidays=holidays_for(case.tenant_id)
            ),
        )
    )


def _start_three_day_stage(world: World, monkeypatch: pytest.MonkeyPatch) -> Case:
    template = create_template(
        tenant_id=world.tenant.pk,
        process_kind=KIND,
        code="tiga-hari",
        name="Tiga hari kerja",
        actor=world.admin,
        stages=[StageSpec("finalise", "Penetapan", Phase.FINAL, Role.EMPLOYEE, sla_days=3)],
    )
    publish_template(template_id=template.pk, actor=world.admin)
    monkeypatch.setattr(timezone, "now", lambda: START)
    return actions.start_case(
        template=template, subject_id=world.employee.pk, title="Uji tenggat", actor=world.admin
    )


def test_working_days_skip_the_weekend_and_a_seeded_holiday_in_the_tenant_zone(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    _working_day_process(world)

    case = _start_three_day_stage(world, monkeypatch)

    # Counted from Friday 14 Aug (local): Sat, Sun and Mon 17 Aug (Independence Day, seeded)
    # are skipped; Tue 18, Wed 19, Thu 20 are the three days; due at the end of Thursday
    # in Makassar, which is 15:59:59.999999 UTC.
    expected = datetime.datetime(2026, 8, 20, 15, 59, 59, 999999, tzinfo=UTC)
    [task] = open_tasks(case)
    assert task.due_at == expected
    assert task.due_at.utcoffset() == datetime.timedelta(0)
    entered = AuditEntry.objects.get(case=case, code=AuditCode.STAGE_ENTERED)
    assert entered.payload["due_at"] == "2026-08-20T15:59:59.999999+00:00"


def test_a_tenant_holiday_counts_only_for_its_own_tenant(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    _working_day_process(world)
    Holiday.objects.create(tenant=world.other_tenant, date=datetime.date(2026, 8, 18), name="X")
    Holiday.objects.create(tenant=world.tenant, date=datetime.date(2026, 8, 19), name="Hari jadi")

    case = _start_three_day_stage(world, monkeypatch)

    [task] = open_tasks(case)
    assert task.due_at == datetime.datetime(2026, 8, 21, 15, 59, 59, 999999, tzinfo=UTC)


def test_calendar_days_in_the_tenant_zone_ignore_holidays(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = _start_three_day_stage(world, monkeypatch)

    # The demo process counts calendar days: Friday 14 Aug local + 3 = Monday 17 Aug.
    [task] = open_tasks(case)
    assert task.due_at == datetime.datetime(2026, 8, 17, 15, 59, 59, 999999, tzinfo=UTC)


def test_holidays_for_returns_national_days_and_the_tenants_own(world: World) -> None:
    own = Holiday.objects.create(tenant=world.tenant, date=datetime.date(2026, 4, 20), name="A")
    Holiday.objects.create(tenant=world.other_tenant, date=datetime.date(2026, 4, 21), name="B")

    national = holidays_for(None)
    mine = holidays_for(world.tenant.pk)

    assert len(national) == 51
    assert {
        datetime.date(2025, 12, 25),
        datetime.date(2026, 6, 1),
        datetime.date(2026, 8, 17),
        datetime.date(2027, 1, 1),
    } <= national
    assert mine == national | {own.date}
    assert datetime.date(2026, 4, 21) not in mine


def test_holidays_for_costs_one_query(world: World, django_assert_num_queries: Any) -> None:
    with django_assert_num_queries(1):
        holidays_for(world.tenant.pk)


def test_a_national_date_is_unique_and_a_tenant_date_is_unique_per_tenant(world: World) -> None:
    day = datetime.date(2026, 8, 17)
    Holiday.objects.create(tenant=world.tenant, date=day, name="Juga libur di sini")
    Holiday.objects.create(tenant=world.other_tenant, date=day, name="Dan di sana")

    with pytest.raises(IntegrityError), transaction.atomic():
        Holiday.objects.create(tenant=None, date=day, name="Duplikat nasional")
    with pytest.raises(IntegrityError), transaction.atomic():
        Holiday.objects.create(tenant=world.tenant, date=day, name="Duplikat instansi")
    assert Holiday.objects.filter(date=day).count() == 3


def test_holiday_is_the_one_engine_model_admins_may_edit(world: World) -> None:
    superuser = get_user_model().objects.create_superuser("super", password="x")
    request = RequestFactory().get("/admin/")
    request.user = superuser
    holiday_admin = admin.site._registry[Holiday]
    case_admin = admin.site._registry[Case]

    assert (
        holiday_admin.has_add_permission(request),
        holiday_admin.has_change_permission(request),
        holiday_admin.has_delete_permission(request),
    ) == (True, True, True)
    assert (
        case_admin.has_add_permission(request),
        case_admin.has_change_permission(request),
        case_admin.has_delete_permission(request),
    ) == (False, False, False)


def test_an_admin_adds_a_tenant_holiday_through_the_admin(world: World, client: Any) -> None:
    superuser = get_user_model().objects.create_superuser("super", password="x")
    client.force_login(superuser)

    response = client.post(
        "/admin/workflow/holiday/add/",
        {"tenant": world.tenant.pk, "date": "2026-09-01", "name": "Hari jadi kabupaten"},
    )

    assert response.status_code == 302
    holiday = Holiday.objects.get(tenant=world.tenant)
    assert (holiday.date, holiday.name) == (datetime.date(2026, 9, 1), "Hari jadi kabupaten")
