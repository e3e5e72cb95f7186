"""The "dialog" and "hasil" tabs of the SKP page: the result dialog, keberatan, the final result.

"dialog" (from the discussed phase on): the result (ratings and predikat) for the employee;
the appraiser records the result dialog (``record_dialog`` kind "result"); the employee sees
the keberatan window's deadline in the agency's zone (``objection_window``) and either
accepts the result (``acknowledge_result``) or files a keberatan with reasons
(``file_objection``; refused after the window with the action's message). The appraiser's
supervisor holding the decision task sees the keberatan, asks the appraiser or the employee
for explanations (``request_explanation``), which they answer on the same tab
(``give_explanation``), may record a clarification dialog (``record_dialog`` kind
"objection"), and decides (``decide_objection``): upheld or partly upheld with new ratings
whose predikat is previewed live (``skp:decision_preview``; a rating left "Tidak diubah"
keeps the current one), or rejected (ratings ticked before "Ditolak" was chosen are
dropped, and the preview shows no new predikat); a reason is required. The decision and
every result (the appraiser's and the decision's RatingRecord) stay visible.

"hasil" (from the final phase on; while the penetapan is pending only for HR): the final
result with credit points for functional positions and the follow-up; HR fixes it
(``finalise_skp``, "Tetapkan") and the SKP locks.

POSTs work as on the "penilaian" tab (``views_review``): ``aksi`` names the action, a role
that may never do it gets 403, refusals come back next to the fields or as a message.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_stubs_ext import StrOrPromise

from processes.organisation.models import FunctionalLevel, PositionKind
from processes.skp import rules, tabs
from processes.skp.access import SkpAccess, access_skp, today_for
from processes.skp.actions import monitoring
from processes.skp.actions import objection as objection_actions
from processes.skp.actions.common import current_form, open_task_for
from processes.skp.actions.final import (
    finalise_skp,
    reopen_skp,
    reopen_targets,
)
from processes.skp.actions.review import RatingPreview, unit_head_hasil
from processes.skp.forms_review import (
    DecisionForm,
    DialogForm,
    ExplanationAnswerForm,
    ExplanationRequestForm,
    FinaliseForm,
    ObjectionForm,
    ReopenForm,
)
from processes.skp.models import Objection, ObjectionExplanation, PerformanceDialog, Skp
from processes.skp.process import result_discussed
from processes.skp.rules import FollowUp
from processes.skp.views_detail import posted_id, tab_url
from processes.skp.views_review import (
    claimable,
    done,
    predikat_label,
    preview_of,
    rating_label,
    rating_records,
    refuse_unless,
    run,
)
from workflow.errors import StepNotAllowed
from workflow.spec import Phase

DIALOG_TAB = "dialog"
RESULT_TAB = "hasil"
FOLLOW_UP_LABELS: dict[str, StrOrPromise] = dict(FollowUp.choices)
LEVEL_LABELS: dict[str, StrOrPromise] = dict(FunctionalLevel.choices)


def result_of(skp: Skp) -> dict[str, StrOrPromise]:
    """Return the SKP's current ratings and predikat as labels."""
    return {
        "hasil": rating_label(skp.rating_hasil),
        "perilaku": rating_label(skp.rating_perilaku),
        "predikat": predikat_label(skp.predikat),
    }


# "dialog" -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Window:
    """The keberatan window: its last instant written in the agency's zone, and if it is open."""

    deadline: datetime.datetime
    text: str
    open: bool


def window_of(skp: Skp) -> Window | None:
    """Return the keberatan window, or None before the result reached the employee."""
    try:
        deadline, on_time = objection_actions.objection_window(skp)
    except StepNotAllowed:
        return None
    return Window(deadline, objection_actions.local_deadline_text(skp, deadline), on_time)


@dataclass(frozen=True)
class DialogAbilities:
    """What the viewer may do on the "dialog" tab now."""

    reads: bool  # the result, the dialogs and the keberatan
    record_dialog: bool  # the appraiser, while the result is discussed
    respond: bool  # the employee holding the discussion task: accept or object
    decide: bool  # the holder of the decision task
    clarify: bool  # the appraiser's supervisor records a clarification dialog


