"""The self-assessment tab ("mandiri") of the SKP page: the employee's own summary.

While the SKP stands in its self-assessment stage the employee writes what each RHK achieved
(the latest achievement of its indicators is shown beside it) and how each BerAKHLAK value
was shown (with the value's behaviour guides), saves (``save_self_assessment``) and sends it
(``submit_self_assessment``: the engine lists every summary still missing). Everyone else
who may see the SKP reads it. When the appraiser (or HR) sent the SKP back to this stage,
the tab says who returned it, when and why, as the plan tab does for a returned plan
(``return_notice``), until it is sent again.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, cast

from django import forms
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from processes.skp import selectors, tabs
from processes.skp.access import SkpAccess
from processes.skp.actions import assessment as assessment_actions
from processes.skp.actions.common import current_form, open_task_for
from processes.skp.forms_plan import BEHAVIOUR_GUIDES, CommentForm, guide_text, textarea
from processes.skp.models import BerAkhlak, Rhk, SelfAssessment, Skp
from processes.skp.views_detail import Attempt, attempt, saved, tab_url
from processes.skp.views_plan import return_notice
from workflow.spec import PHASE_ORDER, Phase

TAB = "mandiri"


def shows_assessment(skp: Skp, access: SkpAccess) -> bool:
    """Show the tab from the self-assessed phase on."""
    case = skp.case
    if case is None or case.phase not in PHASE_ORDER:
        return False
    return PHASE_ORDER.index(case.phase) >= PHASE_ORDER.index(Phase.SELF_ASSESSED)


class SelfAssessmentForm(forms.Form):
    """One summary per RHK (``rhk_<id>``) and per BerAKHLAK value (``nilai_<code>``)."""

    def __init__(self, *args: Any, rhks: list[Rhk], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for number, rhk in enumerate(rhks, start=1):
            self.fields[f"rhk_{rhk.pk}"] = forms.CharField(
                label=_("Ringkasan capaian RHK %(number)d") % {"number": number},
                widget=textarea(3),
                required=False,
                max_length=10_000,
            )
        for value in BerAkhlak:
            self.fields[f"nilai_{value.value}"] = forms.CharField(
                label=value.label,
                widget=textarea(3),
                required=False,
                max_length=10_000,
                help_text=guide_text(value.value),
            )

    def summaries(self) -> tuple[dict[int, str], dict[str, str]]:
        """Return the texts per RHK id and per value code (after ``is_valid``)."""
        rhk_texts: dict[int, str] = {}
        value_texts: dict[str, str] = {}
        for name, text in self.cleaned_data.items():
            if name.startswith("rhk_"):
                rhk_texts[int(name.removeprefix("rhk_"))] = text
            elif name.startswith("nilai_"):
                value_texts[name.removeprefix("nilai_")] = text
        return rhk_texts, value_texts


@dataclass
class RhkItem:
    """An RHK with its indicators' latest achievement, its summary and (when editable) field."""

    number: int
    rhk: Rhk
    indicators: list[selectors.IndicatorRow]
    text: str
    field: forms.BoundField | None


@dataclass
class ValueItem:
    """A BerAKHLAK value with its guides, its summary and (when editable) field."""

    label: str
    guides: tuple[Any, ...]
    text: str
    field: forms.BoundField | None


def _rhks(skp: Skp) -> list[Rhk]:
    return list(Rhk.objects.filter(skp=skp).order_by("kind", "order", "pk"))


