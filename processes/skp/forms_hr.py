"""Forms of HR's SKP pages: cycles, agency settings, the stuck-approval console, dashboards.

The forms only collect and shape input; every write goes through an action. Field names
match the actions' keyword arguments, so the errors an action raises (``InvalidCycle.errors``,
``InvalidSettings.errors``) land next to the field they are about (``apply_errors``). Choice
fields that offer units, templates, cycles or users are limited to one agency.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.forms.models import fields_for_model
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from processes.organisation.identity import EmployeeType, format_number
from processes.organisation.models import Agency, FunctionalLevel, PositionKind, Unit, User
from processes.skp.actions.settings import EDITABLE_FIELDS, plain_number
from processes.skp.models import Cycle, SkpSettings
from processes.skp.process import KIND
from processes.skp.rules import DEFAULT_LEVEL_COEFFICIENTS, PeriodType
from workflow.models import TemplateVersion, WorkflowTemplate
from workflow.spec import OPEN_PHASES, Phase, StageSpec

USER_RESULTS = 20
EM_SPACE = "\u2003"


def apply_errors(form: forms.Form, errors: dict[str, list[str]]) -> None:
    """Put an action's field errors on the form; unknown fields become form-wide errors."""
    for name, messages in errors.items():
        target = name if name in form.fields else None
        for message in messages:
            form.add_error(target, message)


class DateInput(forms.DateInput):
    """A native date picker; the value is sent as YYYY-MM-DD whatever the language."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def date_field(label: StrOrPromise, *, required: bool = True, **kwargs: Any) -> forms.DateField:
    """Return a date field with the date picker; ISO and day-first input accepted."""
    return forms.DateField(
        label=label,
        required=required,
        widget=DateInput(),
        input_formats=["%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y"],
        **kwargs,
    )


def reason_field(label: StrOrPromise = "") -> forms.CharField:
    """Return the written reason every repair of a document needs."""
    return forms.CharField(
        label=label or _("Alasan"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        error_messages={"required": _("Alasan wajib diisi.")},
    )


def agency_units(agency: Agency) -> QuerySet[Unit]:
    """Return the agency's units in tree order (each unit right before its sub-units)."""
    return Unit.objects.filter(agency=agency).order_by("path")


class UnitChoiceField(forms.ModelChoiceField[Unit]):
    """Units shown indented by depth, in tree order."""

    def label_from_instance(self, obj: Unit) -> str:
        """Prefix the name with one dot per level below the root."""
        return f"{'· ' * obj.depth}{obj.name}"


class UnitsField(forms.ModelMultipleChoiceField[Unit]):
    """Units as indented checkboxes, in tree order."""

    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj: Unit) -> str:
        """Indent the name with em spaces (kept by HTML, unlike plain spaces)."""
        return f"{EM_SPACE * obj.depth}{obj.name}"


class TemplateChoiceField(forms.ModelChoiceField[WorkflowTemplate]):
    """Stage templates shown with their code."""

    def label_from_instance(self, obj: WorkflowTemplate) -> str:
        """Name the template as the designer lists it."""
        return f"{obj.name} ({obj.code})"


def published_skp_templates(agency: Agency) -> QuerySet[WorkflowTemplate]:
    """Return the agency's SKP templates that have a published version."""
    published = TemplateVersion.objects.filter(template=OuterRef("pk"))
    return (
        WorkflowTemplate.objects.filter(tenant=agency, process_kind=KIND)
        .filter(Exists(published))
        .order_by("name", "pk")
    )


# Cycles ---------------------------------------------------------------------------------


