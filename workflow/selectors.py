"""Read-only queries for inboxes and consoles. Each returns one queryset: one query per page.

Rights come from ``workflow.policy`` (the same filters the actions check), so what a user
sees in a list is exactly what they may act on.
"""

from __future__ import annotations

import dataclasses
import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from viewflow.workflow.status import PROCESS, STATUS

from workflow import jobs, policy
from workflow.models import (
    AuditCode,
    AuditEntry,
    Case,
    Job,
    Notification,
    NotificationPreference,
    TemplateVersion,
    WorkItem,
)
from workflow.registry import UnknownProcess, get_process

OPEN = (STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED)
_RELATED = ("process__case", "process__case__template_version", "owner", "acting_for")


def _current(queryset: QuerySet[WorkItem]) -> QuerySet[WorkItem]:
    """Keep tasks of open cases that match their case's current stage and visit."""
    return queryset.filter(
        process__status=PROCESS.NEW,
        process__case__visit=F("visit"),
        process__case__stage_key=F("stage_key"),
    )


def inbox_for(user: Any, *, on: datetime.date | None = None) -> QuerySet[WorkItem]:
    """Return the open tasks assigned to ``user`` or to anyone whose rights they hold on ``on``."""
    day = on or timezone.localdate()
    owners = Q(owner_id=user.pk) | Q(owner_id__in=policy.principal_ids_subquery(user.pk, day))
    return (
        _current(WorkItem.objects.filter(owners, status__in=(STATUS.ASSIGNED, STATUS.STARTED)))
        .select_related(*_RELATED)
        .order_by(F("due_at").asc(nulls_last=True), "created", "pk")
    )


def queue_for(user: Any, *, on: datetime.date | None = None) -> QuerySet[WorkItem]:
    """Return unclaimed pool tasks where ``user`` (or their team) may act, not on their own.

    One row per document stage: the seats of a parallel N-of-M stage are alike, so only the
    first unclaimed one is listed. A stage where the user already holds or did a task is
    left out, as ``claim_task`` refuses a second seat to the same person.
    """
    day = on or timezone.localdate()
    held = WorkItem.objects.filter(
        process_id=OuterRef("process_id"), visit=OuterRef("visit"), owner_id=user.pk
    ).exclude(status=STATUS.CANCELED)
    earlier_seat = WorkItem.objects.filter(
        process_id=OuterRef("process_id"),
        visit=OuterRef("visit"),
        stage_key=OuterRef("stage_key"),
        status=STATUS.NEW,
        is_pool=True,
        owner__isnull=True,
        pk__lt=OuterRef("pk"),
    )
    return (
        _current(
            WorkItem.objects.filter(
                policy.actable_filter(user.pk, day, field="process_id"),
                status=STATUS.NEW,
                is_pool=True,
                owner__isnull=True,
            )
            .exclude(process__case__subject_id=user.pk)
            .exclude(Exists(held))
            .exclude(Exists(earlier_seat))
        )
        .select_related(*_RELATED)
        .order_by(F("due_at").asc(nulls_last=True), "created", "pk")
    )


def overdue_for(user: Any, *, now: datetime.datetime | None = None) -> QuerySet[WorkItem]:
    """Return the user's open tasks whose due time has passed."""
    moment = now or timezone.now()
    return inbox_for(user, on=timezone.localdate(moment)).filter(due_at__lt=moment)


def done_by(user: Any) -> QuerySet[WorkItem]:
    """Return the tasks ``user`` completed, newest first."""
    return (
        WorkItem.objects.filter(owner_id=user.pk, status=STATUS.DONE)
        .exclude(stage_key="")
        .select_related(*_RELATED)
        .order_by("-finished", "-pk")
    )


def tasks_of_case(case: Case) -> QuerySet[WorkItem]:
    """Return every stage task of a case in creation order (its history)."""
    return (
        WorkItem.objects.filter(process_id=case.pk)
        .exclude(stage_key="")
        .select_related("owner", "acting_for")
        .order_by("created", "pk")
    )


def stages_taken_part_in(case_id: int, user_id: int, on: datetime.date) -> set[str]:
    """Return the keys of the stages of a case in which a user had a share, on any visit.

    A share is a task the user (or anyone whose rights they hold on ``on``) owned, acted in
    for someone, or could claim from a pool. Two queries, whatever the history's length.
    """
    people = {
        user_id,
        *policy.active_delegations(user_id, on).values_list("principal_id", flat=True),
    }
    tasks = (
        WorkItem.objects.filter(process_id=case_id)
        .exclude(stage_key="")
        .only("stage_key", "owner_id", "acting_for_id", "data")
    )
    return {
        task.stage_key
        for task in tasks
        if task.owner_id in people
        or task.acting_for_id in people
        or not people.isdisjoint(task.candidate_ids)
    }


