"""The SKP appraisal: cycles, plans, monitoring, assessment, ratings, objections.

Glossary (DOMAIN.md section 1): an *SKP* (Sasaran Kinerja Pegawai) is one employee's yearly
plan and its evaluation; its *RHK* (Rencana Hasil Kerja) are planned results, each linked
(*intervensi*) to one RHK of the appraiser's agreed plan, or for JPT plans to a unit goal
under one of four *perspektif*; *indikator* measure an RHK; *rencana aksi* are periodic
steps; *realisasi* are achieved values with *bukti dukung* (evidence); *umpan balik* is the
appraiser's feedback; *dialog kinerja* a recorded conversation; *predikat* the grade
computed from the two ratings; *keberatan* an objection to the result.

Where an SKP stands (its stage and phase) lives only on its engine case (``Skp.case``).
Every write goes through ``processes.skp.actions``.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from processes.organisation.models import Agency, Employee, Position, PositionHolding, Unit
from processes.skp.rules import (
    Aggregation,
    Aspect,
    CurveMode,
    CurveRounding,
    FollowUp,
    OrgPredikat,
    PeriodType,
    Predikat,
    Rating,
    aggregation_for,
)


def aggregation_field() -> models.CharField[str, str]:
    """Return the field saying how an indicator's periods make up its year (empty: by rule).

    Library entries and plan indicators both carry it; ``rules.aggregation_for`` reads an
    empty value from the aspect and the unit.
    """
    return models.CharField(
        _("cara menghitung capaian tahunan"),
        max_length=8,
        choices=Aggregation.choices,
        blank=True,
        help_text=_(
            "Kosong: persentase dirata-rata; kuantitas dan biaya dijumlahkan; kualitas dan "
            "waktu dirata-rata."
        ),
    )


class BerAkhlak(models.TextChoices):
    """The seven core values of ASN behaviour (perilaku kerja), DOMAIN.md section 3."""

    BERORIENTASI_PELAYANAN = "berorientasi_pelayanan", _("Berorientasi Pelayanan")
    AKUNTABEL = "akuntabel", _("Akuntabel")
    KOMPETEN = "kompeten", _("Kompeten")
    HARMONIS = "harmonis", _("Harmonis")
    LOYAL = "loyal", _("Loyal")
    ADAPTIF = "adaptif", _("Adaptif")
    KOLABORATIF = "kolaboratif", _("Kolaboratif")


class Perspective(models.TextChoices):
    """The four perspectives of a JPT plan."""

    PENERIMA_LAYANAN = "penerima_layanan", _("Perspektif Penerima Layanan")
    PROSES_BISNIS = "proses_bisnis", _("Perspektif Proses Bisnis")
    PENGUATAN_INTERNAL = "penguatan_internal", _("Perspektif Penguatan Internal")
    ANGGARAN = "anggaran", _("Perspektif Anggaran")


class RatingMethod(models.TextChoices):
    """How an appraiser arrives at a rating (DOMAIN.md section 4, configurable)."""

    JUDGEMENT = "judgement", _("Pertimbangan pejabat penilai (capaian ditampilkan)")
    THRESHOLDS = "thresholds", _("Ambang capaian indikator")


class CurvePopulation(models.TextChoices):
    """Which employees the distribution curve covers (DOMAIN.md section 5, configurable)."""

    UNIT = "unit", _("Seluruh pegawai unit")
    DIRECT_REPORTS = "direct_reports", _("Bawahan langsung pejabat penilai")


class SkpSettings(models.Model):
    """An agency's choices where the rules leave something open; defaults follow DOMAIN.md."""

    agency = models.OneToOneField(Agency, on_delete=models.CASCADE, related_name="skp_settings")
    period_type = models.CharField(
        _("periode penilaian"),
        max_length=10,
        choices=PeriodType.choices,
        default=PeriodType.QUARTERLY,
    )
    sla_working_days = models.BooleanField(
        _("batas waktu tahapan dalam hari kerja"),
        default=False,
        help_text=_("Jika tidak dicentang, batas waktu dihitung dalam hari kalender."),
    )
    rating_method = models.CharField(
        _("cara menentukan rating"),
        max_length=12,
        choices=RatingMethod.choices,
        default=RatingMethod.JUDGEMENT,
    )
    above_from_percent = models.DecimalField(
        _("capaian minimal untuk Di Atas Ekspektasi (%)"),
        max_digits=6,
        decimal_places=2,
        default=Decimal(110),
    )
    below_under_percent = models.DecimalField(
        _("capaian di bawah ini menjadi Di Bawah Ekspektasi (%)"),
        max_digits=6,
        decimal_places=2,
        default=Decimal(80),
    )
    curve_mode = models.CharField(
        _("kurva distribusi"), max_length=5, choices=CurveMode.choices, default=CurveMode.WARN
    )
    curve_rounding = models.CharField(
        _("pembulatan kurva"),
        max_length=7,
        choices=CurveRounding.choices,
        default=CurveRounding.NEAREST,
    )
    curve_population = models.CharField(
        _("cakupan kurva"),
        max_length=14,
        choices=CurvePopulation.choices,
        default=CurvePopulation.UNIT,
    )
    unit_head_follows_unit = models.BooleanField(
        _("rating hasil kerja kepala unit mengikuti capaian unit"), default=True
    )
    objection_days = models.PositiveSmallIntegerField(
        _("jangka waktu keberatan (hari)"),
        default=14,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
    )
    objection_working_days = models.BooleanField(
        _("jangka waktu keberatan dalam hari kerja"), default=False
    )
    below_expectation_follow_up = models.CharField(
        _("tindak lanjut predikat di bawah Baik"),
        max_length=12,
        choices=[
            (FollowUp.DEVELOPMENT.value, FollowUp.DEVELOPMENT.label),
            (FollowUp.TRAINING.value, FollowUp.TRAINING.label),
        ],
        default=FollowUp.DEVELOPMENT,
    )
    period_report_required = models.BooleanField(
        _("laporan capaian tiap akhir periode"),
        default=False,
        help_text=_("Pegawai menyerahkan laporan capaian yang dinilai atasan tiap periode."),
    )
    period_report_lead_days = models.PositiveSmallIntegerField(
        _("laporan capaian dapat diserahkan sejak (hari sebelum akhir periode)"),
        default=7,
        validators=[MaxValueValidator(31)],
        help_text=_(
            "0: sesudah hari terakhir periode. Misalnya 7: laporan Triwulan IV dapat "
            "diserahkan mulai 24 Desember."
        ),
    )
    daily_activities_enabled = models.BooleanField(_("laporan kegiatan harian"), default=False)
    attendance_enabled = models.BooleanField(_("data kehadiran sebagai bukti"), default=False)
    citizen_feedback_enabled = models.BooleanField(_("umpan balik masyarakat"), default=False)
    employee_enters_realisation = models.BooleanField(
        _("pegawai mengisi realisasi sendiri"), default=True
    )
    evidence_max_mb = models.PositiveSmallIntegerField(
        _("ukuran maksimal bukti dukung (MB)"),
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(50)],
    )
    evidence_extensions = models.CharField(
        _("jenis berkas bukti dukung"),
        max_length=200,
        default="pdf,jpg,jpeg,png,xlsx,docx",
        help_text=_("Ekstensi dipisah koma."),
    )
    extra_aspects = models.JSONField(
        _("aspek penilaian tambahan"),
        default=list,
        blank=True,
        help_text=_('Misalnya [{"code": "kompetensi", "name": "Kompetensi"}].'),
    )
    credit_coefficients = models.JSONField(
        _("koefisien angka kredit per jenjang"),
        default=dict,
        blank=True,
        help_text=_("Kosong: tabel nasional. Isi untuk menimpa jenjang tertentu."),
    )

    class Meta:
        verbose_name = _("pengaturan SKP instansi")
        verbose_name_plural = _("pengaturan SKP instansi")

    def __str__(self) -> str:
        return str(self.agency)

    @property
    def allowed_extensions(self) -> set[str]:
        """Return the lower-case evidence extensions without dots."""
        return {
            part.strip().lower().lstrip(".")
            for part in self.evidence_extensions.split(",")
            if part.strip()
        }


