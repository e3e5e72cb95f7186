"""Forms of the organisation app: sign-in and HR's organisation pages.

The forms only collect and shape input; every write goes through ``actions``. Field names
match the keyword arguments of the actions, so the errors an action raises
(``InvalidInput.errors``) land next to the field they are about (``apply_errors``).
Choice fields that offer units, positions or employees are limited to one agency.
"""

from __future__ import annotations

import zipfile
from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from processes.organisation.identity import EmployeeType, InvalidNumber, normalise_number
from processes.organisation.importer import SHEETS
from processes.organisation.models import (
    ActingAppointment,
    Agency,
    Employee,
    EmployeeStatus,
    FunctionalLevel,
    Position,
    PositionKind,
    Sex,
    Unit,
)

IMPORT_MAX_BYTES = 10 * 1024 * 1024
IMPORT_EXTENSIONS = (".xlsx", ".csv")


class LoginForm(AuthenticationForm):
    """The sign-in form: one field accepts a username or an NIP."""

    username = forms.CharField(
        label=_("Nama pengguna atau NIP"),
        max_length=150,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    # Django's own message names the username field ("%(username)s"), which reads
    # "nama pengguna nama pengguna" once translated; this one names both ways to sign in.
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _(
            "Nama pengguna, NIP atau sandi tidak cocok. Periksa kembali lalu coba lagi; huruf "
            "besar dan kecil pada sandi dibedakan."
        ),
    }


def apply_errors(
    form: forms.Form, errors: dict[str, list[str]], aliases: dict[str, str] | None = None
) -> None:
    """Put an action's field errors on the form; unknown fields become form-wide errors.

    ``aliases`` maps an action's field name to the form's (e.g. ``employee`` → ``nip``).
    """
    names = aliases or {}
    for name, messages in errors.items():
        field = names.get(name, name)
        target = field if field in form.fields else None
        for message in messages:
            form.add_error(target, message)


class DateInput(forms.DateInput):
    """A native date picker; the value is sent as YYYY-MM-DD whatever the language."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def date_field(label: StrOrPromise, *, required: bool = True, **kwargs: Any) -> forms.DateField:
    """Return a date field with the date picker and ISO input accepted."""
    return forms.DateField(
        label=label,
        required=required,
        widget=DateInput(),
        input_formats=["%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y"],
        **kwargs,
    )


def reason_field(label: StrOrPromise = "") -> forms.CharField:
    """Return the required written reason most changes ask for."""
    return forms.CharField(
        label=label or _("Alasan"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": _("Alasan wajib diisi.")},
    )


class PositionChoiceField(forms.ModelChoiceField[Position]):
    """Positions shown as "Name (CODE) · Unit"."""

    def label_from_instance(self, obj: Position) -> str:
        """Name the position with its code and unit, as HR finds it in the decree."""
        return f"{obj.name} ({obj.code}) · {obj.unit.name}"


class UnitChoiceField(forms.ModelChoiceField[Unit]):
    """Units shown indented by depth, in tree order."""

    def label_from_instance(self, obj: Unit) -> str:
        """Prefix the name with one dot per level below the root."""
        return f"{'· ' * obj.depth}{obj.name}"


def agency_positions(agency: Agency) -> Any:
    """Return the agency's positions for a choice field, in tree order."""
    return (
        Position.objects.filter(agency=agency).select_related("unit").order_by("unit__path", "code")
    )


class UnitForm(forms.Form):
    """A new unit: a root OPD on the tree page, a sub-unit on a unit's page."""

    code = forms.CharField(label=_("Kode unit"), max_length=60)
    name = forms.CharField(label=_("Nama unit"), max_length=200)
    kind = forms.ChoiceField(label=_("Jenis unit"), choices=Unit.Kind.choices)

    def __init__(self, *args: Any, root: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].initial = Unit.Kind.OPD if root else Unit.Kind.SUBUNIT


