"""Organisation and people: agencies (tenants), users and employees.

Glossary: an *agency* (instansi / pemerintah daerah) is one tenant; an *employee*
(pegawai ASN) is a PNS or PPPK identified by an 18-digit NIP or NI PPPK.
"""

from __future__ import annotations

import zoneinfo

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
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

    class Meta:
        verbose_name = _("pegawai")
        verbose_name_plural = _("pegawai")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.nip})"

    def clean(self) -> None:
        """Validate the number by the rules of the employee's type and store digits only."""
        try:
            parsed = parse_number(self.nip, self.employee_type)
        except InvalidNumber as error:
            raise ValidationError({"nip": str(error)}) from error
        self.nip = parsed.digits
