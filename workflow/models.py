"""Engine models: templates and versions, cases (documents), work items, permissions, audit.

Glossary: a *case* is one document moving through a template's stages (for example one
employee's yearly plan). Its *stage* is where it stands; its *phase* (a django-fsm field)
is the lifecycle state of that stage. A *work item* is one viewflow task: one actor's
share of a stage. A *visit* counts entries into stages, so tasks of an earlier pass
through the same stage are never mistaken for the current one.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import RETURN_VALUE, FSMField, FSMModelMixin, transition
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase
from viewflow.workflow.models import Process, Task

from workflow.spec import OPEN_PHASES, PHASE_ORDER, Phase, StageSpec, parse_stages


class WorkflowTemplate(models.Model):
    """A named, per-tenant stage template with an editable draft and published versions."""

    tenant = models.ForeignKey(
        settings.WORKFLOW_TENANT_MODEL,
        verbose_name=_("instansi"),
        on_delete=models.PROTECT,
        related_name="workflow_templates",
    )
    process_kind = models.CharField(_("jenis proses"), max_length=40)
    code = models.SlugField(_("kode"), max_length=60)
    name = models.CharField(_("nama"), max_length=200)
    description = models.TextField(_("keterangan"), blank=True)
    draft_stages = models.JSONField(_("tahapan (draf)"), default=list, blank=True)
    draft_revision = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("templat tahapan")
        verbose_name_plural = _("templat tahapan")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "code"], name="workflow_template_code"),
        ]
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def draft_specs(self) -> list[StageSpec]:
        """Return the draft's stages (raise TemplateFormatError if malformed)."""
        return parse_stages(self.draft_stages)

    def latest_version(self) -> TemplateVersion | None:
        """Return the newest published version, or None."""
        return self.versions.order_by("-number").first()


class ImmutableRowError(RuntimeError):
    """A published template version or an audit row was about to be changed or deleted."""


class TemplateVersion(models.Model):
    """An immutable published snapshot of a template's stages."""

    template = models.ForeignKey(
        WorkflowTemplate, on_delete=models.PROTECT, related_name="versions"
    )
    number = models.PositiveIntegerField(_("versi"))
    stages = models.JSONField(_("tahapan"))
    checksum = models.CharField(max_length=64)
    published_at = models.DateTimeField(default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    note = models.CharField(_("catatan"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("versi templat")
        verbose_name_plural = _("versi templat")
        constraints = [
            models.UniqueConstraint(fields=["template", "number"], name="workflow_version_number"),
        ]
        ordering = ["template", "number"]

    def __str__(self) -> str:
        return f"{self.template.name} v{self.number}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Insert once; refuse any later change."""
        if not self._state.adding:
            raise ImmutableRowError("A published template version cannot be changed.")
        self.checksum = stages_checksum(self.stages)
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        """Refuse: published versions are kept for the documents pinned to them."""
        raise ImmutableRowError("A published template version cannot be deleted.")

    def specs(self) -> list[StageSpec]:
        """Return the version's stages."""
        cached: list[StageSpec] | None = getattr(self, "_specs", None)
        if cached is None:
            cached = parse_stages(self.stages)
            self._specs = cached
        return cached

    def stage(self, key: str) -> StageSpec:
        """Return the stage ``key``; raise KeyError if this version has none."""
        for spec in self.specs():
            if spec.key == key:
                return spec
        raise KeyError(key)


def stages_checksum(stages: Any) -> str:
    """Return a stable SHA-256 of a stage list."""
    encoded = json.dumps(stages, sort_keys=True, separators=(",", ":")).encode()
    return hashlib.sha256(encoded).hexdigest()


class Team(models.Model):
    """A named team of a tenant (e.g. an independent evaluation team); members via its group."""

    tenant = models.ForeignKey(
        settings.WORKFLOW_TENANT_MODEL, on_delete=models.PROTECT, related_name="workflow_teams"
    )
    code = models.SlugField(_("kode"), max_length=60)
    name = models.CharField(_("nama"), max_length=200)
    group = models.OneToOneField(Group, on_delete=models.PROTECT, related_name="workflow_team")

    class Meta:
        verbose_name = _("tim")
        verbose_name_plural = _("tim")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "code"], name="workflow_team_code")
        ]

    def __str__(self) -> str:
        return self.name


