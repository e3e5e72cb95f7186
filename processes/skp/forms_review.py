"""Forms of the appraiser's pages: peer feedback, rating, team review, dialog, keberatan, final.

The forms only collect input; the actions in ``processes.skp.actions.review``,
``.assessment``, ``.objection``, ``.monitoring`` and ``.final`` validate and write it. Field
names match the actions' keyword arguments and the keys of their ``errors``, so an action's
message lands next to its field (``apply_errors``). Fields the actions check are not
required here, so the messages users see are the actions' own; the few a page needs before
it may even call an action (a reason to send something back) are required.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from processes.organisation.models import Unit
from processes.skp.actions.assessment import PeerEntry
from processes.skp.forms_hr import date_field
from processes.skp.forms_plan import guide_text
from processes.skp.models import BerAkhlak, Objection, ObjectionExplanation
from processes.skp.rules import OrgPredikat, Period, Rating

BLANK: tuple[str, StrOrPromise] = ("", "—")


def textarea(rows: int = 3) -> forms.Textarea:
    """Return a textarea of ``rows`` lines."""
    return forms.Textarea(attrs={"rows": rows})


def apply_errors(
    form: forms.Form, errors: Mapping[str, Sequence[str]], aliases: Mapping[str, str] | None = None
) -> None:
    """Put an action's errors on the form's fields; unknown keys become form-wide errors.

    ``aliases`` renames an action's key to the form's field (``{"akuntabel":
    "rating_akuntabel"}``).
    """
    for key, texts in errors.items():
        name = (aliases or {}).get(key, key)
        target = name if name in form.fields else None
        for text in texts:
            form.add_error(target, text)


def rating_field(label: StrOrPromise, help_text: StrOrPromise = "") -> forms.ChoiceField:
    """Return a radio group of the three ratings (Di Atas / Sesuai / Di Bawah Ekspektasi)."""
    return forms.ChoiceField(
        label=label,
        choices=Rating.choices,
        widget=forms.RadioSelect(attrs={"class": "rating-choice"}),
        required=False,
        help_text=help_text,
    )


# Penilaian ------------------------------------------------------------------------------------


class PeerFeedbackForm(forms.Form):
    """A peer's rating and comment on each of the seven BerAKHLAK values."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for value in BerAkhlak:
            self.fields[f"rating_{value.value}"] = rating_field(
                value.label, help_text=guide_text(value.value)
            )
            self.fields[f"text_{value.value}"] = forms.CharField(
                label=_("Catatan untuk %(value)s") % {"value": value.label},
                widget=textarea(2),
                required=False,
                max_length=2000,
            )

    def rows(self) -> list[tuple[StrOrPromise, forms.BoundField, forms.BoundField]]:
        """Return (value label, rating field, comment field) for each value, in order."""
        return [
            (value.label, self[f"rating_{value.value}"], self[f"text_{value.value}"])
            for value in BerAkhlak
        ]

    def entries(self) -> list[PeerEntry]:
        """Return the seven entries for ``give_peer_feedback`` (unrated ones left blank)."""
        data = self.cleaned_data
        return [
            PeerEntry(
                value=value.value,
                rating=data.get(f"rating_{value.value}") or "",
                text=data.get(f"text_{value.value}") or "",
            )
            for value in BerAkhlak
        ]

    def apply(self, errors: Mapping[str, Sequence[str]]) -> None:
        """Put ``InvalidAssessment.errors`` (keyed by value) on the values' rating fields."""
        apply_errors(self, errors, {value.value: f"rating_{value.value}" for value in BerAkhlak})