def dialog_abilities(skp: Skp, access: SkpAccess, user: Any) -> DialogAbilities:
    """Return what ``user`` may do on the tab now."""
    form = current_form(skp)
    task = open_task_for(skp, user) if form in ("discussion", "objection_decision") else None
    decide = form == "objection_decision" and task is not None
    return DialogAbilities(
        reads=(
            access.is_employee
            or access.is_appraiser
            or access.is_supervisor
            or access.is_hr
            or decide
        ),
        record_dialog=form == "discussion" and access.is_appraiser,
        respond=form == "discussion" and access.is_employee and task is not None,
        decide=decide,
        clarify=form == "objection_decision" and access.is_supervisor,
    )


def _party_of(access: SkpAccess) -> set[str]:
    parties = set()
    if access.is_employee:
        parties.add(ObjectionExplanation.Party.EMPLOYEE.value)
    if access.is_appraiser:
        parties.add(ObjectionExplanation.Party.APPRAISER.value)
    return parties


def dialog_context(
    request: HttpRequest,
    skp: Skp,
    access: SkpAccess,
    *,
    bound: Mapping[str, forms.Form] | None = None,
) -> dict[str, Any]:
    """Return what the "dialog" tab shows (``bound`` forms replace the blank ones)."""
    user = request.user
    can = dialog_abilities(skp, access, user)
    forms_in = dict(bound or {})
    context: dict[str, Any] = {"can": can, "action_url": tab_url(skp, DIALOG_TAB)}
    if not can.reads:
        return context
    objection = Objection.objects.filter(skp=skp).select_related("filed_by", "decided_by").first()
    explanations = (
        list(
            objection.explanations.select_related(
                "requested_by", "answered_by", "evidence"
            ).order_by("requested_at", "pk")
        )
        if objection is not None
        else []
    )
    parties = _party_of(access)
    deciding = current_form(skp) == "objection_decision"
    answers = [
        (
            explanation,
            forms_in.get(f"jawab-{explanation.pk}")
            or ExplanationAnswerForm(prefix=f"jawab-{explanation.pk}"),
        )
        for explanation in explanations
        if deciding and explanation.answered_at is None and explanation.party in parties
    ]
    context.update(
        {
            "result": result_of(skp),
            "records": rating_records(skp),
            "dialogs": list(
                PerformanceDialog.objects.filter(
                    skp=skp,
                    kind__in=[PerformanceDialog.Kind.RESULT, PerformanceDialog.Kind.OBJECTION],
                )
                .select_related("recorded_by")
                .order_by("-held_on", "-pk")
            ),
            "window": window_of(skp) if skp.result_received_at else None,
            "objection": objection,
            "explanations": explanations,
            "answers": answers,
            "today": today_for(skp),
        }
    )
    if can.record_dialog:
        context["dialog_form"] = forms_in.get("dialog") or DialogForm(
            prefix="hasil", initial={"held_on": today_for(skp)}
        )
        assert skp.case is not None
        context["dialog_recorded"] = not result_discussed(skp.case)
    if can.respond:
        context["objection_form"] = forms_in.get("objection") or ObjectionForm()
        # The same guard the engine runs when the employee answers.
        assert skp.case is not None
        context["awaiting_dialog"] = bool(result_discussed(skp.case))
    if can.decide:
        decision_form = cast(DecisionForm | None, forms_in.get("decision")) or decision_form_for(
            skp
        )
        context.update(
            {
                "request_form": forms_in.get("request") or ExplanationRequestForm(),
                "decision_form": decision_form,
                "decision_preview": decision_preview_of(skp, decision_form),
                "decision_preview_url": reverse("skp:decision_preview", kwargs={"skp_id": skp.pk}),
            }
        )
    if can.clarify:
        context["clarify_form"] = forms_in.get("clarify") or DialogForm(
            prefix="klarifikasi", initial={"held_on": today_for(skp)}
        )
    return context