class CycleForm(forms.Form):
    """A new cycle: year, template, period type, dates and who takes part."""

    year = forms.IntegerField(label=_("Tahun"), min_value=2000, max_value=2100)
    name = forms.CharField(label=_("Nama siklus"), max_length=200)
    template = TemplateChoiceField(
        label=_("Templat tahapan"),
        queryset=WorkflowTemplate.objects.none(),
        empty_label=_("Pilih templat"),
        help_text=_("Templat SKP instansi yang sudah diterbitkan."),
    )
    period_type = forms.ChoiceField(label=_("Periode penilaian"), choices=PeriodType.choices)
    starts_on = date_field(_("Mulai"), required=False, help_text=_("Kosong: 1 Januari."))
    ends_on = date_field(_("Selesai"), required=False, help_text=_("Kosong: 31 Desember."))
    plan_deadline = date_field(
        _("Batas penetapan rencana"), required=False, help_text=_("Kosong: 31 Januari.")
    )
    evaluation_deadline = date_field(_("Batas penilaian tahunan"), required=False)
    units = UnitsField(
        label=_("Unit yang diikutkan"),
        queryset=Unit.objects.none(),
        required=False,
        help_text=_("Sub-unit ikut dengan unitnya. Kosong: semua unit."),
    )
    position_kinds = forms.MultipleChoiceField(
        label=_("Jenis jabatan yang diikutkan"),
        choices=PositionKind.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Kosong: semua jenis jabatan."),
    )

    def __init__(self, *args: Any, agency: Agency, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        template = self.fields["template"]
        assert isinstance(template, TemplateChoiceField)
        template.queryset = published_skp_templates(agency)
        units = self.fields["units"]
        assert isinstance(units, UnitsField)
        units.queryset = agency_units(agency)


class SkpSettingsForm(forms.Form):
    """The agency's SKP settings; the model's fields, labels, choices and limits.

    Extra aspects are typed one per line as ``kode: Nama``.
    """

    GROUPS: tuple[tuple[StrOrPromise, tuple[str, ...]], ...] = (
        (_("Periode dan batas waktu"), ("period_type", "sla_working_days")),
        (
            _("Rating"),
            (
                "rating_method",
                "above_from_percent",
                "below_under_percent",
                "unit_head_follows_unit",
            ),
        ),
        (_("Kurva distribusi"), ("curve_mode", "curve_rounding", "curve_population")),
        (
            _("Keberatan dan tindak lanjut"),
            ("objection_days", "objection_working_days", "below_expectation_follow_up"),
        ),
        (
            _("Pemantauan"),
            (
                "period_report_required",
                "period_report_lead_days",
                "daily_activities_enabled",
                "attendance_enabled",
                "citizen_feedback_enabled",
                "employee_enters_realisation",
            ),
        ),
        (_("Bukti dukung"), ("evidence_max_mb", "evidence_extensions")),
        (_("Aspek penilaian tambahan"), ("extra_aspects",)),
        (
            _("Koefisien angka kredit per tahun"),
            tuple(f"credit_{level}" for level in DEFAULT_LEVEL_COEFFICIENTS),
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_fields = [
            name for name in EDITABLE_FIELDS if name not in ("extra_aspects", "credit_coefficients")
        ]
        for name, field in fields_for_model(SkpSettings, fields=model_fields).items():
            if field is not None:
                self.fields[name] = field
        self.fields["extra_aspects"] = forms.CharField(
            label=_("Aspek (satu per baris)"),
            required=False,
            widget=forms.Textarea(attrs={"rows": 4}),
            help_text=_(
                "Satu aspek per baris, ditulis «kode: Nama», misalnya «kompetensi: Kompetensi»."
            ),
        )
        labels = dict(FunctionalLevel.choices)
        for level, national in DEFAULT_LEVEL_COEFFICIENTS.items():
            self.fields[f"credit_{level}"] = forms.DecimalField(
                label=labels[level],
                min_value=Decimal("0.001"),
                max_value=Decimal(1000),
                max_digits=7,
                decimal_places=3,
                help_text=_("Tabel nasional: %(value)s")
                % {"value": format(national.normalize(), "f")},
            )
        self.order_fields(EDITABLE_FIELDS)

    @staticmethod
    def initial_for(settings: SkpSettings) -> dict[str, Any]:
        """Return the form's initial values from the agency's current settings."""
        initial: dict[str, Any] = {
            name: plain_number(getattr(settings, name)) for name in EDITABLE_FIELDS
        }
        initial["extra_aspects"] = aspects_as_text(settings.extra_aspects)
        overrides = settings.credit_coefficients or {}
        for level, national in DEFAULT_LEVEL_COEFFICIENTS.items():
            initial[f"credit_{level}"] = plain_number(Decimal(str(overrides.get(level, national))))
        del initial["credit_coefficients"]
        return initial

    def clean(self) -> dict[str, Any]:
        """Gather the per-level coefficients into ``credit_coefficients`` (the action's field)."""
        cleaned = super().clean() or {}
        table = {
            level: cleaned.pop(f"credit_{level}", None) for level in DEFAULT_LEVEL_COEFFICIENTS
        }
        if all(value is not None for value in table.values()):
            cleaned["credit_coefficients"] = table
        return cleaned

    def groups(self) -> list[tuple[StrOrPromise, list[forms.BoundField]]]:
        """Return the bound fields in titled groups (the page shows one fieldset each)."""
        return [(title, [self[name] for name in names]) for title, names in self.GROUPS]

    def clean_extra_aspects(self) -> list[dict[str, str]]:
        """Read ``kode: Nama`` lines into ``[{"code": ..., "name": ...}]``."""
        text: str = self.cleaned_data.get("extra_aspects") or ""
        aspects: list[dict[str, str]] = []
        problems: list[str] = []
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            code, colon, name = line.partition(":")
            if not colon:
                problems.append(
                    gettext("Baris %(number)d: tulis «kode: Nama».") % {"number": number}
                )
                continue
            aspects.append({"code": code.strip().lower(), "name": name.strip()})
        if problems:
            raise forms.ValidationError(problems)
        return aspects


def aspects_as_text(aspects: Any) -> str:
    """Return stored extra aspects as the ``kode: Nama`` lines HR edits."""
    if not isinstance(aspects, list):
        return ""
    return "\n".join(
        f"{item.get('code', '')}: {item.get('name', '')}"
        for item in aspects
        if isinstance(item, dict)
    )


# The stuck-approval console ------------------------------------------------------------


def phase_choices(phases: Iterable[str]) -> list[tuple[str, StrOrPromise]]:
    """Return ``(value, label)`` pairs for the given phases."""
    labels = dict(Phase.choices)
    return [(str(phase), labels[phase]) for phase in phases]


class StuckFilterForm(forms.Form):
    """Filter the console by unit (with its sub-units) and phase (GET)."""

    unit = UnitChoiceField(
        label=_("Unit kerja"),
        queryset=Unit.objects.none(),
        required=False,
        empty_label=_("Semua unit"),
    )
    phase = forms.ChoiceField(label=_("Fase"), required=False)

    def __init__(self, *args: Any, agency: Agency, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        unit = self.fields["unit"]
        assert isinstance(unit, UnitChoiceField)
        unit.queryset = agency_units(agency)
        phase = self.fields["phase"]
        assert isinstance(phase, forms.ChoiceField)
        phase.choices = [("", _("Semua fase")), *phase_choices(OPEN_PHASES)]


def user_label(user: User) -> str:
    """Name a user as HR knows them: the employee's name and NIP, else the account."""
    employee = getattr(user, "employee", None)
    if employee is not None:
        nip = employee.nip
        if len(nip) == 18:
            nip = format_number(nip, EmployeeType(employee.employee_type))
        return f"{employee.name} · {nip}"
    name = user.get_full_name()
    return f"{name} · {user.username}" if name else user.username


class UserChoiceField(forms.ModelChoiceField[User]):
    """An active user of the agency, picked from search results (radio buttons)."""

    widget = forms.RadioSelect

    def label_from_instance(self, obj: User) -> str:
        """Name the user with the NIP, so namesakes are told apart."""
        return user_label(obj)


def agency_users(agency: Agency) -> QuerySet[User]:
    """Return the agency's active accounts, the ones a task may be given to."""
    return User.objects.filter(agency=agency, is_active=True).select_related("employee")


def search_users(agency: Agency, text: str, limit: int = USER_RESULTS) -> list[User]:
    """Return up to ``limit`` active users of the agency by name, NIP or username."""
    text = text.strip()
    if not text:
        return []
    condition = (
        Q(employee__name__icontains=text)
        | Q(first_name__icontains=text)
        | Q(last_name__icontains=text)
        | Q(username__iexact=text)
    )
    digits = text.replace(" ", "")
    if digits.isdigit():
        # HR types an NIP as printed, with spaces; it is stored as digits.
        condition |= Q(employee__nip__contains=digits)
    return list(
        agency_users(agency).filter(condition).order_by("employee__name", "username")[:limit]
    )


class UserSearchForm(forms.Form):
    """Find the user a task should go to."""

    q = forms.CharField(
        label=_("Cari pengguna (nama atau NIP)"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )


class ReassignForm(forms.Form):
    """Give a task to another user of the agency, with the reason."""

    to_user = UserChoiceField(
        label=_("Alihkan kepada"),
        queryset=User.objects.none(),
        help_text=_("Cari dengan nama atau NIP, lalu pilih salah satu."),
        error_messages={
            "required": _("Pilih pengguna tujuan dari hasil pencarian."),
            "invalid_choice": _("Pilih pengguna aktif dari instansi ini."),
        },
    )
    reason = reason_field()

    def __init__(
        self, *args: Any, agency: Agency, shown: Sequence[User] = (), **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["to_user"]
        assert isinstance(field, UserChoiceField)
        field.queryset = agency_users(agency)
        self.show_users(shown)

    def show_users(self, users: Sequence[User]) -> None:
        """Offer only ``users`` as radio buttons (any active user of the agency validates)."""
        field = self.fields["to_user"]
        assert isinstance(field, UserChoiceField)
        chosen = self.cleaned_data.get("to_user") if hasattr(self, "cleaned_data") else None
        listed = list(users)
        if chosen is not None and all(user.pk != chosen.pk for user in listed):
            listed.insert(0, chosen)
        field.widget.choices = [(user.pk, user_label(user)) for user in listed]


class BulkReassignForm(ReassignForm):
    """Give several tasks to one user, with one reason (each task is its own action)."""

    task = forms.TypedMultipleChoiceField(
        label=_("Tugas"),
        coerce=int,
        widget=forms.MultipleHiddenInput,
        error_messages={"required": _("Pilih paling sedikit satu tugas.")},
    )

    def __init__(self, *args: Any, task_ids: Iterable[int] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["task"]
        assert isinstance(field, forms.TypedMultipleChoiceField)
        field.choices = [(str(task_id), str(task_id)) for task_id in task_ids]


class ReturnForm(forms.Form):
    """Send a document back to an earlier stage of its template version, with the reason."""

    to_stage = forms.ChoiceField(label=_("Kembalikan ke tahap"))
    reason = reason_field()

    def __init__(self, *args: Any, stages: Sequence[StageSpec], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["to_stage"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(stage.key, stage.name) for stage in stages]


class ReasonForm(forms.Form):
    """Only the written reason (cancel, revive)."""

    reason = reason_field()


# Dashboards -----------------------------------------------------------------------------


class CycleChoiceField(forms.ModelChoiceField[Cycle]):
    """Cycles shown with their year and status."""

    def label_from_instance(self, obj: Cycle) -> str:
        """Name the cycle with its status."""
        return f"{obj.name} ({obj.get_status_display()})"


class DashboardForm(forms.Form):
    """Pick the cycle the dashboards show (GET)."""

    siklus = CycleChoiceField(
        label=_("Siklus"),
        queryset=Cycle.objects.none(),
        error_messages={"invalid_choice": _("Pilih siklus instansi ini.")},
    )

    def __init__(self, *args: Any, agency: Agency, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["siklus"]
        assert isinstance(field, CycleChoiceField)
        field.queryset = Cycle.objects.filter(agency=agency).order_by("-year", "name")