def stuck_work(
    user: Any, *, now: datetime.datetime | None = None, phase: str = "", stage_key: str = ""
) -> QuerySet[WorkItem]:
    """Return open tasks that need an admin, in the tenants ``user`` administers.

    Stuck means: older than its SLA, or nobody eligible was found (vacant post, no
    supervisor on record, empty team), or its assignee's account is inactive.
    """
    moment = now or timezone.now()
    administered = policy.administered_filter(user)
    if administered is None:
        return WorkItem.objects.none()
    queryset = _current(
        WorkItem.objects.filter(
            status__in=OPEN,
            process_id__in=Case.objects.filter(administered).values("pk"),
        )
    ).filter(Q(due_at__lt=moment) | Q(needs_actor=True) | Q(owner__is_active=False))
    if phase:
        queryset = queryset.filter(process__case__phase=phase)
    if stage_key:
        queryset = queryset.filter(stage_key=stage_key)
    return queryset.select_related(*_RELATED).order_by(
        F("due_at").asc(nulls_first=True), "created", "pk"
    )


@dataclass(frozen=True)
class StuckReason:
    """Why a task is stuck and for how long."""

    code: str
    label: str
    age: datetime.timedelta


def _join_sentences(parts: list[str]) -> str:
    """Join problems: full sentences by a space, fragments by "; "."""
    text = ""
    for part in (str(item).strip() for item in parts):
        if not part:
            continue
        if text:
            text += " " if text.endswith((".", "!", "?")) else "; "
        text += part
    return text


def stuck_reason(task: WorkItem, now: datetime.datetime | None = None) -> StuckReason:
    """Explain a task returned by ``stuck_work`` (no query: uses the selected rows)."""
    moment = now or timezone.now()
    if task.needs_actor:
        detail = _join_sentences(task.problems) or _("tidak ada pelaksana yang memenuhi syarat")
        return StuckReason(
            "no_actor",
            _("Tidak ada pelaksana: %(detail)s") % {"detail": detail},
            moment - task.created,
        )
    if task.owner is not None and not task.owner.is_active:
        return StuckReason("inactive", _("Pelaksana tidak aktif"), moment - task.created)
    due = task.due_at or task.created
    return StuckReason("overdue", _("Melewati batas waktu"), moment - due)


# Deadlines -------------------------------------------------------------------------------


def tasks_to_remind(now: datetime.datetime, until: datetime.datetime) -> QuerySet[WorkItem]:
    """Return open current-stage tasks due after ``now`` up to ``until``, not yet reminded."""
    return _current(
        WorkItem.objects.filter(
            status__in=OPEN, reminded_at__isnull=True, due_at__gt=now, due_at__lte=until
        )
    ).order_by("due_at", "pk")


def tasks_to_escalate(now: datetime.datetime) -> QuerySet[WorkItem]:
    """Return open current-stage tasks whose due time passed before ``now``, not escalated."""
    return _current(
        WorkItem.objects.filter(status__in=OPEN, escalated_at__isnull=True, due_at__lt=now)
    ).order_by("due_at", "pk")


# Notifications ---------------------------------------------------------------------------


def notifications_for(user: Any) -> QuerySet[Notification]:
    """Return ``user``'s own notifications, newest first."""
    return Notification.objects.filter(recipient_id=user.pk).order_by("-created_at", "-pk")


def unread_count_for(user: Any) -> int:
    """Return how many of ``user``'s notifications are unread (one COUNT query)."""
    return Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True).count()


def preference_for(user: Any) -> NotificationPreference:
    """Return ``user``'s preferences (the defaults, unsaved, when they never chose)."""
    return NotificationPreference.objects.filter(user_id=user.pk).first() or (
        NotificationPreference(user_id=user.pk)
    )


# Jobs ------------------------------------------------------------------------------------


def job_for(user: Any, job_id: int) -> Job | None:
    """Return the job if ``user`` created it or administers its tenant, else None."""
    job = Job.objects.filter(pk=job_id).first()
    if job is None or user is None or not user.is_authenticated:
        return None
    if job.created_by_id == user.pk or policy.administers_tenant(user, job.tenant_id):
        return jobs.with_live_progress(job)
    return None


# A case's history ---------------------------------------------------------------------


def person_name(user: Any) -> str:
    """Return a user's full name, or their username when they have none."""
    if user is None:
        return ""
    return str(user.get_full_name() or user.get_username())


@dataclass(frozen=True)
class TimelineRow:
    """One audit row of a case as people read it (see ``timeline_for``)."""

    entry: AuditEntry
    at: datetime.datetime
    label: str  # what happened: "Tahap selesai", "Dikembalikan", ...
    actor: str  # who did it; "" for the system (deadlines, the scheduler)
    capacity: str  # in which capacity, e.g. "a.n. Budi (Plt. Kepala Dinas)"; "" when own
    from_stage: str  # stage names (the key when no version knows it)
    to_stage: str
    reason: str
    reason_label: str = ""  # "Alasan" for a decision, "Catatan" for a note on a step
    count: int = 1  # alike process events in a row, shown once

    @property
    def moved(self) -> bool:
        """Return True when the row moved the case from one stage to another."""
        return bool(self.from_stage and self.to_stage and self.from_stage != self.to_stage)