def decision_form_for(skp: Skp, data: Mapping[str, Any] | None = None) -> DecisionForm:
    """Return the keberatan decision form, bound to ``data`` when given.

    "Tidak diubah" keeps the SKP's current rating; a unit head's rating hasil is fixed.
    """
    return DecisionForm(
        data,
        fixed_hasil=unit_head_hasil(skp),
        current=(skp.rating_hasil, skp.rating_perilaku),
    )


def decision_preview_of(skp: Skp, form: DecisionForm) -> RatingPreview | None:
    """Return the predikat the form's decision would give; None for a rejection or no change."""
    proposed = form.proposed()
    return preview_of(skp, *proposed) if proposed is not None else None


def _dialog_failed(
    request: HttpRequest, skp: Skp, access: SkpAccess, key: str, form: forms.Form
) -> Mapping[str, Any]:
    return dialog_context(request, skp, access, bound={key: form})


def _record_dialog(
    request: HttpRequest, skp: Skp, access: SkpAccess, kind: str, key: str, prefix: str
) -> HttpResponse | Mapping[str, Any]:
    form = DialogForm(request.POST, prefix=prefix)
    if form.is_valid():
        data = form.cleaned_data
        outcome = run(
            request,
            lambda: monitoring.record_dialog(
                skp_id=skp.pk,
                actor=request.user,
                kind=kind,
                held_on=data["held_on"],
                agenda=data.get("agenda") or "",
                outcome=data.get("outcome") or "",
                follow_up=data.get("follow_up") or "",
            ),
            form,
        )
        if outcome.ok:
            return done(request, tab_url(skp, DIALOG_TAB), _("Dialog kinerja dicatat."))
    return _dialog_failed(request, skp, access, key, form)


def _dialog_post(
    request: HttpRequest, skp: Skp, access: SkpAccess
) -> HttpResponse | Mapping[str, Any]:
    action = request.POST.get("aksi", "")
    user = request.user
    url = tab_url(skp, DIALOG_TAB)

    if action == "dialog":
        refuse_unless(access.is_appraiser)
        return _record_dialog(
            request, skp, access, PerformanceDialog.Kind.RESULT, "dialog", "hasil"
        )

    if action == "terima":
        refuse_unless(access.is_employee)
        outcome = run(
            request, lambda: objection_actions.acknowledge_result(skp_id=skp.pk, actor=user)
        )
        if outcome.ok:
            return done(request, url, _("Anda menerima hasil penilaian. Terima kasih."))
        for problem in outcome.problems:
            messages.error(request, problem)
        return dialog_context(request, skp, access)

    if action == "keberatan":
        refuse_unless(access.is_employee)
        objection_form = ObjectionForm(request.POST)
        if objection_form.is_valid():
            reasons = objection_form.cleaned_data.get("reasons") or ""
            outcome = run(
                request,
                lambda: objection_actions.file_objection(
                    skp_id=skp.pk, actor=user, reasons=reasons
                ),
                objection_form,
            )
            if outcome.ok:
                return done(
                    request,
                    url,
                    _("Keberatan Anda diajukan kepada atasan pejabat penilai."),
                )
        return _dialog_failed(request, skp, access, "objection", objection_form)

    if action == "minta_penjelasan":
        can = dialog_abilities(skp, access, user)
        refuse_unless(can.decide or access.is_supervisor)
        request_form = ExplanationRequestForm(request.POST)
        if request_form.is_valid():
            data = request_form.cleaned_data
            outcome = run(
                request,
                lambda: objection_actions.request_explanation(
                    skp_id=skp.pk,
                    actor=user,
                    party=data.get("party") or "",
                    question=data.get("question") or "",
                ),
                request_form,
            )
            if outcome.ok:
                return done(request, url, _("Permintaan penjelasan dikirim."))
        return _dialog_failed(request, skp, access, "request", request_form)

    if action == "jawab":
        refuse_unless(access.is_employee or access.is_appraiser)
        explanation_id = posted_id(request, "penjelasan") or 0
        key = f"jawab-{explanation_id}"
        answer_form = ExplanationAnswerForm(request.POST, request.FILES, prefix=key)
        if answer_form.is_valid():
            answer = answer_form.cleaned_data.get("answer") or ""
            attached = answer_form.cleaned_data.get("evidence_file")
            outcome = run(
                request,
                lambda: objection_actions.give_explanation(
                    explanation_id=explanation_id,
                    actor=user,
                    answer=answer,
                    evidence_file=attached or None,
                ),
                answer_form,
            )
            if outcome.ok:
                return done(request, url, _("Penjelasan Anda terkirim."))
        return _dialog_failed(request, skp, access, key, answer_form)

    if action == "putuskan":
        can = dialog_abilities(skp, access, user)
        refuse_unless(can.decide or access.is_supervisor)
        # A rejection drops the ratings ticked before it was chosen (the form does).
        decision_form = decision_form_for(skp, request.POST)
        if decision_form.is_valid():
            data = decision_form.cleaned_data
            hasil, perilaku = decision_form.new_ratings()
            outcome = run(
                request,
                lambda: objection_actions.decide_objection(
                    skp_id=skp.pk,
                    actor=user,
                    decision=data.get("decision") or "",
                    reason=data.get("reason") or "",
                    rating_hasil=hasil,
                    rating_perilaku=perilaku,
                ),
                decision_form,
            )
            if outcome.ok:
                return done(request, url, _("Keberatan telah diputus. Keputusan ini final."))
        return _dialog_failed(request, skp, access, "decision", decision_form)

    if action == "dialog_keberatan":
        refuse_unless(access.is_supervisor)
        return _record_dialog(
            request, skp, access, PerformanceDialog.Kind.OBJECTION, "clarify", "klarifikasi"
        )

    raise BadRequest(_("Tindakan tidak dikenal."))


