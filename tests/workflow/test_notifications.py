"""Notifications: created only after commit, exactly the expected rows, e-mailed at most once."""

from __future__ import annotations

import dataclasses
import datetime
import smtplib
import zoneinfo
from typing import Any

import pytest
from django.core import mail
from django.db import transaction

from tests.workflow.conftest import KIND, World, open_tasks, set_data
from workflow import actions, notifications, tasks
from workflow.designer import create_template, publish_template
from workflow.models import (
    AuditCode,
    Case,
    DigestChoice,
    Notification,
    NotificationPreference,
    WorkItem,
)
from workflow.registry import get_process, register
from workflow.spec import Phase, Role, StageSpec

UTC = datetime.UTC


@pytest.fixture
def mailable(world: World) -> World:
    """Give every person of the world an address and a link for the demo process."""
    for user in [
        world.employee,
        world.appraiser,
        world.supervisor,
        world.admin,
        world.outsider,
        *world.hr,
    ]:
        user.email = f"{user.username}@contoh.go.id"
        user.save(update_fields=["email"])
    register(dataclasses.replace(get_process(KIND), case_url=lambda case: f"/dokumen/{case.pk}/"))
    return world


def rows() -> list[tuple[int, int, str]]:
    return list(Notification.objects.order_by("pk").values_list("recipient_id", "code", "title"))


def one_stage(world: World, role: str = Role.EMPLOYEE, code: str = "satu") -> Any:
    template = create_template(
        tenant_id=world.tenant.pk,
        process_kind=KIND,
        code=code,
        name="Satu tahap",
        actor=world.admin,
        stages=[StageSpec("finalise", "Penetapan", Phase.FINAL, role, sla_days=3)],
    )
    publish_template(template_id=template.pk, actor=world.admin)
    return template


# Created after commit, never on rollback -----------------------------------------------


def test_a_committed_start_notifies_the_first_owner_once_and_emails_them(
    mailable: World, django_capture_on_commit_callbacks: Any
) -> None:
    world = mailable
    with django_capture_on_commit_callbacks(execute=True):
        case = world.start()

    notification = Notification.objects.get()
    assert (
        notification.recipient_id,
        notification.tenant_id,
        notification.case_id,
        notification.code,
        notification.title,
        notification.url,
        notification.read_at,
    ) == (
        world.employee.pk,
        world.tenant.pk,
        case.pk,
        AuditCode.STAGE_ENTERED,
        "Tugas baru: Menyusun rencana",
        f"/dokumen/{case.pk}/",
        None,
    )
    assert notification.body.startswith("Dokumen uji menunggu tindakan Anda pada tahap Menyusun")
    # The due date as the pages write it, in the tenant's zone with its label.
    due = WorkItem.objects.get(process_id=case.pk, stage_key=case.stage_key).due_at
    assert due is not None
    local = due.astimezone(zoneinfo.ZoneInfo("Asia/Makassar"))
    assert notification.body.endswith(f" {local:%Y} {local:%H}.{local:%M} WITA.")
    assert notification.emailed_at is not None
    [message] = mail.outbox
    assert message.to == ["pegawai@contoh.go.id"]
    assert message.subject == "[Kinerja ASN] Tugas baru: Menyusun rencana"
    assert f"Buka: http://127.0.0.1:8000/dokumen/{case.pk}/" in message.body
    assert "Atur e-mail notifikasi: http://127.0.0.1:8000/notifikasi/preferensi/" in message.body


def test_a_committed_completion_notifies_exactly_the_next_owner(
    mailable: World, django_capture_on_commit_callbacks: Any
) -> None:
    world = mailable
    case = world.start()
    [task] = open_tasks(case)

    with django_capture_on_commit_callbacks(execute=True):
        actions.complete_task(task_id=task.pk, actor=world.employee)

    assert rows() == [
        (world.appraiser.pk, AuditCode.STAGE_ENTERED, "Tugas baru: Menyetujui rencana")
    ]
    assert [message.to for message in mail.outbox] == [["penilai@contoh.go.id"]]