class RatingForm(forms.Form):
    """The appraiser's two ratings and, where the curve asks for one, a justification.

    The predikat is never an input: the page computes it from the two ratings. For a unit
    head whose rating hasil follows the unit's result, only that rating is offered.
    """

    rating_hasil = rating_field(_("Rating hasil kerja"))
    rating_perilaku = rating_field(_("Rating perilaku kerja"))
    justification = forms.CharField(
        label=_("Justifikasi penilaian"),
        widget=textarea(3),
        required=False,
        max_length=4000,
    )

    def __init__(
        self,
        *args: Any,
        fixed_hasil: Rating | None = None,
        justification_required: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if fixed_hasil is not None:
            # The field still accepts the three ratings, so a stale page gets the action's
            # own explanation; the page offers only the one the unit's result gives.
            self.fields["rating_hasil"].widget.choices = [(fixed_hasil.value, fixed_hasil.label)]
            self.fields["rating_hasil"].initial = fixed_hasil.value
        self.require_justification(justification_required)

    def require_justification(self, required: bool) -> None:
        """Mark the justification as required in the page (the action checks it)."""
        attrs = self.fields["justification"].widget.attrs
        # A bound field keeps the label it was made with; make it again with the new one.
        cache: dict[str, Any] = getattr(self, "_bound_fields_cache", {})
        cache.pop("justification", None)
        if required:
            attrs.update({"required": True, "aria-required": "true"})
            self.fields["justification"].label = _("Justifikasi penilaian (wajib)")
        else:
            attrs.pop("required", None)
            attrs.pop("aria-required", None)
            self.fields["justification"].label = _("Justifikasi penilaian (bila perlu)")


class ReturnForm(forms.Form):
    """A written reason to send the SKP back a stage."""

    reason = forms.CharField(
        label=_("Alasan pengembalian"),
        widget=textarea(3),
        max_length=4000,
        error_messages={"required": _("Alasan wajib diisi.")},
    )


class TeamReviewForm(forms.Form):
    """The evaluation team's review of the appraiser's rating."""

    summary = forms.CharField(
        label=_("Hasil reviu"), widget=textarea(4), required=False, max_length=8000
    )
    recommendation = forms.CharField(
        label=_("Rekomendasi tindak lanjut"),
        widget=textarea(3),
        required=False,
        max_length=4000,
        help_text=_("Misalnya penghargaan, pelatihan, atau mutasi."),
    )
    agrees_with_rating = forms.TypedChoiceField(
        label=_("Sependapat dengan rating pejabat penilai?"),
        choices=[("yes", _("Ya, sependapat")), ("no", _("Tidak sependapat"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Pilih apakah tim sependapat dengan rating pejabat penilai.")
        },
    )


class FieldObservationForm(forms.Form):
    """A field visit recorded as evidence for the review."""

    observed_on = date_field(_("Tanggal kunjungan"))
    location = forms.CharField(label=_("Lokasi"), required=False, max_length=200)
    notes = forms.CharField(
        label=_("Catatan pengamatan"), widget=textarea(3), required=False, max_length=8000
    )
    evidence_file = forms.FileField(
        label=_("Berkas bukti (tidak wajib)"),
        required=False,
        help_text=_("Foto atau dokumen kunjungan, mengikuti aturan bukti dukung instansi."),
    )


# Dialog dan keberatan -------------------------------------------------------------------------


class DialogForm(forms.Form):
    """A dialog kinerja held with the employee (the result, or a keberatan's clarification)."""

    held_on = date_field(_("Tanggal dialog"))
    agenda = forms.CharField(label=_("Agenda"), widget=textarea(2), required=False)
    outcome = forms.CharField(label=_("Hasil dialog"), widget=textarea(3), required=False)
    follow_up = forms.CharField(
        label=_("Tindak lanjut (tidak wajib)"), widget=textarea(2), required=False
    )


class ObjectionForm(forms.Form):
    """The employee's keberatan with reasons."""

    reasons = forms.CharField(
        label=_("Alasan keberatan"), widget=textarea(5), required=False, max_length=8000
    )


class ExplanationRequestForm(forms.Form):
    """A question the deciding official asks the appraiser or the employee."""

    party = forms.ChoiceField(
        label=_("Minta penjelasan dari"),
        choices=ObjectionExplanation.Party.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    question = forms.CharField(
        label=_("Pertanyaan"), widget=textarea(3), required=False, max_length=4000
    )


class ExplanationAnswerForm(forms.Form):
    """An explanation given by the party asked."""

    answer = forms.CharField(
        label=_("Penjelasan Anda"), widget=textarea(4), required=False, max_length=8000
    )
    evidence_file = forms.FileField(
        label=_("Bukti pendukung (tidak wajib)"),
        required=False,
        help_text=_("Dokumen atau foto yang mendukung penjelasan, mengikuti aturan bukti dukung."),
    )


class DecisionForm(forms.Form):
    """The final decision on a keberatan; upheld or partly upheld changes the ratings.

    Each new rating offers "Tidak diubah" (the default): a keberatan upheld in part often
    changes one rating only, and a rating ticked by mistake can be taken back; the current
    rating (``current``) then goes to the action. A rejection keeps the result, so ratings
    ticked before "Ditolak" was chosen are dropped from the posted data: the action never
    gets them and the form shown again has none ticked. For a unit head whose rating hasil
    follows the unit's result (``fixed_hasil``) that rating is the only choice offered.
    """

    RATINGS = ("rating_hasil", "rating_perilaku")

    decision = forms.ChoiceField(
        label=_("Keputusan"),
        choices=Objection.Decision.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    rating_hasil = rating_field(
        _("Rating hasil kerja yang baru"), _("Hanya bila keberatan diterima (seluruhnya/sebagian).")
    )
    rating_perilaku = rating_field(
        _("Rating perilaku kerja yang baru"),
        _("Hanya bila keberatan diterima (seluruhnya/sebagian)."),
    )
    reason = forms.CharField(
        label=_("Pertimbangan keputusan"), widget=textarea(4), required=False, max_length=8000
    )

    def __init__(
        self,
        *args: Any,
        fixed_hasil: Rating | None = None,
        current: tuple[str, str] = ("", ""),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.unchanged = dict(zip(self.RATINGS, current, strict=True))
        for name, value in self.unchanged.items():
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = [("", _keep_label(value)), *Rating.choices]
        if fixed_hasil is not None:
            # The field still accepts the three ratings, so a stale page gets the action's
            # own explanation; the page offers only the one the unit's result gives.
            self.fields["rating_hasil"].widget.choices = [(fixed_hasil.value, fixed_hasil.label)]
            self.fields["rating_hasil"].initial = fixed_hasil.value
            self.unchanged["rating_hasil"] = fixed_hasil.value
        if self.is_bound and self._posted("decision") == Objection.Decision.REJECTED:
            posted = self.data
            data = posted.copy() if isinstance(posted, QueryDict) else dict(posted)
            for name in self.RATINGS:
                data.pop(self.add_prefix(name), None)
            self.data = data

    def _posted(self, name: str) -> str:
        return str(self.data.get(self.add_prefix(name)) or "")

    def _with_unchanged(self, chosen: Mapping[str, str]) -> tuple[str, str]:
        hasil, perilaku = (chosen[name] or self.unchanged[name] for name in self.RATINGS)
        return hasil, perilaku

    def new_ratings(self) -> tuple[str | None, str | None]:
        """Return the ratings for ``decide_objection`` (after ``is_valid``).

        Upheld or partly upheld: each rating chosen, or the current one where "Tidak
        diubah" stays chosen. Rejected: none (the result stays). Without a decision the
        ratings chosen, for the action to refuse with its own message.
        """
        data = self.cleaned_data
        chosen = {name: str(data.get(name) or "") for name in self.RATINGS}
        if data.get("decision") in (Objection.Decision.UPHELD, Objection.Decision.PARTLY):
            return self._with_unchanged(chosen)
        return chosen["rating_hasil"] or None, chosen["rating_perilaku"] or None

    def proposed(self) -> tuple[str, str] | None:
        """Return the ratings the posted decision would give, for the live predikat.

        None for a rejection, and while no new rating is chosen (nothing would change).
        Reads the posted data, valid or not (the preview shows what is ticked).
        """
        if not self.is_bound or self._posted("decision") == Objection.Decision.REJECTED:
            return None
        chosen = {name: self._posted(name) for name in self.RATINGS}
        if not any(chosen.values()):
            return None
        return self._with_unchanged(chosen)


def _keep_label(current: str) -> StrOrPromise:
    """Return the label of a new rating's "keep the current one" choice."""
    if current in Rating.values:
        return _("Tidak diubah (%(rating)s)") % {"rating": Rating(current).label}
    return _("Tidak diubah")


# Hasil akhir ----------------------------------------------------------------------------------


class FinaliseForm(forms.Form):
    """HR's penetapan with an optional note on the follow-up."""

    follow_up_note = forms.CharField(
        label=_("Catatan tindak lanjut (tidak wajib)"),
        widget=textarea(3),
        required=False,
        max_length=4000,
    )


class ReopenForm(forms.Form):
    """HR reopens a final SKP at a stage, with a written reason (audited)."""

    to_stage = forms.ChoiceField(label=_("Buka kembali di tahap"))
    reason = forms.CharField(
        label=_("Alasan"),
        widget=textarea(3),
        max_length=4000,
        help_text=_("Misalnya nomor surat keputusan yang memerintahkan koreksi."),
    )

    def __init__(self, *args: Any, stages: Sequence[tuple[str, str]] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["to_stage"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = list(stages)


# Tim ------------------------------------------------------------------------------------------


class OrganisationResultForm(forms.Form):
    """A unit's organisation predikat for a cycle (annual) or one of its periods."""

    predikat = forms.ChoiceField(
        label=_("Predikat kinerja organisasi"),
        choices=[BLANK, *OrgPredikat.choices],
        required=False,
    )
    period_index = forms.TypedChoiceField(
        label=_("Periode"),
        choices=[("", _("Tahunan"))],
        coerce=int,
        empty_value=None,
        required=False,
    )
    note = forms.CharField(
        label=_("Catatan (misalnya nomor keputusan)"),
        required=False,
        max_length=2000,
    )

    def __init__(self, *args: Any, periods: Sequence[Period] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["period_index"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [("", _("Tahunan")), *((p.index, p.label) for p in periods)]


class UnitFilterForm(forms.Form):
    """The sub-unit shown on the leader's view."""

    unit = forms.TypedChoiceField(label=_("Unit"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args: Any, units: Sequence[Unit] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        depth = min((unit.path.count("/") for unit in units), default=0)
        field = self.fields["unit"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [
            (unit.pk, "\u2003" * (unit.path.count("/") - depth) + unit.name) for unit in units
        ]
