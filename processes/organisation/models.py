"""Organisation and people: agencies, units, positions, employees and reporting lines.

Glossary: an *agency* (instansi / pemerintah daerah) is one tenant; a *unit* (OPD or a
sub-unit) is a node of its tree; a *position* (jabatan) reports to another position; an
*employee* (pegawai ASN) is a PNS or PPPK identified by an 18-digit NIP or NI PPPK and
holds a position for a date range (*holding*); an *acting appointment* (Plt / Plh) lets
someone hold a post's rights for dated period under a decree (SK).
"""

from __future__ import annotations

import datetime
import zoneinfo

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from processes.organisation.identity import EmployeeType, InvalidNumber, parse_number

ZONE_LABELS = {"Asia/Jakarta": "WIB", "Asia/Makassar": "WITA", "Asia/Jayapura": "WIT"}


def validate_time_zone(value: str) -> None:
    """Accept only IANA zone names that this machine's zone database knows."""
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("%(value)s bukan nama zona waktu IANA."), params={"value": value})


class Agency(models.Model):
    """An agency (instansi): the tenant every other record belongs to."""

    class Language(models.TextChoices):
        INDONESIAN = "id", _("Bahasa Indonesia")
        ENGLISH = "en", _("English")

    name = models.CharField(_("nama"), max_length=200)
    code = models.SlugField(_("kode"), max_length=40, unique=True)
    time_zone = models.CharField(
        _("zona waktu"), max_length=64, default="Asia/Jakarta", validators=[validate_time_zone]
    )
    language = models.CharField(
        _("bahasa"), max_length=8, choices=Language.choices, default=Language.INDONESIAN
    )

    class Meta:
        verbose_name = _("instansi")
        verbose_name_plural = _("instansi")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def zone_label(self) -> str:
        """Return WIB, WITA or WIT for Indonesian zones, else the IANA name."""
        return ZONE_LABELS.get(self.time_zone, self.time_zone)