def test_a_rolled_back_action_creates_no_notification_and_sends_no_email(
    mailable: World, django_capture_on_commit_callbacks: Any
) -> None:
    world = mailable
    case = world.start()
    [task] = open_tasks(case)

    def complete_then_fail() -> None:
        with transaction.atomic():
            actions.complete_task(task_id=task.pk, actor=world.employee)
            raise RuntimeError("the caller's later step failed")

    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(RuntimeError):
        complete_then_fail()

    assert callbacks == []
    assert Notification.objects.count() == 0
    assert mail.outbox == []
    assert Case.objects.get(pk=case.pk).stage_key == "draft_plan"


def test_nothing_is_created_before_the_commit_callbacks_run(
    mailable: World, django_capture_on_commit_callbacks: Any
) -> None:
    world = mailable
    case = world.start()
    [task] = open_tasks(case)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        actions.complete_task(task_id=task.pk, actor=world.employee)

    assert len(callbacks) == 1  # the notification listener, for the one STAGE_ENTERED event
    assert Notification.objects.count() == 0
    assert mail.outbox == []


def test_a_return_tells_the_subject_why_and_gives_back_the_task(
    mailable: World, django_capture_on_commit_callbacks: Any
) -> None:
    world = mailable
    case = world.start()
    [task] = open_tasks(case)
    set_data(case, plan_ready=True)
    actions.complete_task(task_id=task.pk, actor=world.employee)
    [review] = open_tasks(case)

    with django_capture_on_commit_callbacks(execute=True):
        actions.return_case(
            task_id=review.pk, actor=world.appraiser, to_stage="draft_plan", reason="Target kurang"
        )

    assert rows() == [
        (world.employee.pk, AuditCode.STAGE_ENTERED, "Tugas baru: Menyusun rencana"),
        (world.employee.pk, AuditCode.CASE_RETURNED, "Dokumen dikembalikan: Dokumen uji"),
    ]
    returned = Notification.objects.get(code=AuditCode.CASE_RETURNED)
    assert returned.body == "Dokumen dikembalikan ke tahap Menyusun rencana. Alasan: Target kurang"


def test_a_reassignment_notifies_the_new_owner(
    mailable: World, django_capture_on_commit_callbacks: Any
) -> None:
    world = mailable
    case = world.start()
    [task] = open_tasks(case)

    with django_capture_on_commit_callbacks(execute=True):
        actions.reassign_task(
            task_id=task.pk, actor=world.admin, to_user=world.outsider, reason="Cuti panjang"
        )

    assert rows() == [
        (
            world.outsider.pk,
            AuditCode.TASK_REASSIGNED,
            "Tugas dialihkan kepada Anda: Menyusun rencana",
        )
    ]
    assert Notification.objects.get().body == "Dokumen uji. Alasan: Cuti panjang"


def test_closing_notifies_the_subject(
    mailable: World, django_capture_on_commit_callbacks: Any
) -> None:
    world = mailable
    case = actions.start_case(
        template=one_stage(world), subject_id=world.employee.pk, title="Ringkas", actor=world.admin
    )
    [task] = open_tasks(case)

    with django_capture_on_commit_callbacks(execute=True):
        actions.complete_task(task_id=task.pk, actor=world.employee)

    assert rows() == [(world.employee.pk, AuditCode.CASE_CLOSED, "Dokumen final: Ringkas")]


def test_a_pool_stage_notifies_every_candidate(
    mailable: World, django_capture_on_commit_callbacks: Any
) -> None:
    world = mailable
    with django_capture_on_commit_callbacks(execute=True):
        actions.start_case(
            template=one_stage(world, Role.HR),
            subject_id=world.employee.pk,
            title="Antrean",
            actor=world.admin,
        )

    assert rows() == [
        (world.hr[0].pk, AuditCode.STAGE_ENTERED, "Tugas baru: Penetapan"),
        (world.hr[1].pk, AuditCode.STAGE_ENTERED, "Tugas baru: Penetapan"),
    ]
    assert sorted(message.to[0] for message in mail.outbox) == [
        "bkpsdm1@contoh.go.id",
        "bkpsdm2@contoh.go.id",
    ]