class Delegation(models.Model):
    """An acting official: ``delegate`` holds ``principal``'s rights from start to end day."""

    tenant = models.ForeignKey(
        settings.WORKFLOW_TENANT_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    principal = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="delegations_given"
    )
    delegate = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="delegations_held"
    )
    starts_on = models.DateField(_("mulai"))
    ends_on = models.DateField(_("selesai"))
    capacity_label = models.CharField(_("jabatan yang dipegang"), max_length=200)
    reference = models.CharField(_("nomor SK"), max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("pelimpahan (Plt/Plh)")
        verbose_name_plural = _("pelimpahan (Plt/Plh)")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="workflow_delegation_dates",
            ),
            models.CheckConstraint(
                condition=~models.Q(principal=models.F("delegate")),
                name="workflow_delegation_not_self",
            ),
        ]
        indexes = [models.Index(fields=["delegate", "starts_on", "ends_on"])]

    def __str__(self) -> str:
        return f"{self.delegate} → {self.capacity_label}"


class Case(FSMModelMixin, Process):
    """One document run by the engine (viewflow process, multi-table inheritance)."""

    tenant = models.ForeignKey(
        settings.WORKFLOW_TENANT_MODEL,
        verbose_name=_("instansi"),
        on_delete=models.PROTECT,
        related_name="workflow_cases",
    )
    process_kind = models.CharField(_("jenis proses"), max_length=40, db_index=True)
    template_version = models.ForeignKey(
        TemplateVersion, on_delete=models.PROTECT, related_name="cases"
    )
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("pegawai"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="workflow_cases",
    )
    title = models.CharField(_("judul"), max_length=200)
    stage_key = models.CharField(_("tahap"), max_length=60)
    phase = FSMField(
        _("fase"), choices=Phase.choices, default=Phase.PLAN_DRAFTED, protected=True, max_length=20
    )
    visit = models.PositiveIntegerField(default=0)
    stage_quorum = models.PositiveSmallIntegerField(default=1)
    lock_version = models.PositiveIntegerField(default=0)
    audit_sequence = models.PositiveIntegerField(default=0)
    stage_entered_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    objects: ClassVar[models.Manager[Case]] = models.Manager()

    class Meta:
        verbose_name = _("dokumen")
        verbose_name_plural = _("dokumen")
        default_permissions = ("add", "change", "delete", "view", "manage")
        permissions = [("act_case", _("Dapat bertindak pada tahap dokumen saat ini"))]
        indexes = [models.Index(fields=["tenant", "phase"])]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        """Return True while the case is neither closed nor cancelled."""
        return self.closed_at is None and self.phase != Phase.CANCELLED

    def current_stage(self) -> StageSpec:
        """Return the stage the case stands in."""
        return self.template_version.stage(self.stage_key)

    # Phase transitions. Only engine actions call these; the field is protected, so
    # nothing else can assign it.

    @transition(field=phase, source=list(OPEN_PHASES), target=RETURN_VALUE(*PHASE_ORDER))
    def advance_phase(self, phase: str) -> str:
        """Move forward (or stay) to ``phase`` as a later stage is entered."""
        if PHASE_ORDER.index(phase) < PHASE_ORDER.index(self.phase):
            raise ValueError(f"cannot advance from {self.phase} back to {phase}")
        return phase

    @transition(field=phase, source=list(PHASE_ORDER), target=RETURN_VALUE(*PHASE_ORDER))
    def return_phase(self, phase: str) -> str:
        """Move back (or stay) to ``phase`` as an earlier stage is entered."""
        if PHASE_ORDER.index(phase) > PHASE_ORDER.index(self.phase):
            raise ValueError(f"cannot return from {self.phase} forward to {phase}")
        return phase

    @transition(field=phase, source=list(PHASE_ORDER), target=Phase.CANCELLED)
    def cancel_phase(self) -> None:
        """Cancel the case."""

    @transition(field=phase, source=Phase.CANCELLED, target=RETURN_VALUE(*PHASE_ORDER))
    def revive_phase(self, phase: str) -> str:
        """Bring a cancelled case back to the phase of its stage."""
        return phase


