"""In-app notifications and their e-mails.

Workflow events become ``Notification`` rows only after the action's transaction commits:
the engine hands events to listeners through ``transaction.on_commit`` (see
``workflow.actions._emit``), and ``notify`` defers the same way, so a rolled-back action
notifies nobody and e-mails nobody.

E-mail goes through Django's mail API from the Celery task
``workflow.tasks.send_notification_email``. Each row is e-mailed at most once: the sender
first claims it with ``UPDATE ... SET emailed_at = now WHERE emailed_at IS NULL`` and only
the claimer sends, so a retried or duplicated task never sends twice. Users choose per
notification e-mails ("immediate"), one daily digest ("daily") or none ("off").

Writes made for users (marking read, saving preferences) live here too; views call them.
"""

from __future__ import annotations

import datetime
import logging
import zoneinfo
from collections.abc import Iterable
from functools import partial
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import connection, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from config.templatetags.ui import local_time_filter
from workflow.actions import WorkflowEvent
from workflow.conf import broker_configured, site_url
from workflow.models import (
    AuditCode,
    Case,
    DigestChoice,
    Notification,
    NotificationPreference,
    WorkItem,
)
from workflow.registry import UnknownProcess, get_process
from workflow.spec import BreachAction

logger = logging.getLogger(__name__)

PREFERENCE = "workflow_notification_preference"  # the reverse one-to-one from the user
TITLE_LENGTH = Notification._meta.get_field("title").max_length or 200


# Creating notifications ----------------------------------------------------------------


def notify(
    recipient_ids: Iterable[int],
    *,
    tenant_id: int,
    case_id: int | None,
    code: int,
    title: str,
    body: str = "",
    url: str = "",
) -> None:
    """Notify each recipient once the current transaction commits (at once outside one).

    For processes' own messages (``code`` is an ``AuditCode``, usually PROCESS_EVENT).
    Nothing is written when the surrounding transaction rolls back. E-mails follow each
    recipient's preferences.
    """
    ids = tuple(sorted(set(recipient_ids)))
    if not ids:
        return
    transaction.on_commit(
        partial(
            _create_after_commit,
            ids,
            tenant_id=tenant_id,
            case_id=case_id,
            code=code,
            title=title,
            body=body,
            url=url,
        )
    )


def _create_after_commit(recipient_ids: tuple[int, ...], **message: Any) -> None:
    try:
        with transaction.atomic():
            create_notifications(recipient_ids, **message)
    except Exception:
        # The action the message is about has committed; a failed notification must not
        # turn its response into an error. The log names what was lost.
        logger.exception("Could not create notifications for %s: %s", recipient_ids, message)


def create_notifications(
    recipient_ids: Iterable[int],
    *,
    tenant_id: int,
    case_id: int | None,
    code: int,
    title: str,
    body: str = "",
    url: str = "",
    now: datetime.datetime | None = None,
) -> list[Notification]:
    """Insert one row per recipient now, inside the caller's transaction; e-mail after commit.

    Engine code that must write the notification together with other rows (the reminder
    scheduler claims a task and notifies in one transaction) calls this; everything else
    calls ``notify``.
    """
    ids = sorted(set(recipient_ids))
    if not ids:
        return []
    moment = now or timezone.now()
    rows = Notification.objects.bulk_create(
        [
            Notification(
                recipient_id=user_id,
                tenant_id=tenant_id,
                case_id=case_id,
                code=int(code),
                title=title[:TITLE_LENGTH],
                body=body,
                url=url,
                created_at=moment,
            )
            for user_id in ids
        ]
    )
    wanting = immediate_email_user_ids(ids)
    for row in rows:
        if row.recipient_id in wanting:
            transaction.on_commit(partial(_queue_email, row.pk))
    return rows


def immediate_email_user_ids(user_ids: Iterable[int]) -> set[int]:
    """Return which of ``user_ids`` get one e-mail per notification (one query)."""
    user_model = get_user_model()
    email_field = user_model.get_email_field_name()
    wants = Q(**{f"{PREFERENCE}__isnull": True}) | Q(
        **{f"{PREFERENCE}__email_enabled": True, f"{PREFERENCE}__digest": DigestChoice.IMMEDIATE}
    )
    return set(
        user_model.objects.filter(wants, pk__in=list(user_ids), is_active=True)
        .exclude(**{email_field: ""})
        .values_list("pk", flat=True)
    )