def test_a_failing_listener_never_fails_the_committed_action(
    mailable: World, django_capture_on_commit_callbacks: Any, caplog: Any
) -> None:
    world = mailable

    def broken(case: Case) -> str:
        raise RuntimeError("no route")

    register(dataclasses.replace(get_process(KIND), case_url=broken))
    with django_capture_on_commit_callbacks(execute=True):
        case = world.start()

    assert Case.objects.get(pk=case.pk).stage_key == "draft_plan"
    assert Notification.objects.count() == 0
    assert "Could not create notifications" in caplog.text


# notify() for processes -------------------------------------------------------------------


def test_notify_waits_for_the_commit_and_writes_nothing_on_rollback(
    mailable: World, django_capture_on_commit_callbacks: Any
) -> None:
    world = mailable
    message = {
        "tenant_id": world.tenant.pk,
        "case_id": None,
        "code": AuditCode.PROCESS_EVENT,
        "title": "Periode penilaian dibuka",
        "body": "Silakan menyusun rencana.",
        "url": "/periode/1/",
    }

    def notify_then_fail() -> None:
        with transaction.atomic():
            notifications.notify([world.employee.pk], **message)
            raise RuntimeError("rolled back")

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        notify_then_fail()
    assert Notification.objects.count() == 0

    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        notifications.notify([world.employee.pk, world.appraiser.pk, world.employee.pk], **message)
        assert Notification.objects.count() == 0

    assert rows() == [
        (world.employee.pk, AuditCode.PROCESS_EVENT, "Periode penilaian dibuka"),
        (world.appraiser.pk, AuditCode.PROCESS_EVENT, "Periode penilaian dibuka"),
    ]
    assert sorted(m.to[0] for m in mail.outbox) == ["pegawai@contoh.go.id", "penilai@contoh.go.id"]


# E-mail preferences and idempotency -------------------------------------------------------


def _one_notification(world: World, user: Any) -> Notification:
    [row] = notifications.create_notifications(
        [user.pk],
        tenant_id=world.tenant.pk,
        case_id=None,
        code=AuditCode.PROCESS_EVENT,
        title="Uji",
        body="Isi",
    )
    return row


@pytest.mark.parametrize(
    ("email", "enabled", "digest", "sent"),
    [
        ("a@contoh.go.id", True, DigestChoice.IMMEDIATE, True),
        ("", True, DigestChoice.IMMEDIATE, False),
        ("a@contoh.go.id", False, DigestChoice.IMMEDIATE, False),
        ("a@contoh.go.id", True, DigestChoice.DAILY, False),
        ("a@contoh.go.id", True, DigestChoice.OFF, False),
    ],
)
def test_email_follows_the_users_address_and_preferences(
    world: World, email: str, enabled: bool, digest: str, sent: bool
) -> None:
    world.employee.email = email
    world.employee.save(update_fields=["email"])
    NotificationPreference.objects.create(user=world.employee, email_enabled=enabled, digest=digest)
    row = _one_notification(world, world.employee)

    assert notifications.email_notification(row.pk) is sent

    row.refresh_from_db()
    assert (row.emailed_at is not None) is sent
    assert len(mail.outbox) == (1 if sent else 0)


def test_a_user_without_preferences_gets_immediate_email(world: World) -> None:
    assert notifications.immediate_email_user_ids([world.employee.pk]) == set()
    world.employee.email = "a@contoh.go.id"
    world.employee.save(update_fields=["email"])
    assert notifications.immediate_email_user_ids([world.employee.pk]) == {world.employee.pk}


def test_the_email_task_run_twice_sends_once(mailable: World) -> None:
    row = _one_notification(mailable, mailable.employee)

    first = tasks.send_notification_email.apply(args=(row.pk,)).get()
    second = tasks.send_notification_email.apply(args=(row.pk,)).get()

    assert (first, second) == (True, False)
    assert len(mail.outbox) == 1


def test_a_read_notification_is_not_emailed(mailable: World) -> None:
    row = _one_notification(mailable, mailable.employee)
    notifications.mark_read(mailable.employee, row.pk)

    assert notifications.email_notification(row.pk) is False
    assert mail.outbox == []