class PositionForm(forms.Form):
    """A new position in a unit."""

    code = forms.CharField(label=_("Kode jabatan"), max_length=60)
    name = forms.CharField(label=_("Nama jabatan"), max_length=200)
    kind = forms.ChoiceField(label=_("Jenis jabatan"), choices=PositionKind.choices)
    functional_level = forms.ChoiceField(
        label=_("Jenjang fungsional"),
        choices=[("", _("— bukan jabatan fungsional —")), *FunctionalLevel.choices],
        required=False,
    )
    reports_to = PositionChoiceField(
        label=_("Atasan langsung (jabatan)"),
        queryset=Position.objects.none(),
        required=False,
        empty_label=_("— tidak ada (jabatan tertinggi) —"),
    )
    is_unit_head = forms.BooleanField(label=_("Kepala unit ini"), required=False)

    def __init__(self, *args: Any, agency: Agency, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["reports_to"]
        assert isinstance(field, PositionChoiceField)
        field.queryset = agency_positions(agency)


class ReportingLineForm(forms.Form):
    """Correct whom a position reports to, with the reason on record."""

    reports_to = PositionChoiceField(
        label=_("Atasan langsung yang benar"),
        queryset=Position.objects.none(),
        required=False,
        empty_label=_("— tidak ada (jabatan tertinggi) —"),
    )
    reason = reason_field(_("Alasan koreksi"))

    def __init__(self, *args: Any, position: Position, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["reports_to"]
        assert isinstance(field, PositionChoiceField)
        field.queryset = (
            Position.objects.filter(agency_id=position.agency_id)
            .exclude(pk=position.pk)
            .select_related("unit")
            .order_by("unit__path", "code")
        )
        if not self.is_bound:
            field.initial = position.reports_to_id


class TransferForm(forms.Form):
    """Move an employee to another position (mutasi) from a date."""

    position = PositionChoiceField(
        label=_("Jabatan baru"),
        queryset=Position.objects.none(),
        empty_label=_("— pilih jabatan —"),
    )
    on = date_field(_("Berlaku mulai (TMT)"))
    reference = forms.CharField(label=_("Nomor SK"), max_length=100, required=False)
    reason = reason_field(_("Alasan mutasi"))

    def __init__(self, *args: Any, agency: Agency, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["position"]
        assert isinstance(field, PositionChoiceField)
        field.queryset = agency_positions(agency)


STATUS_CHOICES = [
    (value, label) for value, label in EmployeeStatus.choices if value != EmployeeStatus.ACTIVE
]


class StatusForm(forms.Form):
    """A dated period in which the employee is not active (retired, on study leave, ...)."""

    status = forms.ChoiceField(label=_("Status"), choices=STATUS_CHOICES)
    starts_on = date_field(_("Mulai"))
    ends_on = date_field(
        _("Sampai"), required=False, help_text=_("Kosongkan bila belum ada tanggal akhir.")
    )
    reference = forms.CharField(label=_("Nomor SK"), max_length=100, required=False)


class StatusEndForm(forms.Form):
    """End a status period: the employee is active again the day after."""

    ends_on = date_field(
        _("Berakhir pada"), help_text=_("Hari terakhir masa nonaktif; pegawai aktif esok harinya.")
    )
    reference = forms.CharField(label=_("Nomor SK"), max_length=100, required=False)


class EmployeeForm(forms.Form):
    """A new employee, optionally placed in a position from a date."""

    employee_type = forms.ChoiceField(
        label=_("Jenis pegawai"),
        choices=[(EmployeeType.PNS.value, "PNS"), (EmployeeType.PPPK.value, "PPPK")],
        initial=EmployeeType.PNS.value,
    )
    nip = forms.CharField(
        label=_("NIP / NI PPPK"),
        max_length=30,
        help_text=_("18 digit, boleh dengan spasi: 19860926 201505 1 001."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    name = forms.CharField(label=_("Nama lengkap (dengan gelar)"), max_length=200)
    sex = forms.ChoiceField(
        label=_("Jenis kelamin"),
        choices=[("", _("— sesuai digit ke-15 NIP —")), *Sex.choices],
        required=False,
    )
    email = forms.EmailField(label=_("Surel"), required=False)
    position = PositionChoiceField(
        label=_("Jabatan"),
        queryset=Position.objects.none(),
        required=False,
        empty_label=_("— belum ditempatkan —"),
    )
    starts_on = date_field(_("Memangku jabatan mulai"), required=False)
    reference = forms.CharField(label=_("Nomor SK jabatan"), max_length=100, required=False)

    def __init__(self, *args: Any, agency: Agency, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["position"]
        assert isinstance(field, PositionChoiceField)
        field.queryset = agency_positions(agency)

    def clean(self) -> dict[str, Any] | None:
        """Require the start date when a position is chosen."""
        data = super().clean() or {}
        if data.get("position") is not None and not data.get("starts_on"):
            self.add_error("starts_on", _("Tanggal mulai wajib diisi bila jabatan dipilih."))
        return data


class ActingForm(forms.Form):
    """Appoint an acting official (Plt/Plh) to a position for dated period."""

    nip = forms.CharField(
        label=_("NIP pejabat pelaksana"),
        max_length=30,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    position = PositionChoiceField(
        label=_("Jabatan"),
        queryset=Position.objects.none(),
        empty_label=_("— pilih jabatan —"),
    )
    kind = forms.ChoiceField(
        label=_("Jenis"), choices=ActingAppointment.Kind.choices, initial="plt"
    )
    starts_on = date_field(_("Mulai"))
    ends_on = date_field(_("Sampai"))
    decree_number = forms.CharField(label=_("Nomor SK / surat perintah"), max_length=100)

    def __init__(self, *args: Any, agency: Agency, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.agency = agency
        field = self.fields["position"]
        assert isinstance(field, PositionChoiceField)
        field.queryset = agency_positions(agency)

    def clean_nip(self) -> Employee:
        """Return the agency's employee with this number (spaces allowed)."""
        raw: str = self.cleaned_data["nip"]
        try:
            digits = normalise_number(raw)
        except InvalidNumber as error:
            raise forms.ValidationError(str(error)) from error
        employee = Employee.objects.filter(agency=self.agency, nip=digits).first()
        if employee is None:
            raise forms.ValidationError(_("Tidak ada pegawai instansi ini dengan nomor tersebut."))
        return employee


class ActingEndForm(forms.Form):
    """End an acting appointment before the decree's end date."""

    ends_on = date_field(_("Berakhir pada"))
    reason = reason_field()


class EmployeeSearchForm(forms.Form):
    """Search and filter the employee list (GET)."""

    q = forms.CharField(
        label=_("Cari nama atau NIP"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    unit = UnitChoiceField(
        label=_("Unit kerja"),
        queryset=Unit.objects.none(),
        required=False,
        empty_label=_("Semua unit"),
    )
    status = forms.ChoiceField(
        label=_("Status hari ini"),
        choices=[("", _("Semua status")), *EmployeeStatus.choices],
        required=False,
    )

    def __init__(self, *args: Any, agency: Agency, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["unit"]
        assert isinstance(field, UnitChoiceField)
        field.queryset = Unit.objects.filter(agency=agency).order_by("path")


def _looks_like_xlsx(head: bytes, upload: UploadedFile) -> bool:
    if not head.startswith(b"PK\x03\x04"):
        return False
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
    except zipfile.BadZipFile:
        return False
    finally:
        upload.seek(0)
    return "[Content_Types].xml" in names and "xl/workbook.xml" in names


def _looks_like_csv(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        # The sample may end in the middle of a character; the importer reads the rest.
        return error.start >= len(head) - 3
    return True


class ImportUploadForm(forms.Form):
    """Upload an organisation workbook (.xlsx) or one sheet as .csv, for a dry run."""

    file = forms.FileField(
        label=_("Berkas (.xlsx atau .csv, paling besar 10 MB)"),
        widget=forms.FileInput(attrs={"accept": ".xlsx,.csv"}),
    )
    sheet = forms.ChoiceField(
        label=_("Lembar (khusus berkas .csv)"),
        choices=[("", _("— pilih untuk .csv —")), *[(name, name) for name in SHEETS]],
        required=False,
        help_text=_("Berkas .xlsx memuat semua lembar; berkas .csv hanya satu lembar."),
    )

    def clean(self) -> dict[str, Any] | None:
        """Check size, extension and content, and require the sheet for a .csv file."""
        data = super().clean() or {}
        upload: UploadedFile | None = data.get("file")
        if upload is None:
            return data
        name = (upload.name or "").lower()
        extension = next((ext for ext in IMPORT_EXTENSIONS if name.endswith(ext)), None)
        if upload.size is not None and upload.size > IMPORT_MAX_BYTES:
            self.add_error("file", _("Berkas lebih besar dari 10 MB."))
            return data
        if extension is None:
            self.add_error("file", _("Hanya berkas .xlsx atau .csv yang dapat diimpor."))
            return data
        upload.seek(0)
        head = upload.read(4096)
        upload.seek(0)
        if extension == ".xlsx" and not _looks_like_xlsx(head, upload):
            self.add_error("file", _("Isi berkas bukan buku kerja Excel (.xlsx) yang sah."))
        if extension == ".csv":
            if not _looks_like_csv(head):
                self.add_error("file", _("Isi berkas bukan teks CSV (UTF-8)."))
            if not data.get("sheet"):
                self.add_error("sheet", _("Pilih lembar yang diisi berkas .csv ini."))
        return data