class WorkItem(Task):
    """One actor's share of a stage (viewflow task, multi-table inheritance)."""

    # viewflow is untyped, so the stubs plugin cannot see this model's fields: declare them.
    stage_key: models.CharField[str, str] = models.CharField(
        _("tahap"), max_length=60, db_index=True
    )
    visit: models.PositiveIntegerField[int, int] = models.PositiveIntegerField(default=0)
    due_at: models.DateTimeField[datetime.datetime | None, datetime.datetime | None] = (
        models.DateTimeField(_("batas waktu"), null=True, blank=True, db_index=True)
    )
    is_pool: models.BooleanField[bool, bool] = models.BooleanField(
        default=False, help_text="Claimable by any candidate instead of pre-assigned."
    )
    seat_label: models.CharField[str, str] = models.CharField(
        _("kapasitas"), max_length=200, blank=True
    )
    acting_for: models.ForeignKey[Any, Any] = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    outcome: models.CharField[str, str] = models.CharField(_("hasil"), max_length=30, blank=True)
    needs_actor: models.BooleanField[bool, bool] = models.BooleanField(
        default=False, help_text="Nobody eligible was found when the stage was entered."
    )
    reminded_at: models.DateTimeField[datetime.datetime | None, datetime.datetime | None] = (
        models.DateTimeField(null=True, blank=True)
    )
    escalated_at: models.DateTimeField[datetime.datetime | None, datetime.datetime | None] = (
        models.DateTimeField(null=True, blank=True)
    )
    objects: ClassVar[models.Manager[WorkItem]] = models.Manager()

    class Meta:
        verbose_name = _("tugas")
        verbose_name_plural = _("tugas")
        indexes = [models.Index(fields=["stage_key", "visit"])]

    @property
    def case_id(self) -> int:
        """Return the id of the case (the process row shares its primary key)."""
        return int(self.process_id)

    @property
    def candidate_ids(self) -> list[int]:
        """Return the users who may claim this pool task, as recorded at stage entry."""
        return [int(value) for value in self.data.get("candidates", [])]

    @property
    def problems(self) -> list[str]:
        """Return the reasons recorded when nobody eligible was found."""
        return [str(value) for value in self.data.get("problems", [])]