def test_a_failed_send_releases_the_claim_so_a_retry_sends_once(
    mailable: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    row = _one_notification(mailable, mailable.employee)

    def refuse(*args: Any, **kwargs: Any) -> int:
        raise smtplib.SMTPServerDisconnected("down")

    monkeypatch.setattr(notifications, "send_mail", refuse)
    with pytest.raises(smtplib.SMTPServerDisconnected):
        notifications.email_notification(row.pk)
    row.refresh_from_db()
    assert row.emailed_at is None
    monkeypatch.undo()

    assert notifications.email_notification(row.pk) is True
    assert notifications.email_notification(row.pk) is False
    assert len(mail.outbox) == 1


# Daily digest -------------------------------------------------------------------------


def test_the_daily_digest_groups_unread_unmailed_notifications_once(
    mailable: World, django_capture_on_commit_callbacks: Any
) -> None:
    world = mailable
    NotificationPreference.objects.create(user=world.employee, digest=DigestChoice.DAILY)
    NotificationPreference.objects.create(
        user=world.appraiser, digest=DigestChoice.DAILY, email_enabled=False
    )
    first, second, read = (
        notifications.create_notifications(
            [world.employee.pk, world.appraiser.pk],
            tenant_id=world.tenant.pk,
            case_id=None,
            code=AuditCode.PROCESS_EVENT,
            title=title,
            url="/dokumen/9/",
        )[0]
        for title in ("Satu", "Dua", "Tiga")
    )
    notifications.mark_read(world.employee, read.pk)
    with django_capture_on_commit_callbacks(execute=True):
        immediate = _one_notification(world, world.supervisor)
    assert [m.to for m in mail.outbox] == [["atasan@contoh.go.id"]]  # immediate, at commit
    mail.outbox.clear()
    now = datetime.datetime(2026, 8, 18, 0, 0, tzinfo=UTC)

    assert notifications.send_daily_digests(now) == 1
    assert notifications.send_daily_digests(now) == 0

    [message] = mail.outbox
    assert message.to == ["pegawai@contoh.go.id"]
    assert message.subject == "[Kinerja ASN] Ringkasan harian: 2 notifikasi belum dibaca"
    assert "- Satu\n  http://127.0.0.1:8000/dokumen/9/" in message.body
    assert "- Dua" in message.body
    assert "Tiga" not in message.body
    emailed = dict(Notification.objects.values_list("pk", "emailed_at"))
    assert (emailed[first.pk], emailed[second.pk], emailed[read.pk]) == (now, now, None)
    assert (
        Notification.objects.filter(recipient=world.appraiser, emailed_at__isnull=False).count()
        == 0
    )
    immediate.refresh_from_db()
    assert immediate.emailed_at is not None
    assert immediate.emailed_at != now


def test_the_digest_task_runs_the_digest(mailable: World) -> None:
    NotificationPreference.objects.create(user=mailable.employee, digest=DigestChoice.DAILY)
    _one_notification(mailable, mailable.employee)

    assert tasks.send_daily_digests.apply().get() == 1
    assert len(mail.outbox) == 1


def test_with_a_broker_the_email_is_queued_for_a_worker(
    mailable: World,
    settings: Any,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:6379/9"
    queued: list[int] = []
    monkeypatch.setattr(tasks.send_notification_email, "delay", queued.append)

    with django_capture_on_commit_callbacks(execute=True):
        row = _one_notification(mailable, mailable.employee)

    assert queued == [row.pk]
    assert mail.outbox == []


def test_without_a_broker_a_mail_server_failure_is_logged_once_and_the_row_kept(
    mailable: World,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
    caplog: Any,
) -> None:
    attempts: list[int] = []

    def refuse(*args: Any, **kwargs: Any) -> int:
        attempts.append(1)
        raise smtplib.SMTPServerDisconnected("down")

    monkeypatch.setattr(notifications, "send_mail", refuse)
    with django_capture_on_commit_callbacks(execute=True):
        row = _one_notification(mailable, mailable.employee)

    assert attempts == [1]
    row.refresh_from_db()
    assert row.emailed_at is None
    assert "Could not send or queue the e-mail" in caplog.text