def dialog_tab(
    request: HttpRequest, skp: Skp, access: SkpAccess
) -> HttpResponse | Mapping[str, Any]:
    """Show the "dialog" tab, or handle one of its forms (POST)."""
    if request.method == "POST":
        return _dialog_post(request, skp, access)
    return dialog_context(request, skp, access)


def dialog_visible(skp: Skp, access: SkpAccess) -> bool:
    """Show the tab from the discussed phase on."""
    return skp.case is not None and skp.case.phase in (Phase.DISCUSSED, Phase.FINAL)


@require_POST
def decision_preview(request: HttpRequest, skp_id: int) -> HttpResponse:
    """Return the predikat the decision's new ratings give (nothing is written).

    htmx posts the whole decision form: a rejection, or no new rating chosen, shows no new
    predikat; a rating left "Tidak diubah" counts as the current one. Only the holder of
    the decision task may ask; others who may see the SKP get 403.
    """
    skp, _access = access_skp(request.user, skp_id)
    refuse_unless(
        current_form(skp) == "objection_decision" and open_task_for(skp, request.user) is not None
    )
    preview = decision_preview_of(skp, decision_form_for(skp, request.POST))
    return render(
        request,
        "skp/objection/_decision_live.html",
        {"skp": skp, "decision_preview": preview, "result": result_of(skp), "oob": True},
    )


# "hasil" ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FinalResult:
    """The final result as the "hasil" tab shows it."""

    hasil: StrOrPromise
    perilaku: StrOrPromise
    predikat: StrOrPromise
    functional: bool
    level: StrOrPromise
    months: int
    follow_up: StrOrPromise
    locked: bool


def final_result(skp: Skp) -> FinalResult:
    """Return the final result of ``skp`` (credit points come from the SKP row)."""
    case = skp.case
    functional = skp.position.kind == PositionKind.FUNGSIONAL
    months = (
        rules.months_covered(skp.period_start, skp.period_end)
        if skp.period_start.year == skp.period_end.year
        else 12
    )
    return FinalResult(
        hasil=rating_label(skp.rating_hasil),
        perilaku=rating_label(skp.rating_perilaku),
        predikat=predikat_label(skp.predikat),
        functional=functional,
        level=LEVEL_LABELS.get(skp.position.functional_level, ""),
        months=months,
        follow_up=FOLLOW_UP_LABELS.get(skp.follow_up, ""),
        locked=case is not None and case.closed_at is not None and case.phase == Phase.FINAL,
    )