class User(AbstractUser):
    """A person who signs in. Belongs to one agency unless a superadmin."""

    agency = models.ForeignKey(
        Agency,
        verbose_name=_("instansi"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
    )
    is_agency_admin = models.BooleanField(
        _("admin kepegawaian instansi"),
        default=False,
        help_text=_("Pengelola kinerja (BKPSDM/BKD) yang mengelola data instansinya."),
    )

    class Meta:
        verbose_name = _("pengguna")
        verbose_name_plural = _("pengguna")

    def __str__(self) -> str:
        full_name = self.get_full_name()
        return full_name or self.username


class Sex(models.TextChoices):
    """Sex as coded in digit 15 of an NIP."""

    MALE = "1", _("Pria")
    FEMALE = "2", _("Wanita")


class EmployeeStatus(models.TextChoices):
    """An employee's status on a date; every status but active keeps them out of a cycle."""

    ACTIVE = "active", _("Aktif")
    RETIRED = "retired", _("Pensiun")
    STUDY_LEAVE = "study_leave", _("Tugas belajar")
    UNPAID_LEAVE = "unpaid_leave", _("Cuti di luar tanggungan negara")
    SUSPENDED = "suspended", _("Diberhentikan sementara")
    TRANSFERRED_OUT = "transferred_out", _("Pindah ke instansi lain")


EXCLUDED_STATUSES: frozenset[str] = frozenset(EmployeeStatus.values) - {EmployeeStatus.ACTIVE}


class Employee(models.Model):
    """A civil servant (PNS or PPPK), identified by NIP or NI PPPK stored as digits."""

    agency = models.ForeignKey(
        Agency, verbose_name=_("instansi"), on_delete=models.PROTECT, related_name="employees"
    )
    user = models.OneToOneField(
        User,
        verbose_name=_("akun"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="employee",
    )
    nip = models.CharField(_("NIP / NI PPPK"), max_length=18, unique=True)
    employee_type = models.CharField(
        _("jenis pegawai"),
        max_length=8,
        choices=[(EmployeeType.PNS.value, "PNS"), (EmployeeType.PPPK.value, "PPPK")],
        default=EmployeeType.PNS.value,
    )
    name = models.CharField(_("nama"), max_length=200)
    sex = models.CharField(_("jenis kelamin"), max_length=1, choices=Sex.choices, blank=True)
    email = models.EmailField(_("surel"), blank=True)

    class Meta:
        verbose_name = _("pegawai")
        verbose_name_plural = _("pegawai")
        ordering = ["name"]
        indexes = [models.Index(fields=["agency", "name"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.nip})"

    def clean(self) -> None:
        """Validate the number by the rules of the employee's type and store digits only."""
        try:
            parsed = parse_number(self.nip, self.employee_type)
        except InvalidNumber as error:
            raise ValidationError({"nip": str(error)}) from error
        self.nip = parsed.digits
        if not self.sex:
            self.sex = parsed.sex
        elif self.employee_type == EmployeeType.PNS and self.sex != parsed.sex:
            raise ValidationError({"sex": _("Jenis kelamin tidak sesuai dengan digit ke-15 NIP.")})


class EmployeeStatusPeriod(models.Model):
    """A dated period in which the employee is not active (retired, on study leave, ...).

    With no period covering a date, the employee is active on that date.
    """

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    employee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="status_periods")
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=[(value, label) for value, label in EmployeeStatus.choices if value != "active"],
    )
    starts_on = models.DateField(_("mulai"))
    ends_on = models.DateField(_("sampai"), null=True, blank=True)
    reference = models.CharField(_("nomor SK"), max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("status pegawai")
        verbose_name_plural = _("status pegawai")
        ordering = ["employee", "starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True)
                | models.Q(ends_on__gte=models.F("starts_on")),
                name="organisation_status_period_dates",
            )
        ]

    def __str__(self) -> str:
        return f"{self.employee}: {self.get_status_display()}"


class Unit(models.Model):
    """An organisational unit: an OPD or one of its sub-units (a tree per agency)."""

    class Kind(models.TextChoices):
        OPD = "opd", _("Perangkat daerah (OPD)")
        SUBUNIT = "subunit", _("Sub-unit (bidang/bagian/seksi)")
        UPT = "upt", _("Unit pelaksana teknis (UPT)")

    agency = models.ForeignKey(
        Agency, verbose_name=_("instansi"), on_delete=models.PROTECT, related_name="units"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("unit induk"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    code = models.CharField(_("kode"), max_length=60)
    name = models.CharField(_("nama"), max_length=200)
    kind = models.CharField(_("jenis"), max_length=10, choices=Kind.choices, default=Kind.OPD)
    # Materialised path of ids ("/3/17/"): a subtree is one indexed prefix filter.
    path = models.CharField(max_length=255, blank=True, db_index=True, editable=False)

    class Meta:
        verbose_name = _("unit kerja")
        verbose_name_plural = _("unit kerja")
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "code"], name="organisation_unit_code"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def depth(self) -> int:
        """Return 0 for a root unit, 1 for its children, and so on."""
        return max(self.path.count("/") - 2, 0)


class PositionKind(models.TextChoices):
    """Kinds of position (jabatan)."""

    JPT = "jpt", _("Jabatan Pimpinan Tinggi (JPT)")
    ADMINISTRATOR = "administrator", _("Administrator")
    PENGAWAS = "pengawas", _("Pengawas")
    FUNGSIONAL = "fungsional", _("Fungsional")
    PELAKSANA = "pelaksana", _("Pelaksana")


class FunctionalLevel(models.TextChoices):
    """Levels of functional positions (jenjang jabatan fungsional)."""

    PEMULA = "pemula", _("Pemula")
    TERAMPIL = "terampil", _("Terampil")
    MAHIR = "mahir", _("Mahir")
    PENYELIA = "penyelia", _("Penyelia")
    AHLI_PERTAMA = "ahli_pertama", _("Ahli Pertama")
    AHLI_MUDA = "ahli_muda", _("Ahli Muda")
    AHLI_MADYA = "ahli_madya", _("Ahli Madya")
    AHLI_UTAMA = "ahli_utama", _("Ahli Utama")


class Position(models.Model):
    """A position (jabatan) in a unit; it reports to another position."""

    agency = models.ForeignKey(
        Agency, verbose_name=_("instansi"), on_delete=models.PROTECT, related_name="positions"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit kerja"), on_delete=models.PROTECT, related_name="positions"
    )
    code = models.CharField(_("kode"), max_length=60)
    name = models.CharField(_("nama jabatan"), max_length=200)
    kind = models.CharField(_("jenis jabatan"), max_length=16, choices=PositionKind.choices)
    functional_level = models.CharField(
        _("jenjang fungsional"), max_length=16, choices=FunctionalLevel.choices, blank=True
    )
    reports_to = models.ForeignKey(
        "self",
        verbose_name=_("atasan langsung (jabatan)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="subordinates",
    )
    is_unit_head = models.BooleanField(
        _("kepala unit"),
        default=False,
        help_text=_("Rating hasil kerja kepala unit mengikuti capaian kinerja unitnya."),
    )

    class Meta:
        verbose_name = _("jabatan")
        verbose_name_plural = _("jabatan")
        ordering = ["unit__path", "code"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "code"], name="organisation_position_code"),
            models.CheckConstraint(
                condition=~models.Q(reports_to=models.F("pk")),
                name="organisation_position_not_own_supervisor",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        """Require a level for functional positions and none for the others."""
        if self.kind == PositionKind.FUNGSIONAL and not self.functional_level:
            raise ValidationError(
                {"functional_level": _("Jabatan fungsional harus punya jenjang.")}
            )
        if self.kind != PositionKind.FUNGSIONAL and self.functional_level:
            raise ValidationError(
                {"functional_level": _("Hanya jabatan fungsional yang punya jenjang.")}
            )


class PositionHolding(models.Model):
    """An employee holds a position (definitively) from ``starts_on`` to ``ends_on``."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    employee = models.ForeignKey(
        Employee, verbose_name=_("pegawai"), on_delete=models.PROTECT, related_name="holdings"
    )
    position = models.ForeignKey(
        Position, verbose_name=_("jabatan"), on_delete=models.PROTECT, related_name="holdings"
    )
    starts_on = models.DateField(_("mulai"))
    ends_on = models.DateField(_("sampai"), null=True, blank=True)
    reference = models.CharField(_("nomor SK"), max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("pemangku jabatan")
        verbose_name_plural = _("pemangku jabatan")
        ordering = ["employee", "starts_on"]
        indexes = [
            models.Index(fields=["position", "starts_on"]),
            models.Index(fields=["employee", "starts_on"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True)
                | models.Q(ends_on__gte=models.F("starts_on")),
                name="organisation_holding_dates",
            )
        ]

    def __str__(self) -> str:
        return f"{self.employee.name} — {self.position.name}"

    def covers(self, day: datetime.date) -> bool:
        """Return True when the holding is in force on ``day``."""
        return self.starts_on <= day and (self.ends_on is None or day <= self.ends_on)


class ActingAppointment(models.Model):
    """A Plt or Plh: ``employee`` holds ``position``'s rights from start to end under a decree."""

    class Kind(models.TextChoices):
        PLT = "plt", _("Plt. (Pelaksana Tugas)")
        PLH = "plh", _("Plh. (Pelaksana Harian)")

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    employee = models.ForeignKey(
        Employee,
        verbose_name=_("pejabat pelaksana"),
        on_delete=models.PROTECT,
        related_name="acting_appointments",
    )
    position = models.ForeignKey(
        Position,
        verbose_name=_("jabatan"),
        on_delete=models.PROTECT,
        related_name="acting_appointments",
    )
    kind = models.CharField(_("jenis"), max_length=3, choices=Kind.choices, default=Kind.PLT)
    starts_on = models.DateField(_("mulai"))
    ends_on = models.DateField(_("sampai"))
    decree_number = models.CharField(_("nomor SK / surat perintah"), max_length=100)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("pejabat Plt/Plh")
        verbose_name_plural = _("pejabat Plt/Plh")
        ordering = ["position", "starts_on"]
        indexes = [models.Index(fields=["position", "starts_on", "ends_on"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="organisation_acting_dates",
            )
        ]

    def __str__(self) -> str:
        return f"{self.label}: {self.employee.name}"

    @property
    def title(self) -> str:
        """Return the acting title, e.g. "Plt. Kepala Dinas"."""
        prefix = "Plt." if self.kind == self.Kind.PLT else "Plh."
        return f"{prefix} {self.position.name}"

    @property
    def label(self) -> str:
        """Return the capacity as written on documents, e.g. "Plt. Kepala Dinas (SK 800/1)"."""
        return f"{self.title} ({self.decree_number})"

    def covers(self, day: datetime.date) -> bool:
        """Return True when the appointment is in force on ``day``."""
        return self.starts_on <= day <= self.ends_on


class ReportingLineChange(models.Model):
    """History of a position's reporting line: what it reported to before and after."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    position = models.ForeignKey(
        Position, on_delete=models.PROTECT, related_name="reporting_history"
    )
    old_reports_to = models.ForeignKey(
        Position, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    new_reports_to = models.ForeignKey(
        Position, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason = models.TextField(_("alasan"))
    changed_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("riwayat garis atasan")
        verbose_name_plural = _("riwayat garis atasan")
        ordering = ["-changed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.position}: {self.old_reports_to} → {self.new_reports_to}"


class OrganisationChange(models.Model):
    """A change HR made (transfer, reporting-line correction) and the documents it touched."""

    class Kind(models.TextChoices):
        TRANSFER = "transfer", _("Mutasi")
        REPORTING_LINE = "reporting_line", _("Koreksi garis atasan")
        ACTING = "acting", _("Penunjukan Plt/Plh")
        STATUS = "status", _("Perubahan status pegawai")

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("jenis"), max_length=20, choices=Kind.choices)
    summary = models.CharField(_("ringkasan"), max_length=300)
    reason = models.TextField(_("alasan"), blank=True)
    actor = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # [{"document": str, "case_id": int, "what": str}], filled by the processes that follow.
    affected = models.JSONField(_("dokumen terdampak"), default=list, blank=True)

    class Meta:
        verbose_name = _("perubahan organisasi")
        verbose_name_plural = _("perubahan organisasi")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.summary
