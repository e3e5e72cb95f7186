"""Forms of the plan tab: RHK, indicators, rencana aksi, lampiran, expectations, decisions.

The forms only collect input; the actions in ``processes.skp.actions.plan`` validate and
write it. Field names match the actions' keyword arguments and the keys of
``InvalidPlan.errors``, so an action's message lands next to its field. Fields the actions
check are not required here, so the messages users see are the actions' own.

Choices (the appraiser's RHK, unit goals, the indicator library, the periods) are passed in
as lists read once per page, so a page with many RHK cards costs no query per card.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from processes.skp.models import BerAkhlak, IndicatorTemplate, Perspective, Rhk
from processes.skp.rules import Aspect, Period

Choices = Sequence[tuple[Any, StrOrPromise]]
BLANK: tuple[str, StrOrPromise] = ("", "—")

# DOMAIN.md section 3: the three behaviour guides of each BerAKHLAK value (PermenPANRB 6/2022),
# shown as help wherever a value is written about.
BEHAVIOUR_GUIDES: Mapping[str, tuple[StrOrPromise, ...]] = {
    BerAkhlak.BERORIENTASI_PELAYANAN: (
        _("Memahami dan memenuhi kebutuhan masyarakat"),
        _("Ramah, cekatan, solutif, dan dapat diandalkan"),
        _("Melakukan perbaikan tiada henti"),
    ),
    BerAkhlak.AKUNTABEL: (
        _("Jujur, bertanggung jawab, cermat, disiplin, dan berintegritas tinggi"),
        _("Menggunakan barang milik negara secara bertanggung jawab, efektif, dan efisien"),
        _("Tidak menyalahgunakan kewenangan jabatan"),
    ),
    BerAkhlak.KOMPETEN: (
        _("Meningkatkan kompetensi diri untuk menjawab tantangan yang selalu berubah"),
        _("Membantu orang lain belajar"),
        _("Melaksanakan tugas dengan kualitas terbaik"),
    ),
    BerAkhlak.HARMONIS: (
        _("Menghargai setiap orang apa pun latar belakangnya"),
        _("Suka menolong orang lain"),
        _("Membangun lingkungan kerja yang kondusif"),
    ),
    BerAkhlak.LOYAL: (
        _("Memegang teguh Pancasila, UUD 1945, NKRI, dan pemerintahan yang sah"),
        _("Menjaga nama baik sesama ASN, pimpinan, instansi, dan negara"),
        _("Menjaga rahasia jabatan dan negara"),
    ),
    BerAkhlak.ADAPTIF: (
        _("Cepat menyesuaikan diri menghadapi perubahan"),
        _("Terus berinovasi dan mengembangkan kreativitas"),
        _("Bertindak proaktif"),
    ),
    BerAkhlak.KOLABORATIF: (
        _("Memberi kesempatan kepada berbagai pihak untuk berkontribusi"),
        _("Terbuka bekerja sama untuk menghasilkan nilai tambah"),
        _("Menggerakkan pemanfaatan berbagai sumber daya untuk tujuan bersama"),
    ),
}


def guide_text(value: str) -> str:
    """Return a value's three behaviour guides as one line of help text."""
    return "; ".join(str(guide) for guide in BEHAVIOUR_GUIDES.get(value, ())) + "."


def short(text: str, limit: int = 110) -> str:
    """Return ``text`` on one line, cut to ``limit`` characters with an ellipsis."""
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def textarea(rows: int = 3) -> forms.Textarea:
    """Return a textarea of ``rows`` lines."""
    return forms.Textarea(attrs={"rows": rows})


