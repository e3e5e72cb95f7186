"""Forms of the monitoring tab: realisations, progress, evidence, feedback, dialogs, daily
activities, period reports and ratings, extra aspects.

The forms only collect input; ``processes.skp.actions.monitoring`` validates and writes.
Field names match the actions' keyword arguments and the keys of
``InvalidMonitoring.errors``, so an action's message lands next to its field. Numbers are
plain text fields: the actions read a comma as the decimal point, as people type it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from processes.skp.forms_plan import BLANK, textarea
from processes.skp.models import BerAkhlak
from processes.skp.rules import Period, Rating

Choices = Sequence[tuple[Any, StrOrPromise]]


class DateInput(forms.DateInput):
    """A native date picker; the value is sent as YYYY-MM-DD whatever the language."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def date_field(label: StrOrPromise, required_message: StrOrPromise) -> forms.DateField:
    """Return a required date field with the picker; ISO and day-first input accepted."""
    return forms.DateField(
        label=label,
        widget=DateInput(),
        input_formats=["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"],
        error_messages={"required": required_message, "invalid": _("Tulis tanggal DD/MM/YYYY.")},
    )


def number_input() -> forms.TextInput:
    """Return a text input that brings up the number keyboard on phones."""
    return forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})


class RealisationForm(forms.Form):
    """The realisasi of one indicator in one period."""

    value = forms.CharField(
        label=_("Realisasi"), max_length=20, required=False, widget=number_input()
    )
    note = forms.CharField(
        label=_("Keterangan"), widget=textarea(2), required=False, max_length=2000
    )


class ProgressForm(forms.Form):
    """The employee's progress on a rencana aksi."""

    progress_note = forms.CharField(
        label=_("Kemajuan"), widget=textarea(2), required=False, max_length=2000
    )


class EvidenceForm(forms.Form):
    """Evidence: a file stored by the product, or a link."""

    file = forms.FileField(label=_("Berkas"), required=False)
    url = forms.CharField(
        label=_("atau tautan"),
        required=False,
        max_length=500,
        widget=forms.URLInput(attrs={"placeholder": "https://"}),
    )
    note = forms.CharField(label=_("Keterangan"), required=False, max_length=2000)

    def __init__(
        self, *args: Any, extensions: Sequence[str] = (), max_mb: int = 10, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        names = sorted(extensions)
        file_field = self.fields["file"]
        file_field.widget.attrs["accept"] = ",".join(f".{name}" for name in names)
        file_field.help_text = _("Jenis: %(types)s. Paling besar %(size)d MB.") % {
            "types": ", ".join(names),
            "size": max_mb,
        }

    def clean(self) -> dict[str, Any]:
        """Require exactly one of a file and a link."""
        data = super().clean() or {}
        has_file = bool(data.get("file"))
        has_url = bool((data.get("url") or "").strip())
        if not has_file and not has_url:
            self.add_error("file", _("Pilih berkas atau isi tautan."))
        elif has_file and has_url:
            self.add_error("url", _("Pilih salah satu: berkas atau tautan."))
        return data


class FeedbackForm(forms.Form):
    """The appraiser's feedback on an indicator (the indicator is the form's own)."""

    text = forms.CharField(
        label=_("Umpan balik"), widget=textarea(2), required=False, max_length=4000
    )


class ValueFeedbackForm(forms.Form):
    """The appraiser's feedback on one BerAKHLAK value."""

    value = forms.ChoiceField(
        label=_("Nilai BerAKHLAK"), choices=[BLANK, *BerAkhlak.choices], required=False
    )
    text = forms.CharField(
        label=_("Umpan balik"), widget=textarea(2), required=False, max_length=4000
    )


class DialogForm(forms.Form):
    """A coaching dialog (dialog kinerja pembinaan) held with the employee."""

    held_on = date_field(_("Tanggal dialog"), _("Isi tanggal dialog."))
    agenda = forms.CharField(label=_("Agenda"), widget=textarea(2), required=False, max_length=4000)
    outcome = forms.CharField(label=_("Hasil"), widget=textarea(3), required=False, max_length=4000)
    follow_up = forms.CharField(
        label=_("Tindak lanjut"), widget=textarea(2), required=False, max_length=4000
    )


class DailyActivityForm(forms.Form):
    """One daily activity."""

    day = date_field(_("Tanggal"), _("Isi tanggal kegiatan."))
    description = forms.CharField(label=_("Kegiatan"), max_length=500, required=False)
    quantity = forms.CharField(
        label=_("Jumlah"), max_length=20, required=False, initial="1", widget=number_input()
    )
    output_unit = forms.CharField(label=_("Satuan hasil"), max_length=40, required=False)
    rhk = forms.TypedChoiceField(
        label=_("RHK terkait"), coerce=int, empty_value=None, required=False
    )

    def __init__(self, *args: Any, rhks: Choices = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["rhk"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [BLANK, *rhks]


class DailyPasteForm(forms.Form):
    """Many daily activities pasted at once, one per line."""

    lines = forms.CharField(
        label=_("Tempel kegiatan, satu per baris"),
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false"}),
        required=False,
        max_length=100_000,
        help_text=_(
            "Format: DD/MM/YYYY; kegiatan; jumlah; satuan. Jumlah dan satuan boleh kosong. "
            "Kolom dari lembar kerja (dipisah tab) juga bisa ditempel."
        ),
    )


class ReportForm(forms.Form):
    """The employee's achievement report for a period that has ended."""

    report = forms.CharField(
        label=_("Laporan capaian"), widget=textarea(4), required=False, max_length=10_000
    )


RATING_CHOICES = [(value, label) for value, label in Rating.choices]


class PeriodRatingForm(forms.Form):
    """The appraiser's two ratings of a period (the predikat is computed, never typed)."""

    rating_hasil = forms.ChoiceField(
        label=_("Rating hasil kerja"),
        choices=RATING_CHOICES,
        widget=forms.RadioSelect,
        required=False,
    )
    rating_perilaku = forms.ChoiceField(
        label=_("Rating perilaku kerja"),
        choices=RATING_CHOICES,
        widget=forms.RadioSelect,
        required=False,
    )
    note = forms.CharField(
        label=_("Catatan penilai"), widget=textarea(2), required=False, max_length=4000
    )


class ExtraAspectForm(forms.Form):
    """A rating of one of the agency's extra aspects, for a period or for the year."""

    aspect = forms.ChoiceField(label=_("Aspek"), required=False)
    period_index = forms.TypedChoiceField(
        label=_("Periode"), coerce=int, empty_value=None, required=False
    )
    rating = forms.ChoiceField(label=_("Rating"), choices=[BLANK, *RATING_CHOICES], required=False)
    note = forms.CharField(label=_("Catatan"), widget=textarea(2), required=False, max_length=4000)

    def __init__(
        self,
        *args: Any,
        aspects: Choices = (),
        periods: Sequence[Period] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        aspect_field = self.fields["aspect"]
        assert isinstance(aspect_field, forms.ChoiceField)
        aspect_field.choices = [BLANK, *aspects]
        period_field = self.fields["period_index"]
        assert isinstance(period_field, forms.TypedChoiceField)
        period_field.choices = [
            ("", _("Tahunan")),
            *((period.index, period.label) for period in periods),
        ]