def _queue_email(notification_id: int) -> None:
    from workflow.tasks import send_notification_email

    try:
        if broker_configured():
            send_notification_email.delay(notification_id)
        else:
            # No worker (the embedded default): one attempt now, no retries in the request.
            email_notification(notification_id)
    except Exception:
        # A broker or mail server that is down must not fail the action; the notification
        # is still shown in the application.
        logger.exception("Could not send or queue the e-mail of notification %s", notification_id)


# Workflow events -------------------------------------------------------------------------


def on_workflow_event(event: WorkflowEvent) -> None:
    """Turn a committed workflow event into notifications (registered in ``ready()``).

    Stage entered: the new tasks' owners, or a pool task's candidates; returned: the
    subject; reassigned: the new owner; closed: the subject; escalated or reminded: the
    event's recipients. Other events notify nobody.
    """
    try:
        with transaction.atomic(), translation.override(settings.LANGUAGE_CODE):
            _notify_event(event)
    except Exception:
        logger.exception("Could not create notifications for %s", event)


def _stage_name(case: Case, stage_key: str) -> str:
    try:
        return case.template_version.stage(stage_key or case.stage_key).name
    except KeyError:
        return stage_key


def _local_due(case: Case, due: datetime.datetime | None) -> str:
    if due is None:
        return ""
    try:
        zone = get_process(case.process_kind).deadline_policy(case).zone
    except UnknownProcess:
        zone = settings.TIME_ZONE
    # As the pages write it: "21 Des 2026 23.59 WITA".
    with timezone.override(zoneinfo.ZoneInfo(zone)):
        return local_time_filter(due)


def _case_url(case: Case) -> str:
    try:
        return get_process(case.process_kind).case_url(case)
    except UnknownProcess:
        return ""


def _notify_event(event: WorkflowEvent) -> None:
    case = Case.objects.select_related("template_version").filter(pk=event.case_id).first()
    if case is None:
        return
    stage = _stage_name(case, event.stage_key)
    title_case = case.title
    recipients: set[int] = set(event.recipient_ids)
    code = event.code
    if code == AuditCode.STAGE_ENTERED:
        due = None
        for task in WorkItem.objects.filter(pk__in=event.task_ids).order_by("pk"):
            due = due or task.due_at
            if task.owner_id is None and task.is_pool:
                recipients.update(task.candidate_ids)
        title = _("Tugas baru: %(stage)s") % {"stage": stage}
        body = _("%(case)s menunggu tindakan Anda pada tahap %(stage)s.") % {
            "case": title_case,
            "stage": stage,
        }
        if due is not None:
            body += " " + _("Batas waktu: %(due)s.") % {"due": _local_due(case, due)}
    elif code == AuditCode.CASE_RETURNED:
        title = _("Dokumen dikembalikan: %(case)s") % {"case": title_case}
        body = _("Dokumen dikembalikan ke tahap %(stage)s. Alasan: %(reason)s") % {
            "stage": stage,
            "reason": event.reason,
        }
    elif code == AuditCode.TASK_REASSIGNED:
        title = _("Tugas dialihkan kepada Anda: %(stage)s") % {"stage": stage}
        body = _("%(case)s. Alasan: %(reason)s") % {"case": title_case, "reason": event.reason}
    elif code == AuditCode.CASE_REOPENED:
        title = _("Dokumen dibuka kembali: %(case)s") % {"case": title_case}
        body = _("Dokumen final dibuka kembali ke tahap %(stage)s. Alasan: %(reason)s") % {
            "stage": stage,
            "reason": event.reason,
        }
    elif code == AuditCode.CASE_CLOSED:
        title = _("Dokumen final: %(case)s") % {"case": title_case}
        body = _("Semua tahap %(case)s telah selesai.") % {"case": title_case}
    elif code == AuditCode.TASK_ESCALATED:
        title, body = _escalation_text(case, stage, event)
    else:
        return
    create_notifications(
        recipients,
        tenant_id=event.tenant_id,
        case_id=case.pk,
        code=code,
        title=title,
        body=body,
        url=_case_url(case),
    )