class UnitGoal(models.Model):
    """A unit's strategic goal for a year (sasaran strategis); JPT RHK hang under these."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="goals")
    year = models.PositiveSmallIntegerField(_("tahun"))
    code = models.CharField(_("kode"), max_length=40)
    text = models.TextField(_("sasaran"))
    perspective = models.CharField(
        _("perspektif"), max_length=20, choices=Perspective.choices, blank=True
    )

    class Meta:
        verbose_name = _("sasaran unit")
        verbose_name_plural = _("sasaran unit")
        ordering = ["unit", "year", "code"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "year", "code"], name="skp_unit_goal_code")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.text[:60]}"


class IndicatorTemplate(models.Model):
    """An entry of an agency's indicator library, offered when drafting plans."""

    class Source(models.TextChoices):
        MANUAL = "manual", _("Diisi pegawai")
        CITIZEN_FEEDBACK = "citizen_feedback", _("Umpan balik masyarakat (rata-rata skor)")
        ATTENDANCE = "attendance", _("Data kehadiran (persentase hadir)")

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="indicator_library"
    )
    code = models.CharField(_("kode"), max_length=40)
    text = models.CharField(_("indikator"), max_length=300)
    aspect = models.CharField(_("aspek"), max_length=10, choices=Aspect.choices)
    target_unit = models.CharField(_("satuan"), max_length=40)
    default_target = models.DecimalField(
        _("target bawaan"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    source = models.CharField(
        _("sumber realisasi"), max_length=20, choices=Source.choices, default=Source.MANUAL
    )
    aggregation = aggregation_field()

    class Meta:
        verbose_name = _("pustaka indikator")
        verbose_name_plural = _("pustaka indikator")
        ordering = ["agency", "unit", "code"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "code"], name="skp_indicator_template_code")
        ]

    def __str__(self) -> str:
        return self.text