class RhkForm(forms.Form):
    """An RHK: its kind, text and where it hangs (the appraiser's RHK, or a unit goal for JPT)."""

    kind = forms.ChoiceField(
        label=_("Jenis RHK"), choices=Rhk.Kind.choices, initial=Rhk.Kind.UTAMA, required=False
    )
    text = forms.CharField(
        label=_("Rencana hasil kerja"), widget=textarea(3), required=False, max_length=2000
    )
    parent = forms.TypedChoiceField(
        label=_("RHK pejabat penilai yang diintervensi"),
        coerce=int,
        empty_value=None,
        required=False,
    )
    perspective = forms.ChoiceField(
        label=_("Perspektif"), choices=[BLANK, *Perspective.choices], required=False
    )
    unit_goal = forms.TypedChoiceField(
        label=_("Sasaran unit"), coerce=int, empty_value=None, required=False
    )

    def __init__(
        self,
        *args: Any,
        is_jpt: bool,
        parents: Choices = (),
        goals: Choices = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if is_jpt:
            del self.fields["parent"]
            goal_field = self.fields["unit_goal"]
            assert isinstance(goal_field, forms.TypedChoiceField)
            goal_field.choices = [BLANK, *goals]
        else:
            del self.fields["perspective"]
            del self.fields["unit_goal"]
            parent_field = self.fields["parent"]
            assert isinstance(parent_field, forms.TypedChoiceField)
            parent_field.choices = [BLANK, *parents]
            if not parents:
                parent_field.help_text = _(
                    "Rencana pejabat penilai belum disetujui, jadi belum ada RHK yang dapat "
                    "diintervensi."
                )


def library_label(template: IndicatorTemplate) -> str:
    """Name a library indicator in the picker: code, text, unit."""
    return short(f"{template.code} · {template.text} ({template.target_unit})", 120)


class IndicatorForm(forms.Form):
    """An indicator with its aspect and target; optionally taken from the agency's library."""

    template = forms.TypedChoiceField(
        label=_("Ambil dari pustaka indikator"),
        coerce=int,
        empty_value=None,
        required=False,
        help_text=_("Opsional. Kolom yang kosong diisi dari pustaka."),
    )
    text = forms.CharField(label=_("Indikator"), max_length=300, required=False)
    aspect = forms.ChoiceField(label=_("Aspek"), choices=[BLANK, *Aspect.choices], required=False)
    target_value = forms.CharField(
        label=_("Target"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        help_text=_("Angka; koma untuk desimal, misalnya 4 atau 92,5."),
    )
    target_unit = forms.CharField(label=_("Satuan"), max_length=40, required=False)

    def __init__(
        self, *args: Any, library: Sequence[IndicatorTemplate] = (), **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.library = {template.pk: template for template in library}
        field = self.fields["template"]
        if not library:
            del self.fields["template"]
            return
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [BLANK, *((t.pk, library_label(t)) for t in library)]
        field.widget.attrs["data-library"] = "indikator"

    def clean(self) -> dict[str, Any]:
        """Fill blank fields from the chosen library indicator (its text, aspect, unit, target)."""
        data = super().clean() or {}
        template = self.library.get(data.get("template") or 0)
        if template is not None:
            data["text"] = data.get("text") or template.text
            data["aspect"] = data.get("aspect") or template.aspect
            data["target_unit"] = data.get("target_unit") or template.target_unit
            if not data.get("target_value") and template.default_target is not None:
                data["target_value"] = str(template.default_target)
        return data


def library_data(library: Sequence[IndicatorTemplate]) -> dict[str, dict[str, str]]:
    """Return the library as JSON for the picker script (fills the fields as one is chosen)."""
    return {
        str(template.pk): {
            "text": template.text,
            "aspect": template.aspect,
            "target_unit": template.target_unit,
            "target_value": (
                str(template.default_target).replace(".", ",")
                if template.default_target is not None
                else ""
            ),
        }
        for template in library
    }


def period_choices(periods: Sequence[Period]) -> list[tuple[int, str]]:
    """Return the SKP's periods as choices (index, label)."""
    return [(period.index, period.label) for period in periods]


class ActionPlanForm(forms.Form):
    """A rencana aksi of an RHK for one period, with the period's target."""

    period_index = forms.TypedChoiceField(
        label=_("Periode"), coerce=int, empty_value=None, required=False
    )
    text = forms.CharField(label=_("Rencana aksi"), max_length=300, required=False)
    target = forms.CharField(label=_("Target periode"), max_length=120, required=False)

    def __init__(self, *args: Any, periods: Sequence[Period] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["period_index"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [BLANK, *period_choices(periods)]


class AttachmentForm(forms.Form):
    """The plan's lampiran."""

    resources = forms.CharField(
        label=_("Dukungan sumber daya"), widget=textarea(3), required=False, max_length=5000
    )
    accountability = forms.CharField(
        label=_("Skema pertanggungjawaban"), widget=textarea(3), required=False, max_length=5000
    )
    consequences = forms.CharField(
        label=_("Konsekuensi"), widget=textarea(3), required=False, max_length=5000
    )


class ExpectationsForm(forms.Form):
    """The appraiser's ekspektasi khusus for each of the seven BerAKHLAK values."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for value in BerAkhlak:
            self.fields[value.value] = forms.CharField(
                label=value.label,
                widget=textarea(2),
                required=False,
                max_length=2000,
                help_text=guide_text(value.value),
            )

    def expectations(self) -> dict[str, str]:
        """Return the texts by value code (after ``is_valid``)."""
        return {value.value: self.cleaned_data.get(value.value, "") for value in BerAkhlak}


class CommentForm(forms.Form):
    """An optional comment that goes with a decision (submit, approve, finish)."""

    comment = forms.CharField(
        label=_("Catatan (opsional)"), widget=textarea(2), required=False, max_length=2000
    )


class ReasonForm(forms.Form):
    """The written reason a return or a revision needs."""

    reason = forms.CharField(
        label=_("Alasan"),
        widget=textarea(3),
        max_length=2000,
        error_messages={"required": _("Alasan wajib diisi.")},
    )