def _escalation_text(case: Case, stage: str, event: WorkflowEvent) -> tuple[str, str]:
    mode = str(event.extra.get("on_breach", BreachAction.NOTIFY))
    due = event.extra.get("due_at")
    due_text = _local_due(case, datetime.datetime.fromisoformat(due)) if due else ""
    values = {"case": case.title, "stage": stage, "due": due_text}
    if mode == BreachAction.NOTIFY:
        title = _("Terlambat: %(stage)s") % values
        body = _(
            "Tugas Anda pada tahap %(stage)s untuk %(case)s melewati batas waktu %(due)s. "
            "Mohon segera diselesaikan."
        )
    elif mode == BreachAction.REASSIGN:
        title = _("Eskalasi: %(stage)s dialihkan") % values
        body = _(
            "Tahap %(stage)s untuk %(case)s melewati batas waktu %(due)s. Tugasnya dialihkan "
            "kepada atasan pejabat penilai."
        )
    else:
        title = _("Eskalasi: %(stage)s terlambat") % values
        body = _(
            "Tahap %(stage)s untuk %(case)s melewati batas waktu %(due)s dan belum diselesaikan."
        )
    return title, body % values


def reminder_text(case: Case, task: WorkItem) -> tuple[str, str]:
    """Return the title and body of a reminder that ``task`` is due soon."""
    with translation.override(settings.LANGUAGE_CODE):
        stage = _stage_name(case, task.stage_key)
        values = {"case": case.title, "stage": stage, "due": _local_due(case, task.due_at)}
        return (
            _("Pengingat: %(stage)s") % values,
            _("Tugas Anda pada tahap %(stage)s untuk %(case)s berakhir %(due)s.") % values,
        )


def case_url(case: Case) -> str:
    """Return where notifications about ``case`` link to (the process decides)."""
    return _case_url(case)


# E-mail ----------------------------------------------------------------------------------


def _preference(user: Any) -> NotificationPreference:
    try:
        preference: NotificationPreference = getattr(user, PREFERENCE)
    except NotificationPreference.DoesNotExist:
        preference = NotificationPreference(user=user)
    return preference


def _address(user: Any) -> str:
    return str(getattr(user, get_user_model().get_email_field_name(), "") or "")


def absolute_url(path: str) -> str:
    """Return ``path`` prefixed with the site's address (for e-mails); keep full URLs."""
    if not path or "://" in path:
        return path
    return site_url().rstrip("/") + "/" + path.lstrip("/")


def email_notification(notification_id: int) -> bool:
    """E-mail one notification at most once; return True when this call sent it.

    Sent only to an active recipient with an address, e-mail enabled and digest
    "immediate", and only while the row is unread and not yet e-mailed. The row is claimed
    with a conditional UPDATE before sending; if sending fails the claim is released and
    the error raised, so the Celery task retries.
    """
    row = (
        Notification.objects.select_related("recipient", f"recipient__{PREFERENCE}")
        .filter(pk=notification_id)
        .first()
    )
    if row is None or row.emailed_at is not None or row.read_at is not None:
        return False
    user = row.recipient
    preference = _preference(user)
    address = _address(user)
    if not (
        user.is_active
        and address
        and preference.email_enabled
        and preference.digest == DigestChoice.IMMEDIATE
    ):
        return False
    stamp = timezone.now()
    claimed = Notification.objects.filter(
        pk=row.pk, emailed_at__isnull=True, read_at__isnull=True
    ).update(emailed_at=stamp)
    if claimed != 1:
        return False
    try:
        with translation.override(settings.LANGUAGE_CODE):
            text = render_to_string(
                "workflow/notifications/email_notification.txt",
                {
                    "notification": row,
                    "link": absolute_url(row.url),
                    "preferences_link": absolute_url(_preferences_path()),
                },
            )
            send_mail(
                subject=_("[Kinerja ASN] %(title)s") % {"title": row.title},
                message=text,
                from_email=None,
                recipient_list=[address],
            )
    except Exception:
        Notification.objects.filter(pk=row.pk, emailed_at=stamp).update(emailed_at=None)
        raise
    return True