class CaseUserObjectPermission(UserObjectPermissionBase):
    """Direct foreign-key table for users' object permissions on cases (django-guardian)."""

    content_object = models.ForeignKey(Case, on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        abstract = False
        indexes = [models.Index(fields=["user", "permission"])]


class CaseGroupObjectPermission(GroupObjectPermissionBase):
    """Direct foreign-key table for groups' object permissions on cases (django-guardian)."""

    content_object = models.ForeignKey(Case, on_delete=models.CASCADE)

    class Meta(GroupObjectPermissionBase.Meta):
        abstract = False
        indexes = [models.Index(fields=["group", "permission"])]


class AuditCode(models.IntegerChoices):
    """What an audit row records; grouped in hundreds."""

    CASE_STARTED = 100, _("Dokumen dibuat")
    STAGE_ENTERED = 101, _("Masuk tahap")
    STAGE_SKIPPED = 102, _("Tahap dilewati")
    STAGE_COMPLETED = 103, _("Tahap selesai")
    CASE_CLOSED = 104, _("Dokumen final")
    TASK_CLAIMED = 200, _("Tugas diambil")
    TASK_RELEASED = 201, _("Tugas dilepas")
    TASK_COMPLETED = 202, _("Tugas diselesaikan")
    CASE_RETURNED = 203, _("Dikembalikan")
    TASK_REASSIGNED = 300, _("Tugas dialihkan")
    CASE_CANCELLED = 301, _("Dokumen dibatalkan")
    CASE_REVIVED = 302, _("Dokumen dihidupkan kembali")
    CASE_REOPENED = 303, _("Dokumen final dibuka kembali")
    CASE_MIGRATED = 304, _("Dipindah ke versi templat baru")
    CASE_REPAIRED = 305, _("Diperbaiki oleh pemeriksa konsistensi")
    TASK_ESCALATED = 306, _("Eskalasi keterlambatan")
    TASK_REMINDED = 307, _("Pengingat batas waktu")  # notifications only: no audit row
    TEMPLATE_PUBLISHED = 400, _("Templat diterbitkan")
    PROCESS_EVENT = 500, _("Catatan proses")


class AuditQuerySet(models.QuerySet["AuditEntry"]):
    """Audit rows can be read and added, never updated or deleted in bulk."""

    def update(self, **kwargs: Any) -> int:
        """Refuse."""
        raise ImmutableRowError("Audit rows are append-only.")

    def delete(self) -> tuple[int, dict[str, int]]:
        """Refuse."""
        raise ImmutableRowError("Audit rows are append-only.")


class AuditEntry(models.Model):
    """One append-only audit row, hash-chained to the previous row of the same chain.

    A chain is one case's history (or, for template events, one template's history).
    """

    chain = models.CharField(max_length=40, db_index=True)  # "case:<id>" or "template:<id>"
    sequence = models.PositiveIntegerField()
    created_at = models.DateTimeField(default=timezone.now)
    tenant_id = models.BigIntegerField(db_index=True)
    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, null=True, blank=True, related_name="audit_entries"
    )
    work_item_id = models.BigIntegerField(null=True, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    acting_for = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    capacity = models.CharField(_("kapasitas"), max_length=200, blank=True)
    code = models.PositiveSmallIntegerField(choices=AuditCode.choices)
    from_stage = models.CharField(max_length=60, blank=True)
    to_stage = models.CharField(max_length=60, blank=True)
    from_phase = models.CharField(max_length=20, blank=True)
    to_phase = models.CharField(max_length=20, blank=True)
    reason = models.TextField(_("alasan"), blank=True)
    payload = models.JSONField(default=dict, blank=True)
    previous_hash = models.CharField(max_length=64)
    row_hash = models.CharField(max_length=64)

    objects: ClassVar[models.Manager[AuditEntry]] = AuditQuerySet.as_manager()

    class Meta:
        verbose_name = _("jejak audit")
        verbose_name_plural = _("jejak audit")
        constraints = [
            models.UniqueConstraint(fields=["chain", "sequence"], name="workflow_audit_sequence"),
        ]
        ordering = ["chain", "sequence"]

    def __str__(self) -> str:
        return f"{self.chain}#{self.sequence} {self.get_code_display()}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Insert once; refuse any later change."""
        if not self._state.adding:
            raise ImmutableRowError("Audit rows are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        """Refuse."""
        raise ImmutableRowError("Audit rows are append-only.")

    def hashed_content(self) -> dict[str, Any]:
        """Return the fields the row hash covers."""
        return {
            "chain": self.chain,
            "sequence": self.sequence,
            "created_at": self.created_at.isoformat(),
            "tenant_id": self.tenant_id,
            "case_id": self.case_id,
            "work_item_id": self.work_item_id,
            "actor_id": self.actor_id,
            "acting_for_id": self.acting_for_id,
            "capacity": self.capacity,
            "code": int(self.code),
            "from_stage": self.from_stage,
            "to_stage": self.to_stage,
            "from_phase": self.from_phase,
            "to_phase": self.to_phase,
            "reason": self.reason,
            "payload": self.payload,
            "previous_hash": self.previous_hash,
        }

    def compute_hash(self) -> str:
        """Return the SHA-256 of the hashed content in canonical JSON."""
        encoded = json.dumps(
            self.hashed_content(), sort_keys=True, separators=(",", ":"), default=str
        ).encode()
        return hashlib.sha256(encoded).hexdigest()


class Holiday(models.Model):
    """A public holiday (libur nasional) or a tenant's own day off; no tenant means national.

    Deadlines counted in working days skip these days (see ``workflow.holidays``).
    """

    tenant = models.ForeignKey(
        settings.WORKFLOW_TENANT_MODEL,
        verbose_name=_("instansi"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="workflow_holidays",
        help_text=_("Kosongkan untuk libur nasional yang berlaku bagi semua instansi."),
    )
    date = models.DateField(_("tanggal"))
    name = models.CharField(_("nama"), max_length=200)

    class Meta:
        verbose_name = _("hari libur")
        verbose_name_plural = _("hari libur")
        constraints = [
            # Two partial constraints instead of one on (tenant, date): SQL treats NULLs as
            # distinct, so one constraint would allow the same national day twice.
            models.UniqueConstraint(
                fields=["tenant", "date"],
                condition=models.Q(tenant__isnull=False),
                name="workflow_holiday_tenant_date",
            ),
            models.UniqueConstraint(
                fields=["date"],
                condition=models.Q(tenant__isnull=True),
                name="workflow_holiday_national_date",
            ),
        ]
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date.isoformat()} {self.name}"


class Notification(models.Model):
    """One in-app message to one user, optionally e-mailed (``emailed_at`` set once sent)."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("penerima"),
        on_delete=models.CASCADE,
        related_name="workflow_notifications",
    )
    tenant_id = models.BigIntegerField(db_index=True)
    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    code = models.PositiveSmallIntegerField(_("jenis"), choices=AuditCode.choices)
    title = models.CharField(_("judul"), max_length=200)
    body = models.TextField(_("isi"), blank=True)
    url = models.CharField(_("tautan"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("dibuat"), default=timezone.now)
    read_at = models.DateTimeField(_("dibaca"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("dikirim lewat e-mail"), null=True, blank=True)

    objects: ClassVar[models.Manager[Notification]] = models.Manager()

    class Meta:
        verbose_name = _("notifikasi")
        verbose_name_plural = _("notifikasi")
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="workflow_notif_unread"),
            models.Index(fields=["recipient", "-created_at"], name="workflow_notif_newest"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_unread(self) -> bool:
        """Return True until the recipient marks it read."""
        return self.read_at is None


class DigestChoice(models.TextChoices):
    """How often a user wants notification e-mails."""

    IMMEDIATE = "immediate", _("Segera, satu e-mail per notifikasi")
    DAILY = "daily", _("Ringkasan harian")
    OFF = "off", _("Tidak dikirim")


class NotificationPreference(models.Model):
    """A user's e-mail choices; a user without a row gets the defaults."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="workflow_notification_preference",
    )
    email_enabled = models.BooleanField(_("kirim e-mail"), default=True)
    digest = models.CharField(
        _("frekuensi e-mail"),
        max_length=10,
        choices=DigestChoice.choices,
        default=DigestChoice.IMMEDIATE,
    )

    class Meta:
        verbose_name = _("preferensi notifikasi")
        verbose_name_plural = _("preferensi notifikasi")

    def __str__(self) -> str:
        return f"{self.user}: {self.digest}"


class JobStatus(models.TextChoices):
    """Where a long job stands."""

    QUEUED = "queued", _("Menunggu")
    RUNNING = "running", _("Berjalan")
    DONE = "done", _("Selesai")
    FAILED = "failed", _("Gagal")


class Job(models.Model):
    """A long job of a tenant (an import, opening a cycle) run in batches, with its progress.

    ``done`` and ``total`` are written in the same transaction as each batch, so after a
    crash a re-run continues from the last committed batch. ``attempts`` counts runs and
    fences them: only the latest run may record progress. ``heartbeat_at`` tells a second
    runner whether the first is still alive.
    """

    tenant = models.ForeignKey(
        settings.WORKFLOW_TENANT_MODEL,
        verbose_name=_("instansi"),
        on_delete=models.PROTECT,
        related_name="workflow_jobs",
    )
    kind = models.CharField(_("jenis"), max_length=60, db_index=True)
    status = models.CharField(
        _("status"), max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    total = models.PositiveIntegerField(_("jumlah"), default=0)
    done = models.PositiveIntegerField(_("selesai"), default=0)
    params = models.JSONField(_("parameter"), default=dict, blank=True)
    result = models.JSONField(_("hasil"), default=dict, blank=True)
    error = models.TextField(_("galat"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("dibuat oleh"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("dibuat"), default=timezone.now)
    started_at = models.DateTimeField(_("mulai"), null=True, blank=True)
    finished_at = models.DateTimeField(_("berakhir"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("percobaan"), default=0)
    heartbeat_at = models.DateTimeField(null=True, blank=True)

    objects: ClassVar[models.Manager[Job]] = models.Manager()

    class Meta:
        verbose_name = _("pekerjaan latar")
        verbose_name_plural = _("pekerjaan latar")
        indexes = [models.Index(fields=["tenant", "status"], name="workflow_job_tenant_status")]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.status})"

    @property
    def is_finished(self) -> bool:
        """Return True once the job is done or failed."""
        return self.status in (JobStatus.DONE, JobStatus.FAILED)

    @property
    def percent(self) -> int:
        """Return the progress in whole percent (100 when done)."""
        if self.status == JobStatus.DONE:
            return 100
        if not self.total:
            return 0
        return min(100, self.done * 100 // self.total)