def assessment_context(
    request: HttpRequest,
    skp: Skp,
    access: SkpAccess,
    *,
    bound: Mapping[str, forms.Form] | None = None,
    problems: list[str] | None = None,
) -> dict[str, Any]:
    """Return the tab's context (a fixed number of queries)."""
    bound = bound or {}
    overview = selectors.monitoring_overview(skp)
    rhks = [row.rhk for row in overview.rhks]
    rows = list(SelfAssessment.objects.filter(skp=skp))
    by_rhk = {row.rhk_id: row.text for row in rows if row.rhk_id is not None}
    by_value = {row.value: row.text for row in rows if row.value}
    in_stage = current_form(skp) == "self_assessment"
    editable = access.is_employee and in_stage
    holds = editable and open_task_for(skp, request.user) is not None
    form = cast(SelfAssessmentForm | None, bound.get("mandiri"))
    if form is None and editable:
        initial: dict[str, str] = {f"rhk_{pk}": text for pk, text in by_rhk.items()}
        initial.update({f"nilai_{value}": text for value, text in by_value.items()})
        form = SelfAssessmentForm(prefix="mandiri", rhks=rhks, initial=initial)
    return {
        "editable": editable,
        "form": form,
        "submit_form": bound.get("kirim") or (CommentForm(prefix="kirim") if holds else None),
        "problems": problems or [],
        "rhk_items": [
            RhkItem(
                number=number,
                rhk=row.rhk,
                indicators=row.indicators,
                text=by_rhk.get(row.rhk.pk, ""),
                field=form[f"rhk_{row.rhk.pk}"] if form is not None else None,
            )
            for number, row in enumerate(overview.rhks, start=1)
        ],
        "value_items": [
            ValueItem(
                label=str(value.label),
                guides=tuple(BEHAVIOUR_GUIDES.get(value.value, ())),
                text=by_value.get(value.value, ""),
                field=form[f"nilai_{value.value}"] if form is not None else None,
            )
            for value in BerAkhlak
        ],
        "last_update": max((row.updated_at for row in rows), default=None),
        "returned": return_notice(skp) if in_stage else None,
    }


def assessment_tab(
    request: HttpRequest, skp: Skp, access: SkpAccess
) -> HttpResponse | Mapping[str, Any]:
    """Show the self-assessment, or save or send it (POST)."""
    if request.method != "POST":
        return assessment_context(request, skp, access)
    action = request.POST.get("aksi", "")
    user = request.user
    if action == "simpan":
        form = SelfAssessmentForm(request.POST, prefix="mandiri", rhks=_rhks(skp))
        outcome = Attempt(ok=False)
        if form.is_valid():
            rhk_texts, value_texts = form.summaries()
            outcome = attempt(
                request,
                lambda: assessment_actions.save_self_assessment(
                    skp_id=skp.pk,
                    actor=user,
                    rhk_summaries=rhk_texts,
                    value_summaries=value_texts,
                ),
                form,
            )
            if outcome.ok:
                return saved(request, tab_url(skp, TAB), _("Penilaian mandiri disimpan."))
        return assessment_context(request, skp, access, bound={"mandiri": form})
    if action == "kirim":
        # "Kirim" in the summaries' own form saves what was typed first (its own
        # transaction, so the text stays even when sending is refused), then sends.
        submit_form = CommentForm(request.POST, prefix="kirim")
        typed = any(key.startswith("mandiri-") for key in request.POST)
        summaries: SelfAssessmentForm | None = (
            SelfAssessmentForm(request.POST, prefix="mandiri", rhks=_rhks(skp)) if typed else None
        )
        outcome = Attempt(ok=False)
        if submit_form.is_valid() and (summaries is None or summaries.is_valid()):
            comment = submit_form.cleaned_data["comment"]

            def save_then_send() -> Any:
                if summaries is not None:
                    rhk_texts, value_texts = summaries.summaries()
                    assessment_actions.save_self_assessment(
                        skp_id=skp.pk,
                        actor=user,
                        rhk_summaries=rhk_texts,
                        value_summaries=value_texts,
                    )
                return assessment_actions.submit_self_assessment(
                    skp_id=skp.pk, actor=user, comment=comment
                )

            outcome = attempt(request, save_then_send, submit_form)
            if outcome.ok:
                return saved(request, tab_url(skp, TAB), _("Penilaian mandiri dikirim."))
        bound: dict[str, forms.Form] = {"kirim": submit_form}
        if summaries is not None:
            bound["mandiri"] = summaries
        return assessment_context(request, skp, access, bound=bound, problems=outcome.problems)
    return HttpResponseBadRequest(_("Tindakan tidak dikenal."))


tabs.register_tab(
    tabs.Tab(
        key=TAB,
        label=cast(str, gettext_lazy("Penilaian mandiri")),
        order=30,
        view=assessment_tab,
        template="skp/assessment/tab.html",
        visible=shows_assessment,
        forms=frozenset({"self_assessment"}),
    )
)