def _preferences_path() -> str:
    from django.urls import reverse

    return reverse("workflow:notification_preferences")


def daily_digest_user_ids() -> list[int]:
    """Return the users due a digest: daily, e-mail on, an address, unread un-mailed rows."""
    user_model = get_user_model()
    pending = Notification.objects.filter(read_at__isnull=True, emailed_at__isnull=True)
    return list(
        user_model.objects.filter(
            is_active=True,
            pk__in=pending.values("recipient_id"),
            **{f"{PREFERENCE}__digest": DigestChoice.DAILY, f"{PREFERENCE}__email_enabled": True},
        )
        .exclude(**{user_model.get_email_field_name(): ""})
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def send_daily_digests(now: datetime.datetime | None = None) -> int:
    """E-mail each daily-digest user one message listing their unread, un-mailed notifications.

    Return the number of e-mails sent. Rows are claimed (``emailed_at``) before sending, so
    a second run, or two runs at once, never list a notification twice.
    """
    sent = 0
    for user_id in daily_digest_user_ids():
        try:
            sent += _send_digest(user_id, now or timezone.now())
        except Exception:
            logger.exception("Could not send the daily digest of user %s", user_id)
    return sent


def _send_digest(user_id: int, stamp: datetime.datetime) -> int:
    user = get_user_model().objects.get(pk=user_id)
    with transaction.atomic():
        pending = Notification.objects.filter(
            recipient_id=user_id, read_at__isnull=True, emailed_at__isnull=True
        ).order_by("created_at", "pk")
        if connection.features.has_select_for_update_skip_locked:
            # Another digest run holding some rows skips them instead of waiting: each row
            # is claimed by exactly one run.
            pending = pending.select_for_update(skip_locked=True)
        rows = list(pending)
        if not rows:
            return 0
        Notification.objects.filter(pk__in=[row.pk for row in rows]).update(emailed_at=stamp)
    try:
        with translation.override(settings.LANGUAGE_CODE):
            text = render_to_string(
                "workflow/notifications/email_digest.txt",
                {
                    "user": user,
                    "items": [(row, absolute_url(row.url)) for row in rows],
                    "list_link": absolute_url(_list_path()),
                    "preferences_link": absolute_url(_preferences_path()),
                },
            )
            send_mail(
                subject=ngettext(
                    "[Kinerja ASN] Ringkasan harian: %(count)d notifikasi belum dibaca",
                    "[Kinerja ASN] Ringkasan harian: %(count)d notifikasi belum dibaca",
                    len(rows),
                )
                % {"count": len(rows)},
                message=text,
                from_email=None,
                recipient_list=[_address(user)],
            )
    except Exception:
        Notification.objects.filter(pk__in=[row.pk for row in rows], emailed_at=stamp).update(
            emailed_at=None
        )
        raise
    return 1


def _list_path() -> str:
    from django.urls import reverse

    return reverse("workflow:notifications")


# What users do ---------------------------------------------------------------------------


def mark_read(user: Any, notification_id: int) -> Notification:
    """Mark one of ``user``'s own notifications read and return it.

    Raise ``Notification.DoesNotExist`` when it is not theirs (or does not exist). Marking
    a read notification again changes nothing.
    """
    Notification.objects.filter(
        pk=notification_id, recipient_id=user.pk, read_at__isnull=True
    ).update(read_at=timezone.now())
    return Notification.objects.get(pk=notification_id, recipient_id=user.pk)


def mark_all_read(user: Any) -> int:
    """Mark every unread notification of ``user`` read; return how many changed."""
    return Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def save_preferences(*, user: Any, email_enabled: bool, digest: str) -> NotificationPreference:
    """Save ``user``'s e-mail choices; raise ValueError for an unknown digest value."""
    if digest not in DigestChoice.values:
        raise ValueError(f"unknown digest {digest!r}")
    preference, _created = NotificationPreference.objects.update_or_create(
        user_id=user.pk, defaults={"email_enabled": email_enabled, "digest": digest}
    )
    return preference