def result_context(
    request: HttpRequest,
    skp: Skp,
    access: SkpAccess,
    *,
    bound: FinaliseForm | None = None,
    reopen_bound: ReopenForm | None = None,
) -> dict[str, Any]:
    """Return what the "hasil" tab shows."""
    finalise = (
        access.is_hr
        and current_form(skp) == "finalisation"
        and claimable(skp, request.user, "finalisation") is not None
    )
    # Peers and team members who took part may open the SKP; its result is not theirs to read.
    reads = access.is_employee or access.is_appraiser or access.is_supervisor or access.is_hr
    context: dict[str, Any] = {
        "reads": reads,
        "final": final_result(skp),
        "records": rating_records(skp) if reads else [],
        "finalise": finalise,
        "action_url": tab_url(skp, RESULT_TAB),
    }
    if finalise:
        context["finalise_form"] = bound or FinaliseForm()
    if access.is_hr and context["final"].locked:
        context["reopen_form"] = reopen_bound or ReopenForm(
            prefix="buka", stages=_reopen_choices(skp), initial={"to_stage": "rate"}
        )
    return context


def _reopen_choices(skp: Skp) -> list[tuple[str, str]]:
    return [(spec.key, spec.name) for spec in reopen_targets(skp)]


def _reopen(request: HttpRequest, skp: Skp, access: SkpAccess) -> HttpResponse | Mapping[str, Any]:
    refuse_unless(access.is_hr)
    form = ReopenForm(request.POST, prefix="buka", stages=_reopen_choices(skp))
    if form.is_valid():
        data = form.cleaned_data
        outcome = run(
            request,
            lambda: reopen_skp(
                skp_id=skp.pk, actor=request.user, reason=data["reason"], to_stage=data["to_stage"]
            ),
            form,
        )
        if outcome.ok:
            return done(
                request,
                reverse("skp:detail", kwargs={"skp_id": skp.pk}),
                _("SKP dibuka kembali di tahap «%(stage)s».")
                % {"stage": dict(_reopen_choices(skp))[data["to_stage"]]},
            )
    return result_context(request, skp, access, reopen_bound=form)


def result_tab(
    request: HttpRequest, skp: Skp, access: SkpAccess
) -> HttpResponse | Mapping[str, Any]:
    """Show the "hasil" tab, or fix the result (POST, HR)."""
    if request.method != "POST":
        return result_context(request, skp, access)
    if request.POST.get("aksi", "") == "buka":
        return _reopen(request, skp, access)
    if request.POST.get("aksi", "") != "tetapkan":
        raise BadRequest(_("Tindakan tidak dikenal."))
    refuse_unless(access.is_hr)
    form = FinaliseForm(request.POST)
    if form.is_valid():
        note = form.cleaned_data.get("follow_up_note") or ""
        outcome = run(
            request,
            lambda: finalise_skp(skp_id=skp.pk, actor=request.user, follow_up_note=note),
            form,
        )
        if outcome.ok:
            return done(
                request,
                tab_url(skp, RESULT_TAB),
                _("Hasil penilaian ditetapkan. SKP sekarang final dan terkunci."),
            )
    return result_context(request, skp, access, bound=form)


def result_visible(skp: Skp, access: SkpAccess) -> bool:
    """Show the tab once the SKP is final; while the penetapan is pending, to HR only."""
    case = skp.case
    if case is None or case.phase != Phase.FINAL:
        return False
    return case.closed_at is not None or access.is_hr


tabs.register_tab(
    tabs.Tab(
        key=DIALOG_TAB,
        label=cast(str, gettext_lazy("Dialog dan keberatan")),
        order=50,
        view=dialog_tab,
        template="skp/objection/dialog.html",
        visible=dialog_visible,
        forms=frozenset({"discussion", "objection_decision"}),
    )
)
tabs.register_tab(
    tabs.Tab(
        key=RESULT_TAB,
        label=cast(str, gettext_lazy("Hasil akhir")),
        order=60,
        view=result_tab,
        template="skp/objection/result.html",
        visible=result_visible,
        forms=frozenset({"finalisation"}),
    )
)