class Cycle(models.Model):
    """An agency's yearly appraisal cycle, run on one stage template."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draf")
        OPEN = "open", _("Berjalan")
        CLOSED = "closed", _("Ditutup")

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="skp_cycles")
    year = models.PositiveSmallIntegerField(_("tahun"))
    name = models.CharField(_("nama"), max_length=200)
    template = models.ForeignKey(
        "workflow.WorkflowTemplate",
        verbose_name=_("templat tahapan"),
        on_delete=models.PROTECT,
        related_name="skp_cycles",
    )
    period_type = models.CharField(
        _("periode penilaian"), max_length=10, choices=PeriodType.choices
    )
    starts_on = models.DateField(_("mulai"))
    ends_on = models.DateField(_("selesai"))
    plan_deadline = models.DateField(_("batas penetapan rencana"), null=True, blank=True)
    evaluation_deadline = models.DateField(_("batas penilaian tahunan"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=6, choices=Status.choices, default=Status.DRAFT
    )
    units = models.ManyToManyField(
        Unit, verbose_name=_("unit yang diikutkan"), blank=True, related_name="+"
    )
    position_kinds = models.JSONField(
        _("jenis jabatan yang diikutkan"),
        default=list,
        blank=True,
        help_text=_("Kosong: semua jenis jabatan."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    opened_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("siklus SKP")
        verbose_name_plural = _("siklus SKP")
        ordering = ["-year", "name"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "year", "name"], name="skp_cycle_name"),
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="skp_cycle_dates"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Skp(models.Model):
    """One employee's SKP in a cycle (a second one after a mid-year transfer)."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    cycle = models.ForeignKey(Cycle, on_delete=models.PROTECT, related_name="skps")
    employee = models.ForeignKey(Employee, on_delete=models.PROTECT, related_name="skps")
    sequence = models.PositiveSmallIntegerField(default=1)
    holding = models.ForeignKey(
        PositionHolding, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    position = models.ForeignKey(Position, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    case = models.OneToOneField(
        "workflow.Case", on_delete=models.PROTECT, null=True, blank=True, related_name="skp"
    )
    period_start = models.DateField(_("periode mulai"))
    period_end = models.DateField(_("periode selesai"))
    closed_reason = models.CharField(_("alasan ditutup"), max_length=200, blank=True)
    revision_reason = models.TextField(
        _("alasan perubahan rencana yang sedang diajukan"), blank=True
    )
    created_at = models.DateTimeField(default=timezone.now)

    # The annual result (the current one; every version is in RatingRecord).
    rating_hasil = models.CharField(
        _("rating hasil kerja"), max_length=12, choices=Rating.choices, blank=True
    )
    rating_perilaku = models.CharField(
        _("rating perilaku kerja"), max_length=12, choices=Rating.choices, blank=True
    )
    predikat = models.CharField(_("predikat"), max_length=16, choices=Predikat.choices, blank=True)
    rated_at = models.DateTimeField(null=True, blank=True)
    result_received_at = models.DateTimeField(_("hasil diterima pegawai"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    finalised_at = models.DateTimeField(null=True, blank=True)
    credit_points = models.DecimalField(
        _("angka kredit"), max_digits=8, decimal_places=3, null=True, blank=True
    )
    follow_up = models.CharField(
        _("tindak lanjut"), max_length=12, choices=FollowUp.choices, blank=True
    )
    follow_up_note = models.TextField(_("catatan tindak lanjut"), blank=True)

    class Meta:
        verbose_name = _("SKP")
        verbose_name_plural = _("SKP")
        ordering = ["cycle", "employee__name", "sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "employee", "sequence"], name="skp_one_per_employee"
            ),
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="skp_period_dates",
            ),
        ]
        indexes = [models.Index(fields=["cycle", "unit"])]

    def __str__(self) -> str:
        return f"SKP {self.cycle.year} {self.employee.name}"

    @property
    def is_jpt(self) -> bool:
        """Return True for senior executives, whose plans use the four perspectives."""
        return self.position.kind == "jpt"


class PlanVersion(models.Model):
    """An agreed plan, frozen: the first agreement and each later revision (with its reason)."""

    skp = models.ForeignKey(Skp, on_delete=models.CASCADE, related_name="plan_versions")
    number = models.PositiveSmallIntegerField()
    reason = models.TextField(_("alasan perubahan"), blank=True)
    snapshot = models.JSONField(_("isi rencana"))
    agreed_at = models.DateTimeField(default=timezone.now)
    agreed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("versi rencana")
        verbose_name_plural = _("versi rencana")
        ordering = ["skp", "number"]
        constraints = [
            models.UniqueConstraint(fields=["skp", "number"], name="skp_plan_version_number")
        ]

    def __str__(self) -> str:
        return f"{self.skp} v{self.number}"


class PlanAttachment(models.Model):
    """The plan's lampiran: resources, accountability scheme and consequences."""

    skp = models.OneToOneField(Skp, on_delete=models.CASCADE, related_name="attachment")
    resources = models.TextField(_("dukungan sumber daya"), blank=True)
    accountability = models.TextField(_("skema pertanggungjawaban"), blank=True)
    consequences = models.TextField(_("konsekuensi"), blank=True)

    class Meta:
        verbose_name = _("lampiran SKP")
        verbose_name_plural = _("lampiran SKP")

    def __str__(self) -> str:
        return f"Lampiran {self.skp}"


class Rhk(models.Model):
    """A planned result (Rencana Hasil Kerja) of the working plan."""

    class Kind(models.TextChoices):
        UTAMA = "utama", _("Utama")
        TAMBAHAN = "tambahan", _("Tambahan")

    skp = models.ForeignKey(Skp, on_delete=models.CASCADE, related_name="rhks")
    kind = models.CharField(_("jenis"), max_length=8, choices=Kind.choices, default=Kind.UTAMA)
    order = models.PositiveSmallIntegerField(default=1)
    text = models.TextField(_("rencana hasil kerja"))
    parent = models.ForeignKey(
        "self",
        verbose_name=_("RHK atasan yang diintervensi"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    unit_goal = models.ForeignKey(
        UnitGoal,
        verbose_name=_("sasaran unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="rhks",
    )
    perspective = models.CharField(
        _("perspektif"), max_length=20, choices=Perspective.choices, blank=True
    )

    class Meta:
        verbose_name = _("RHK")
        verbose_name_plural = _("RHK")
        ordering = ["skp", "kind", "order", "pk"]

    def __str__(self) -> str:
        return self.text[:80]


class Indicator(models.Model):
    """An individual performance indicator of an RHK, with its target."""

    rhk = models.ForeignKey(Rhk, on_delete=models.CASCADE, related_name="indicators")
    order = models.PositiveSmallIntegerField(default=1)
    text = models.CharField(_("indikator"), max_length=300)
    aspect = models.CharField(_("aspek"), max_length=10, choices=Aspect.choices)
    target_value = models.DecimalField(_("target"), max_digits=14, decimal_places=2)
    target_unit = models.CharField(_("satuan"), max_length=40)
    source = models.CharField(
        _("sumber realisasi"),
        max_length=20,
        choices=IndicatorTemplate.Source.choices,
        default=IndicatorTemplate.Source.MANUAL,
    )
    template = models.ForeignKey(
        IndicatorTemplate, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    aggregation = aggregation_field()

    class Meta:
        verbose_name = _("indikator")
        verbose_name_plural = _("indikator")
        ordering = ["rhk", "order", "pk"]

    def __str__(self) -> str:
        return self.text

    @property
    def aggregation_rule(self) -> Aggregation:
        """Return how the periods' realisations make up the result (``rules.aggregation_for``)."""
        return aggregation_for(Aspect(self.aspect), self.target_unit, self.aggregation)


class ActionPlan(models.Model):
    """A periodic action step (rencana aksi) under an RHK."""

    rhk = models.ForeignKey(Rhk, on_delete=models.CASCADE, related_name="action_plans")
    period_index = models.PositiveSmallIntegerField(_("periode"))
    text = models.CharField(_("rencana aksi"), max_length=300)
    target = models.CharField(_("target periode"), max_length=120, blank=True)
    progress_note = models.TextField(_("kemajuan"), blank=True)

    class Meta:
        verbose_name = _("rencana aksi")
        verbose_name_plural = _("rencana aksi")
        ordering = ["rhk", "period_index", "pk"]

    def __str__(self) -> str:
        return self.text


class BehaviourExpectation(models.Model):
    """The appraiser's specific expectation (ekspektasi khusus) for one BerAKHLAK value."""

    skp = models.ForeignKey(Skp, on_delete=models.CASCADE, related_name="expectations")
    value = models.CharField(_("nilai"), max_length=24, choices=BerAkhlak.choices)
    text = models.TextField(_("ekspektasi khusus pimpinan"))
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("ekspektasi perilaku")
        verbose_name_plural = _("ekspektasi perilaku")
        ordering = ["skp", "value"]
        constraints = [
            models.UniqueConstraint(fields=["skp", "value"], name="skp_expectation_per_value")
        ]

    def __str__(self) -> str:
        return f"{self.get_value_display()}: {self.text[:60]}"


# Monitoring ---------------------------------------------------------------------------


class Realisation(models.Model):
    """The achieved value of an indicator in one period."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="realisations")
    period_index = models.PositiveSmallIntegerField(_("periode"))
    value = models.DecimalField(_("realisasi"), max_digits=14, decimal_places=2)
    note = models.TextField(_("keterangan"), blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("realisasi")
        verbose_name_plural = _("realisasi")
        ordering = ["indicator", "period_index"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "period_index"], name="skp_realisation_per_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.indicator}: {self.value}"


def evidence_path(instance: Evidence, filename: str) -> str:
    """Store evidence under a random name: ``evidence/<agency>/<skp>/<uuid>.<ext>``."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"evidence/{instance.skp.agency_id}/{instance.skp_id}/{uuid.uuid4().hex}.{extension}"


class Evidence(models.Model):
    """Bukti dukung: a file stored by the product (served only to those who may see the SKP)
    or a link."""

    skp = models.ForeignKey(Skp, on_delete=models.CASCADE, related_name="evidence")
    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, null=True, blank=True, related_name="evidence"
    )
    period_index = models.PositiveSmallIntegerField(_("periode"), null=True, blank=True)
    file = models.FileField(_("berkas"), upload_to=evidence_path, blank=True, max_length=255)
    original_name = models.CharField(_("nama berkas"), max_length=255, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveIntegerField(default=0)
    url = models.URLField(_("tautan"), blank=True, max_length=500)
    note = models.TextField(_("keterangan"), blank=True)
    kind = models.CharField(
        _("jenis"),
        max_length=20,
        default="evidence",
        help_text=_("evidence, field_observation, explanation or attendance"),
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("bukti dukung")
        verbose_name_plural = _("bukti dukung")
        ordering = ["skp", "-uploaded_at"]

    def __str__(self) -> str:
        return self.original_name or self.url


class Feedback(models.Model):
    """The appraiser's feedback (umpan balik) on an indicator or a behaviour value."""

    skp = models.ForeignKey(Skp, on_delete=models.CASCADE, related_name="feedback")
    period_index = models.PositiveSmallIntegerField(_("periode"), null=True, blank=True)
    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, null=True, blank=True, related_name="feedback"
    )
    value = models.CharField(_("nilai"), max_length=24, choices=BerAkhlak.choices, blank=True)
    text = models.TextField(_("umpan balik"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    capacity = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("umpan balik")
        verbose_name_plural = _("umpan balik")
        ordering = ["skp", "-created_at"]

    def __str__(self) -> str:
        return self.text[:60]


class PerformanceDialog(models.Model):
    """A recorded conversation between appraiser and employee (dialog kinerja)."""

    class Kind(models.TextChoices):
        COACHING = "coaching", _("Pembinaan dan pemantauan")
        RESULT = "result", _("Dialog hasil penilaian")
        OBJECTION = "objection", _("Klarifikasi keberatan")

    skp = models.ForeignKey(Skp, on_delete=models.CASCADE, related_name="dialogs")
    kind = models.CharField(_("jenis"), max_length=10, choices=Kind.choices)
    period_index = models.PositiveSmallIntegerField(_("periode"), null=True, blank=True)
    held_on = models.DateField(_("tanggal"))
    agenda = models.TextField(_("agenda"))
    outcome = models.TextField(_("hasil"))
    follow_up = models.TextField(_("tindak lanjut"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("dialog kinerja")
        verbose_name_plural = _("dialog kinerja")
        ordering = ["skp", "-held_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.held_on}"


class DailyActivity(models.Model):
    """A daily activity entry (laporan kegiatan harian), optionally tied to an RHK."""

    skp = models.ForeignKey(Skp, on_delete=models.CASCADE, related_name="daily_activities")
    day = models.DateField(_("tanggal"))
    rhk = models.ForeignKey(
        Rhk, on_delete=models.SET_NULL, null=True, blank=True, related_name="daily_activities"
    )
    description = models.CharField(_("kegiatan"), max_length=500)
    quantity = models.DecimalField(_("jumlah"), max_digits=10, decimal_places=2, default=Decimal(1))
    output_unit = models.CharField(_("satuan hasil"), max_length=40, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("kegiatan harian")
        verbose_name_plural = _("kegiatan harian")
        ordering = ["skp", "-day", "pk"]
        indexes = [models.Index(fields=["skp", "day"])]

    def __str__(self) -> str:
        return f"{self.day}: {self.description[:60]}"


class AttendanceRecord(models.Model):
    """An employee's attendance figures for a month, imported by the agency."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    employee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="attendance")
    year = models.PositiveSmallIntegerField()
    month = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    working_days = models.PositiveSmallIntegerField(_("hari kerja"))
    present_days = models.PositiveSmallIntegerField(_("hadir"))
    late_count = models.PositiveSmallIntegerField(_("terlambat"), default=0)
    leave_days = models.PositiveSmallIntegerField(_("cuti/izin"), default=0)
    absent_days = models.PositiveSmallIntegerField(_("tanpa keterangan"), default=0)
    source = models.CharField(_("sumber"), max_length=200, blank=True)
    imported_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("data kehadiran")
        verbose_name_plural = _("data kehadiran")
        ordering = ["employee", "year", "month"]
        constraints = [
            models.UniqueConstraint(
                fields=["employee", "year", "month"], name="skp_attendance_per_month"
            )
        ]

    def __str__(self) -> str:
        return f"{self.employee} {self.year}-{self.month:02d}"

    @property
    def present_percent(self) -> Decimal:
        """Return attendance as a percentage of working days (2 decimals)."""
        if not self.working_days:
            return Decimal(0)
        return (Decimal(self.present_days) * 100 / Decimal(self.working_days)).quantize(
            Decimal("0.01")
        )


class PeriodEvaluation(models.Model):
    """One period's evaluation: the employee's achievement report and the appraiser's ratings."""

    skp = models.ForeignKey(Skp, on_delete=models.CASCADE, related_name="period_evaluations")
    period_index = models.PositiveSmallIntegerField(_("periode"))
    report = models.TextField(_("laporan capaian"), blank=True)
    report_submitted_at = models.DateTimeField(null=True, blank=True)
    rating_hasil = models.CharField(
        _("rating hasil kerja"), max_length=12, choices=Rating.choices, blank=True
    )
    rating_perilaku = models.CharField(
        _("rating perilaku kerja"), max_length=12, choices=Rating.choices, blank=True
    )
    predikat = models.CharField(_("predikat"), max_length=16, choices=Predikat.choices, blank=True)
    note = models.TextField(_("catatan penilai"), blank=True)
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    rated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("evaluasi periodik")
        verbose_name_plural = _("evaluasi periodik")
        ordering = ["skp", "period_index"]
        constraints = [
            models.UniqueConstraint(
                fields=["skp", "period_index"], name="skp_period_evaluation_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.skp} periode {self.period_index}"


class ExtraAspectRating(models.Model):
    """A rating of an agency-defined extra aspect (e.g. competence), shown beside the result."""

    skp = models.ForeignKey(Skp, on_delete=models.CASCADE, related_name="extra_ratings")
    period_index = models.PositiveSmallIntegerField(null=True, blank=True)
    aspect = models.CharField(_("aspek"), max_length=40)
    rating = models.CharField(_("rating"), max_length=12, choices=Rating.choices)
    note = models.TextField(_("catatan"), blank=True)
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    rated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("penilaian aspek tambahan")
        verbose_name_plural = _("penilaian aspek tambahan")
        constraints = [
            models.UniqueConstraint(
                fields=["skp", "period_index", "aspect"], name="skp_extra_aspect_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.aspect}: {self.rating}"


# Assessment ---------------------------------------------------------------------------


class SelfAssessment(models.Model):
    """The employee's own summary of an RHK or a behaviour value (penilaian mandiri)."""

    skp = models.ForeignKey(Skp, on_delete=models.CASCADE, related_name="self_assessments")
    rhk = models.ForeignKey(
        Rhk, on_delete=models.CASCADE, null=True, blank=True, related_name="self_assessments"
    )
    value = models.CharField(_("nilai"), max_length=24, choices=BerAkhlak.choices, blank=True)
    text = models.TextField(_("ringkasan capaian"))
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("penilaian mandiri")
        verbose_name_plural = _("penilaian mandiri")
        constraints = [
            models.UniqueConstraint(
                fields=["skp", "rhk"],
                condition=models.Q(rhk__isnull=False),
                name="skp_self_assessment_per_rhk",
            ),
            models.UniqueConstraint(
                fields=["skp", "value"],
                condition=~models.Q(value=""),
                name="skp_self_assessment_per_value",
            ),
        ]

    def __str__(self) -> str:
        return self.text[:60]


class PeerFeedback(models.Model):
    """A peer's feedback on a colleague's behaviour (umpan balik rekan kerja)."""

    skp = models.ForeignKey(Skp, on_delete=models.CASCADE, related_name="peer_feedback")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    value = models.CharField(_("nilai"), max_length=24, choices=BerAkhlak.choices)
    rating = models.CharField(_("penilaian"), max_length=12, choices=Rating.choices)
    text = models.TextField(_("umpan balik"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("umpan balik rekan kerja")
        verbose_name_plural = _("umpan balik rekan kerja")
        constraints = [
            models.UniqueConstraint(
                fields=["skp", "author", "value"], name="skp_peer_feedback_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_value_display()}: {self.get_rating_display()}"


class TeamReview(models.Model):
    """An independent evaluation team's review of an SKP (Tim Penilai Kinerja)."""

    skp = models.ForeignKey(Skp, on_delete=models.CASCADE, related_name="team_reviews")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    summary = models.TextField(_("hasil reviu"))
    recommendation = models.TextField(_("rekomendasi"), blank=True)
    agrees_with_rating = models.BooleanField(_("sependapat dengan rating pejabat penilai"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("reviu tim penilai")
        verbose_name_plural = _("reviu tim penilai")
        ordering = ["skp", "-created_at"]

    def __str__(self) -> str:
        return self.summary[:60]


class FieldObservation(models.Model):
    """A field visit observation recorded as evidence (kunjungan lapangan)."""

    skp = models.ForeignKey(Skp, on_delete=models.CASCADE, related_name="field_observations")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    observed_on = models.DateField(_("tanggal kunjungan"))
    location = models.CharField(_("lokasi"), max_length=200)
    notes = models.TextField(_("catatan pengamatan"))
    evidence = models.ForeignKey(
        Evidence, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("observasi lapangan")
        verbose_name_plural = _("observasi lapangan")
        ordering = ["skp", "-observed_on"]

    def __str__(self) -> str:
        return f"{self.observed_on} {self.location}"


class PublicService(models.Model):
    """A service point citizens can rate on a public page (no login)."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="public_services")
    slug = models.SlugField(_("alamat"), max_length=80, unique=True)
    name = models.CharField(_("nama layanan"), max_length=200)
    is_active = models.BooleanField(_("aktif"), default=True)

    class Meta:
        verbose_name = _("layanan publik")
        verbose_name_plural = _("layanan publik")
        ordering = ["agency", "name"]

    def __str__(self) -> str:
        return self.name


class CitizenFeedback(models.Model):
    """One citizen's rating of a service (1-5) with an optional comment."""

    service = models.ForeignKey(PublicService, on_delete=models.PROTECT, related_name="feedback")
    score = models.PositiveSmallIntegerField(
        _("skor"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.TextField(_("komentar"), blank=True, max_length=1000)
    # A keyed hash of the client address and the day: duplicate detection without keeping
    # the address itself.
    fingerprint = models.CharField(max_length=64, db_index=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("umpan balik masyarakat")
        verbose_name_plural = _("umpan balik masyarakat")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.service}: {self.score}"


class OrganisationResult(models.Model):
    """A unit's organisation predikat for a cycle (annual) or one period, set one level up."""

    cycle = models.ForeignKey(Cycle, on_delete=models.PROTECT, related_name="organisation_results")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    period_index = models.PositiveSmallIntegerField(_("periode"), null=True, blank=True)
    predikat = models.CharField(
        _("predikat kinerja organisasi"), max_length=16, choices=OrgPredikat.choices
    )
    note = models.TextField(_("catatan"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("capaian kinerja organisasi")
        verbose_name_plural = _("capaian kinerja organisasi")
        ordering = ["cycle", "unit", "period_index"]
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "unit"],
                condition=models.Q(period_index__isnull=True),
                name="skp_org_result_annual_once",
            ),
            models.UniqueConstraint(
                fields=["cycle", "unit", "period_index"],
                condition=models.Q(period_index__isnull=False),
                name="skp_org_result_period_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit}: {self.get_predikat_display()}"


class RatingRecord(models.Model):
    """Every annual result an SKP had: the appraiser's, a keberatan decision's, a reopening's."""

    class Kind(models.TextChoices):
        APPRAISER = "appraiser", _("Penilaian pejabat penilai")
        OBJECTION = "objection", _("Keputusan keberatan")

    skp = models.ForeignKey(Skp, on_delete=models.CASCADE, related_name="rating_records")
    kind = models.CharField(_("jenis"), max_length=10, choices=Kind.choices)
    rating_hasil = models.CharField(max_length=12, choices=Rating.choices)
    rating_perilaku = models.CharField(max_length=12, choices=Rating.choices)
    predikat = models.CharField(max_length=16, choices=Predikat.choices)
    justification = models.TextField(_("justifikasi"), blank=True)
    curve_conforms = models.BooleanField(null=True)
    curve_detail = models.JSONField(default=dict, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    capacity = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("riwayat hasil penilaian")
        verbose_name_plural = _("riwayat hasil penilaian")
        ordering = ["skp", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.skp}: {self.get_predikat_display()}"


class Objection(models.Model):
    """A keberatan against the result, decided by the appraiser's supervisor (final)."""

    class Status(models.TextChoices):
        FILED = "filed", _("Diajukan")
        EXPLANATION_REQUESTED = "explanation_requested", _("Meminta penjelasan")
        DECIDED = "decided", _("Diputus")

    class Decision(models.TextChoices):
        UPHELD = "upheld", _("Diterima: hasil diubah")
        PARTLY = "partly", _("Diterima sebagian: hasil diubah")
        REJECTED = "rejected", _("Ditolak: hasil tetap")

    skp = models.OneToOneField(Skp, on_delete=models.CASCADE, related_name="objection")
    reasons = models.TextField(_("alasan keberatan"))
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    filed_at = models.DateTimeField(default=timezone.now)
    deadline = models.DateTimeField(_("batas pengajuan"))
    status = models.CharField(
        _("status"), max_length=24, choices=Status.choices, default=Status.FILED
    )
    decision = models.CharField(_("keputusan"), max_length=10, choices=Decision.choices, blank=True)
    decision_reason = models.TextField(_("pertimbangan keputusan"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_capacity = models.CharField(max_length=200, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("keberatan")
        verbose_name_plural = _("keberatan")
        ordering = ["-filed_at"]

    def __str__(self) -> str:
        return f"Keberatan {self.skp}"


class ObjectionExplanation(models.Model):
    """An explanation the deciding official asked of the appraiser or the employee."""

    class Party(models.TextChoices):
        APPRAISER = "appraiser", _("Pejabat penilai")
        EMPLOYEE = "employee", _("Pegawai")

    objection = models.ForeignKey(Objection, on_delete=models.CASCADE, related_name="explanations")
    party = models.CharField(_("pihak"), max_length=10, choices=Party.choices)
    question = models.TextField(_("pertanyaan"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    answer = models.TextField(_("penjelasan"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    # A supporting document sent with the answer (stored as evidence of kind "explanation").
    evidence = models.ForeignKey(
        "Evidence", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("penjelasan keberatan")
        verbose_name_plural = _("penjelasan keberatan")
        ordering = ["objection", "requested_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_party_display()}: {self.question[:60]}"


def as_dict(instance: models.Model, fields: list[str]) -> dict[str, Any]:
    """Return the named fields of ``instance`` as JSON-friendly values (for snapshots)."""
    result: dict[str, Any] = {}
    for name in fields:
        value = getattr(instance, name)
        result[name] = str(value) if isinstance(value, Decimal) else value
    return result