def _stage_names(case: Case) -> dict[str, str]:
    """Return stage names by key: the case's version first, then its template's other versions."""
    names = {spec.key: spec.name for spec in case.template_version.specs()}
    versions = TemplateVersion.objects.filter(
        template_id=case.template_version.template_id
    ).order_by("-number")
    for version in versions:
        for spec in version.specs():
            names.setdefault(spec.key, spec.name)
    return names


# Rows whose text is a note on a step rather than the reason for a decision.
_NOTE_CODES = frozenset(
    {AuditCode.TASK_COMPLETED, AuditCode.STAGE_COMPLETED, AuditCode.PROCESS_EVENT}
)


def _entered_after_skips(entries: list[AuditEntry], index: int) -> str:
    """Return the stage entered after the skips that follow ``entries[index]``, or ''."""
    after = index + 1
    while after < len(entries) and entries[after].code == AuditCode.STAGE_SKIPPED:
        after += 1
    if after == index + 1 or after >= len(entries):
        return ""
    entered = entries[after]
    return entered.to_stage if entered.code == AuditCode.STAGE_ENTERED else ""


def timeline_for(case: Case) -> list[TimelineRow]:
    """Return the case's audit rows, oldest first, with names resolved (three queries at most).

    Stage keys are named from the case's template version, or from another version of the
    same template for rows written before a migration. A completed stage followed by
    skipped ones names the stage actually entered. The process's own rows read as its
    ``event_labels`` say, and alike ones in a row (the same event, person and stage) are
    shown once with their count. Nothing is written.
    """
    entries = list(
        AuditEntry.objects.filter(case_id=case.pk)
        .select_related("actor", "acting_for")
        .order_by("sequence")
    )
    names = _stage_names(case)
    try:
        event_labels = get_process(case.process_kind).event_labels
    except UnknownProcess:
        event_labels = {}
    rows: list[TimelineRow] = []
    for index, entry in enumerate(entries):
        if entry.acting_for_id is not None:
            capacity = _("a.n. %(name)s") % {"name": person_name(entry.acting_for)}
            if entry.capacity:
                capacity = f"{capacity} ({entry.capacity})"
        else:
            capacity = entry.capacity
        label = str(AuditCode(entry.code).label)
        if entry.code == AuditCode.CASE_RETURNED and entry.actor_id == case.subject_id:
            # The document's own subject took it back to change it (a plan revision).
            label = _("Ditarik kembali untuk diubah")
        elif entry.code == AuditCode.PROCESS_EVENT:
            event = str((entry.payload or {}).get("event", ""))
            label = str(event_labels.get(event) or label)
        to_stage = entry.to_stage
        if entry.code == AuditCode.STAGE_COMPLETED:
            to_stage = _entered_after_skips(entries, index) or to_stage
        row = TimelineRow(
            entry=entry,
            at=entry.created_at,
            label=label,
            actor=person_name(entry.actor),
            capacity=capacity,
            from_stage=names.get(entry.from_stage, entry.from_stage),
            to_stage=names.get(to_stage, to_stage),
            reason=entry.reason,
            reason_label=_("Catatan") if entry.code in _NOTE_CODES else _("Alasan"),
        )
        previous = rows[-1] if rows else None
        if (
            previous is not None
            and entry.code == AuditCode.PROCESS_EVENT
            and previous.entry.code == AuditCode.PROCESS_EVENT
            and (previous.label, previous.actor, previous.to_stage, previous.reason)
            == (row.label, row.actor, row.to_stage, row.reason)
        ):
            rows[-1] = dataclasses.replace(row, count=previous.count + 1)
            continue
        rows.append(row)
    return rows


def completed_stages(case: Case) -> frozenset[str]:
    """Return the keys of the stages the case has completed on its way to where it stands.

    A stage counts when its completion is audited and it lies before the current stage in
    the case's version (after a return, stages after the current one must be done again);
    a final case counts every completed stage, the last included. One query.
    """
    completed = set(
        AuditEntry.objects.filter(case_id=case.pk, code=AuditCode.STAGE_COMPLETED).values_list(
            "from_stage", flat=True
        )
    )
    keys = [spec.key for spec in case.template_version.specs()]
    if case.closed_at is not None or case.stage_key not in keys:
        return frozenset(key for key in keys if key in completed)
    earlier = keys[: keys.index(case.stage_key)]
    return frozenset(key for key in earlier if key in completed)
