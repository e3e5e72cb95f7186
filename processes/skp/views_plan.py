"""The plan tab ("rencana") of the SKP page: the working plan, its decisions and versions.

The employee drafts RHK (Utama/Tambahan) linked to the appraiser's agreed RHK (intervensi)
or, for JPT, to a unit goal under a perspective; indicators with aspect and target (free or
from the agency's indicator library); rencana aksi per period; and the lampiran, while the
SKP stands in the plan stage. The appraiser writes the ekspektasi khusus for the seven
BerAKHLAK values while the plan is drafted or awaits approval, and approves or returns it
(with a reason) when they hold the task. During monitoring the employee may ask to revise
the agreed plan (with a reason). Every agreed version stays readable.

POSTs go to the tab's own URL with ``aksi`` naming the action; each calls one action of
``processes.skp.actions.plan`` and redirects on success (htmx swaps just the RHK card for
indicators and rencana aksi). Refusals come back next to the fields, as the guard's list of
missing inputs, or as a message; nothing is written then.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar, cast

from django import forms
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from processes.skp import tabs
from processes.skp.access import SkpAccess
from processes.skp.actions import plan as plan_actions
from processes.skp.actions.common import current_form, open_task_for
from processes.skp.forms_plan import (
    BEHAVIOUR_GUIDES,
    ActionPlanForm,
    AttachmentForm,
    CommentForm,
    ExpectationsForm,
    IndicatorForm,
    ReasonForm,
    RhkForm,
    library_data,
    short,
)
from processes.skp.models import (
    ActionPlan,
    BehaviourExpectation,
    BerAkhlak,
    Indicator,
    Perspective,
    PlanAttachment,
    PlanVersion,
    Rhk,
    Skp,
    UnitGoal,
)
from processes.skp.process import periods_of
from processes.skp.rules import Aspect, Period
from processes.skp.views_detail import Attempt, attempt, posted_id, saved, tab_url
from workflow.models import AuditCode, AuditEntry, WorkItem

TAB = "rencana"
ASPECT_LABELS = dict(Aspect.choices)
PERSPECTIVE_LABELS = dict(Perspective.choices)
KIND_LABELS = dict(Rhk.Kind.choices)
F = TypeVar("F", bound=forms.Form)


# What the tab shows ----------------------------------------------------------------------------


@dataclass
class IndicatorItem:
    """An indicator of an RHK card with its edit form (while the plan is editable)."""

    indicator: Indicator
    form: IndicatorForm | None


@dataclass
class ActionPlanItem:
    """A rencana aksi with its edit form (while the plan is editable)."""

    plan: ActionPlan
    form: ActionPlanForm | None


@dataclass
class PeriodPlans:
    """The rencana aksi of one period of an RHK."""

    period: Period
    items: list[ActionPlanItem]


@dataclass
class RhkCard:
    """One RHK as its card shows it."""

    rhk: Rhk
    number: int
    link: str  # the appraiser's RHK it hangs under, or the unit goal (JPT)
    perspective: str
    indicators: list[IndicatorItem]
    periods: list[PeriodPlans]
    edit_form: RhkForm | None
    indicator_form: IndicatorForm | None
    action_plan_form: ActionPlanForm | None

    @property
    def anchor(self) -> str:
        """Return the card's element id."""
        return f"rhk-{self.rhk.pk}"

    @property
    def has_action_plans(self) -> bool:
        """Return True when some period has a rencana aksi."""
        return any(group.items for group in self.periods)


@dataclass
class Expectation:
    """The appraiser's ekspektasi khusus for one value, with the value's behaviour guides."""

    value: str
    label: str
    guides: tuple[Any, ...]
    text: str


@dataclass
class VersionRhk:
    """An RHK of a frozen plan version."""

    kind: str
    text: str
    link: str
    perspective: str
    indicators: list[dict[str, Any]]
    action_plans: list[dict[str, Any]]


@dataclass
class VersionView:
    """A plan version, read-only: its number, date, reason and content."""

    version: PlanVersion
    rhks: list[VersionRhk]
    expectations: list[tuple[str, str]]
    attachment: dict[str, str]


@dataclass(frozen=True)
class Abilities:
    """What the viewer may do on the plan tab now."""

    edit: bool  # the employee drafts the plan
    expect: bool  # the appraiser writes the expectations
    submit: bool  # the employee holds the drafting task
    decide: bool  # the appraiser holds the approval task
    revise: bool  # the employee holds the monitoring task


def abilities(skp: Skp, access: SkpAccess, user: Any) -> Abilities:
    """Return what ``user`` may do on the plan tab (one query when they might hold a task)."""
    form = current_form(skp)
    task: WorkItem | None = None
    if form in ("plan", "plan_approval", "monitoring") and (
        access.is_employee or access.is_appraiser
    ):
        task = open_task_for(skp, user)
    holds = task is not None
    return Abilities(
        edit=access.is_employee and form == "plan",
        expect=access.is_appraiser and form in ("plan", "plan_approval"),
        submit=access.is_employee and form == "plan" and holds,
        decide=form == "plan_approval" and holds and not access.is_employee,
        revise=access.is_employee and form == "monitoring" and holds,
    )


def _link_text(rhk: Rhk) -> str:
    if rhk.parent is not None:
        return rhk.parent.text
    if rhk.unit_goal is not None:
        return f"{rhk.unit_goal.code} {rhk.unit_goal.text}"
    return ""


def _parent_label(rhk: Rhk) -> str:
    return short(f"[{KIND_LABELS.get(rhk.kind, rhk.kind)}] {rhk.text}")


def _goal_label(goal: UnitGoal) -> str:
    perspective = PERSPECTIVE_LABELS.get(goal.perspective, "")
    text = f"{goal.code} · {goal.text}"
    return short(f"{text} ({perspective})" if perspective else text)


def _rhk_form(
    skp: Skp, key: str, rhk: Rhk | None, choices: Mapping[str, Any], data: Any = None
) -> RhkForm:
    initial = {}
    if rhk is not None:
        initial = {
            "kind": rhk.kind,
            "text": rhk.text,
            "parent": rhk.parent_id,
            "perspective": rhk.perspective,
            "unit_goal": rhk.unit_goal_id,
        }
    return RhkForm(
        data,
        prefix=key,
        initial=initial,
        is_jpt=skp.is_jpt,
        parents=choices["parents"],
        goals=choices["goals"],
    )


def _indicator_form(
    key: str, indicator: Indicator | None, choices: Mapping[str, Any], data: Any = None
) -> IndicatorForm:
    initial = {}
    if indicator is not None:
        initial = {
            "template": indicator.template_id,
            "text": indicator.text,
            "aspect": indicator.aspect,
            "target_value": str(indicator.target_value).replace(".", ","),
            "target_unit": indicator.target_unit,
        }
    return IndicatorForm(data, prefix=key, initial=initial, library=choices["library"])


def _action_plan_form(
    key: str, plan: ActionPlan | None, choices: Mapping[str, Any], data: Any = None
) -> ActionPlanForm:
    initial = {}
    if plan is not None:
        initial = {"period_index": plan.period_index, "text": plan.text, "target": plan.target}
    return ActionPlanForm(data, prefix=key, initial=initial, periods=choices["periods"])


def _choices(skp: Skp, can: Abilities) -> dict[str, Any]:
    """Read the choices the editing forms offer, once per page."""
    periods = periods_of(skp)
    if not can.edit:
        return {"parents": [], "goals": [], "library": [], "periods": periods}
    return {
        "parents": (
            []
            if skp.is_jpt
            else [(rhk.pk, _parent_label(rhk)) for rhk in plan_actions.cascade_options(skp)]
        ),
        "goals": (
            [(goal.pk, _goal_label(goal)) for goal in plan_actions.goal_options(skp)]
            if skp.is_jpt
            else []
        ),
        "library": plan_actions.library_options(skp),
        "periods": periods,
    }


def pick(bound: Mapping[str, forms.Form], key: str, fresh: F | None) -> F | None:
    """Return the form just posted under ``key`` (with its errors), else ``fresh``."""
    form = bound.get(key)
    return cast(F, form) if form is not None else fresh


def rhk_cards(
    skp: Skp, can: Abilities, choices: Mapping[str, Any], bound: Mapping[str, forms.Form]
) -> list[RhkCard]:
    """Return the SKP's RHK as cards, in plan order (a fixed number of queries)."""
    rhks = list(
        Rhk.objects.filter(skp=skp)
        .select_related("parent", "unit_goal")
        .prefetch_related("indicators", "action_plans")
        .order_by("kind", "order", "pk")
    )
    periods: list[Period] = choices["periods"]
    cards = []
    for number, rhk in enumerate(rhks, start=1):
        indicators = [
            IndicatorItem(
                indicator,
                pick(
                    bound,
                    f"ind-{indicator.pk}",
                    _indicator_form(f"ind-{indicator.pk}", indicator, choices)
                    if can.edit
                    else None,
                ),
            )
            for indicator in rhk.indicators.all()
        ]
        plans = list(rhk.action_plans.all())
        by_period = [
            PeriodPlans(
                period,
                [
                    ActionPlanItem(
                        plan,
                        pick(
                            bound,
                            f"aksi-{plan.pk}",
                            _action_plan_form(f"aksi-{plan.pk}", plan, choices)
                            if can.edit
                            else None,
                        ),
                    )
                    for plan in plans
                    if plan.period_index == period.index
                ],
            )
            for period in periods
        ]
        cards.append(
            RhkCard(
                rhk=rhk,
                number=number,
                link=_link_text(rhk),
                perspective=str(PERSPECTIVE_LABELS.get(rhk.perspective, "")),
                indicators=indicators,
                periods=by_period,
                edit_form=pick(
                    bound,
                    f"rhk-{rhk.pk}",
                    _rhk_form(skp, f"rhk-{rhk.pk}", rhk, choices) if can.edit else None,
                ),
                indicator_form=pick(
                    bound,
                    f"ind-{rhk.pk}-baru",
                    _indicator_form(f"ind-{rhk.pk}-baru", None, choices) if can.edit else None,
                ),
                action_plan_form=pick(
                    bound,
                    f"aksi-{rhk.pk}-baru",
                    _action_plan_form(f"aksi-{rhk.pk}-baru", None, choices) if can.edit else None,
                ),
            )
        )
    return cards


def expectations_of(skp: Skp) -> list[Expectation]:
    """Return the seven values with the appraiser's expectation (blank when not written)."""
    written = dict(BehaviourExpectation.objects.filter(skp=skp).values_list("value", "text"))
    return [
        Expectation(
            value=value.value,
            label=str(value.label),
            guides=tuple(BEHAVIOUR_GUIDES.get(value.value, ())),
            text=written.get(value.value, ""),
        )
        for value in BerAkhlak
    ]


def version_views(skp: Skp) -> list[VersionView]:
    """Return the agreed plan versions, newest first, with their content (three queries)."""
    versions = list(skp.plan_versions.select_related("agreed_by").order_by("-number"))
    parent_ids: set[int] = set()
    goal_ids: set[int] = set()
    for version in versions:
        for item in version.snapshot.get("rhks", []):
            if item.get("parent"):
                parent_ids.add(int(item["parent"]))
            if item.get("unit_goal"):
                goal_ids.add(int(item["unit_goal"]))
    parents = dict(Rhk.objects.filter(pk__in=parent_ids).values_list("pk", "text"))
    goals = {
        goal.pk: f"{goal.code} {goal.text}" for goal in UnitGoal.objects.filter(pk__in=goal_ids)
    }
    values = dict(BerAkhlak.choices)
    views = []
    for version in versions:
        snapshot = version.snapshot
        rhks = [
            VersionRhk(
                kind=str(KIND_LABELS.get(item.get("kind", ""), item.get("kind", ""))),
                text=str(item.get("text", "")),
                link=(
                    parents.get(int(item["parent"]), "")
                    if item.get("parent")
                    else goals.get(int(item["unit_goal"]), "")
                    if item.get("unit_goal")
                    else ""
                ),
                perspective=str(PERSPECTIVE_LABELS.get(item.get("perspective", ""), "")),
                indicators=[
                    {
                        **indicator,
                        "aspect_label": ASPECT_LABELS.get(indicator.get("aspect", ""), ""),
                        "target": str(indicator.get("target_value", "")).replace(".", ","),
                    }
                    for indicator in item.get("indicators", [])
                ],
                action_plans=list(item.get("action_plans", [])),
            )
            for item in snapshot.get("rhks", [])
        ]
        expectations = [
            (str(values.get(value, value)), str(text))
            for value, text in sorted(
                snapshot.get("expectations", {}).items(),
                key=lambda pair: list(values).index(pair[0]) if pair[0] in values else 99,
            )
        ]
        views.append(
            VersionView(
                version=version,
                rhks=rhks,
                expectations=expectations,
                attachment=dict(snapshot.get("attachment", {})),
            )
        )
    return views


def return_notice(skp: Skp) -> AuditEntry | None:
    """Return the return that sent the plan back to drafting, if that is how it got there."""
    case = skp.case
    if case is None or not case.is_open:
        return None
    moved = (
        AuditEntry.objects.filter(
            case_id=case.pk,
            code__in=(
                AuditCode.STAGE_COMPLETED,
                AuditCode.CASE_RETURNED,
                AuditCode.CASE_REOPENED,
                AuditCode.CASE_REVIVED,
            ),
        )
        .select_related("actor")
        .order_by("-sequence")
        .first()
    )
    if (
        moved is not None
        and moved.code == AuditCode.CASE_RETURNED
        and moved.to_stage == case.stage_key
        # The employee's own revision request is shown as such, not as a return.
        and moved.actor_id != case.subject_id
    ):
        return moved
    return None


def plan_context(
    request: HttpRequest,
    skp: Skp,
    access: SkpAccess,
    *,
    bound: Mapping[str, forms.Form] | None = None,
    problems: list[str] | None = None,
    problems_for: str = "",
) -> dict[str, Any]:
    """Return the plan tab's context; ``bound`` replaces blank forms by those just posted."""
    bound = bound or {}
    can = abilities(skp, access, request.user)
    choices = _choices(skp, can)
    attachment = PlanAttachment.objects.filter(skp=skp).first()
    expectations = expectations_of(skp)

    def form_for(key: str, factory: Any) -> Any:
        return bound.get(key) or factory()

    cards = rhk_cards(skp, can, choices, bound)
    return {
        "can": can,
        "form_name": current_form(skp),
        "cards": cards,
        "groups": [
            (KIND_LABELS[kind], [card for card in cards if card.rhk.kind == kind])
            for kind in (Rhk.Kind.UTAMA, Rhk.Kind.TAMBAHAN)
        ],
        "new_rhk_form": (
            form_for("rhk-baru", lambda: _rhk_form(skp, "rhk-baru", None, choices))
            if can.edit
            else None
        ),
        "attachment": attachment,
        "attachment_form": (
            form_for(
                "lampiran",
                lambda: AttachmentForm(
                    prefix="lampiran",
                    initial={
                        "resources": attachment.resources if attachment else "",
                        "accountability": attachment.accountability if attachment else "",
                        "consequences": attachment.consequences if attachment else "",
                    },
                ),
            )
            if can.edit
            else None
        ),
        "expectations": expectations,
        "expectations_form": (
            form_for(
                "ekspektasi",
                lambda: ExpectationsForm(
                    prefix="ekspektasi", initial={item.value: item.text for item in expectations}
                ),
            )
            if can.expect
            else None
        ),
        "submit_form": form_for("ajukan", lambda: CommentForm(prefix="ajukan")),
        "approve_form": form_for("setujui", lambda: CommentForm(prefix="setujui")),
        "return_form": form_for("kembalikan", lambda: ReasonForm(prefix="kembalikan")),
        "revision_form": form_for("perubahan", lambda: ReasonForm(prefix="perubahan")),
        "problems": problems or [],
        "problems_for": problems_for,
        "versions": version_views(skp),
        "returned": return_notice(skp) if current_form(skp) == "plan" else None,
        "library_json": library_data(choices["library"]),
        "periods": choices["periods"],
        "is_jpt": skp.is_jpt,
    }


# POST ------------------------------------------------------------------------------------------

Result = HttpResponse | Mapping[str, Any]


@dataclass(frozen=True)
class Post:
    """One POST to the plan tab: who sends it, about which SKP, with which choices."""

    request: HttpRequest
    skp: Skp
    access: SkpAccess
    choices: dict[str, Any]

    @property
    def user(self) -> Any:
        """Return the signed-in user (the actor)."""
        return self.request.user

    def failed(self, key: str, form: forms.Form, outcome: Attempt) -> Mapping[str, Any]:
        """Show the tab again with the form just posted (and the guard's problems)."""
        return plan_context(
            self.request,
            self.skp,
            self.access,
            bound={key: form},
            problems=outcome.problems,
            problems_for=key if outcome.problems else "",
        )

    def again(self) -> Mapping[str, Any]:
        """Show the tab again (a message says what went wrong)."""
        return plan_context(self.request, self.skp, self.access)


def _save_rhk(post: Post) -> Result:
    rhk_id = posted_id(post.request, "rhk")
    key = f"rhk-{rhk_id}" if rhk_id else "rhk-baru"
    form = _rhk_form(post.skp, key, None, post.choices, post.request.POST)
    outcome = Attempt(ok=False)
    if form.is_valid():
        data = form.cleaned_data
        outcome = attempt(
            post.request,
            lambda: plan_actions.save_rhk(
                skp_id=post.skp.pk,
                actor=post.user,
                text=data.get("text", ""),
                kind=data.get("kind") or "",
                parent_id=data.get("parent"),
                unit_goal_id=data.get("unit_goal"),
                perspective=data.get("perspective") or "",
                rhk_id=rhk_id,
            ),
            form,
        )
        if outcome.ok:
            anchor = f"rhk-{outcome.result.pk}"
            return saved(post.request, tab_url(post.skp, TAB, anchor), _("RHK disimpan."))
    return post.failed(key, form, outcome)


def _delete_rhk(post: Post) -> Result:
    rhk_id = posted_id(post.request, "rhk") or 0
    outcome = attempt(
        post.request,
        lambda: plan_actions.delete_rhk(skp_id=post.skp.pk, actor=post.user, rhk_id=rhk_id),
    )
    if outcome.ok:
        return saved(post.request, tab_url(post.skp, TAB, "rhk"), _("RHK dihapus."))
    return post.again()


def _save_indicator(post: Post) -> Result:
    rhk_id = posted_id(post.request, "rhk") or 0
    indicator_id = posted_id(post.request, "indikator")
    key = f"ind-{indicator_id}" if indicator_id else f"ind-{rhk_id}-baru"
    form = _indicator_form(key, None, post.choices, post.request.POST)
    outcome = Attempt(ok=False)
    if form.is_valid():
        data = form.cleaned_data
        outcome = attempt(
            post.request,
            lambda: plan_actions.save_indicator(
                skp_id=post.skp.pk,
                actor=post.user,
                rhk_id=rhk_id,
                text=data.get("text", ""),
                aspect=data.get("aspect", ""),
                target_value=data.get("target_value", ""),
                target_unit=data.get("target_unit", ""),
                indicator_id=indicator_id,
                template_id=data.get("template"),
            ),
            form,
        )
        if outcome.ok:
            part = f"rhk-{rhk_id}"
            url = tab_url(post.skp, TAB, part)
            return saved(post.request, url, _("Indikator disimpan."), part)
    return post.failed(key, form, outcome)


def _delete_indicator(post: Post) -> Result:
    rhk_id = posted_id(post.request, "rhk") or 0
    indicator_id = posted_id(post.request, "indikator") or 0
    outcome = attempt(
        post.request,
        lambda: plan_actions.delete_indicator(
            skp_id=post.skp.pk, actor=post.user, indicator_id=indicator_id
        ),
    )
    if outcome.ok:
        part = f"rhk-{rhk_id}"
        return saved(post.request, tab_url(post.skp, TAB, part), _("Indikator dihapus."), part)
    return post.again()


def _save_action_plan(post: Post) -> Result:
    rhk_id = posted_id(post.request, "rhk") or 0
    plan_id = posted_id(post.request, "rencana_aksi")
    key = f"aksi-{plan_id}" if plan_id else f"aksi-{rhk_id}-baru"
    form = _action_plan_form(key, None, post.choices, post.request.POST)
    outcome = Attempt(ok=False)
    if form.is_valid():
        data = form.cleaned_data
        outcome = attempt(
            post.request,
            lambda: plan_actions.save_action_plan(
                skp_id=post.skp.pk,
                actor=post.user,
                rhk_id=rhk_id,
                period_index=data.get("period_index") or 0,
                text=data.get("text", ""),
                target=data.get("target", ""),
                action_plan_id=plan_id,
            ),
            form,
        )
        if outcome.ok:
            part = f"rhk-{rhk_id}"
            url = tab_url(post.skp, TAB, part)
            return saved(post.request, url, _("Rencana aksi disimpan."), part)
    return post.failed(key, form, outcome)


def _delete_action_plan(post: Post) -> Result:
    rhk_id = posted_id(post.request, "rhk") or 0
    plan_id = posted_id(post.request, "rencana_aksi") or 0
    outcome = attempt(
        post.request,
        lambda: plan_actions.delete_action_plan(
            skp_id=post.skp.pk, actor=post.user, action_plan_id=plan_id
        ),
    )
    if outcome.ok:
        part = f"rhk-{rhk_id}"
        url = tab_url(post.skp, TAB, part)
        return saved(post.request, url, _("Rencana aksi dihapus."), part)
    return post.again()


def _save_attachment(post: Post) -> Result:
    form = AttachmentForm(post.request.POST, prefix="lampiran")
    outcome = Attempt(ok=False)
    if form.is_valid():
        data = form.cleaned_data
        outcome = attempt(
            post.request,
            lambda: plan_actions.save_attachment(
                skp_id=post.skp.pk,
                actor=post.user,
                resources=data["resources"],
                accountability=data["accountability"],
                consequences=data["consequences"],
            ),
            form,
        )
        if outcome.ok:
            url = tab_url(post.skp, TAB, "lampiran")
            return saved(post.request, url, _("Lampiran disimpan."))
    return post.failed("lampiran", form, outcome)


def _save_expectations(post: Post) -> Result:
    form = ExpectationsForm(post.request.POST, prefix="ekspektasi")
    outcome = Attempt(ok=False)
    if form.is_valid():
        texts = form.expectations()
        outcome = attempt(
            post.request,
            lambda: plan_actions.save_expectations(
                skp_id=post.skp.pk, actor=post.user, expectations=texts
            ),
            form,
        )
        if outcome.ok:
            url = tab_url(post.skp, TAB, "ekspektasi")
            return saved(post.request, url, _("Ekspektasi khusus disimpan."))
    return post.failed("ekspektasi", form, outcome)


def _submit_plan(post: Post) -> Result:
    form = CommentForm(post.request.POST, prefix="ajukan")
    outcome = Attempt(ok=False)
    if form.is_valid():
        comment = form.cleaned_data["comment"]
        outcome = attempt(
            post.request,
            lambda: plan_actions.submit_plan(skp_id=post.skp.pk, actor=post.user, comment=comment),
            form,
        )
        if outcome.ok:
            url = tab_url(post.skp, TAB)
            return saved(post.request, url, _("Rencana diajukan kepada pejabat penilai."))
    return post.failed("ajukan", form, outcome)


def _approve_plan(post: Post) -> Result:
    form = CommentForm(post.request.POST, prefix="setujui")
    outcome = Attempt(ok=False)
    if form.is_valid():
        comment = form.cleaned_data["comment"]
        outcome = attempt(
            post.request,
            lambda: plan_actions.approve_plan(skp_id=post.skp.pk, actor=post.user, comment=comment),
            form,
        )
        if outcome.ok:
            url = tab_url(post.skp, TAB)
            return saved(post.request, url, _("Rencana disetujui dan ditetapkan."))
    return post.failed("setujui", form, outcome)


def _return_plan(post: Post) -> Result:
    form = ReasonForm(post.request.POST, prefix="kembalikan")
    outcome = Attempt(ok=False)
    if form.is_valid():
        reason = form.cleaned_data["reason"]
        outcome = attempt(
            post.request,
            lambda: plan_actions.return_plan(skp_id=post.skp.pk, actor=post.user, reason=reason),
            form,
        )
        if outcome.ok:
            url = tab_url(post.skp, TAB)
            return saved(post.request, url, _("Rencana dikembalikan kepada pegawai."))
    return post.failed("kembalikan", form, outcome)


def _request_revision(post: Post) -> Result:
    form = ReasonForm(post.request.POST, prefix="perubahan")
    outcome = Attempt(ok=False)
    if form.is_valid():
        reason = form.cleaned_data["reason"]
        outcome = attempt(
            post.request,
            lambda: plan_actions.request_plan_revision(
                skp_id=post.skp.pk, actor=post.user, reason=reason
            ),
            form,
        )
        if outcome.ok:
            url = tab_url(post.skp, TAB)
            return saved(post.request, url, _("Rencana dibuka kembali untuk diubah."))
    return post.failed("perubahan", form, outcome)


# The ``aksi`` a form posts and the function that handles it (each calls one action).
HANDLERS: dict[str, Callable[[Post], Result]] = {
    "rhk": _save_rhk,
    "rhk_hapus": _delete_rhk,
    "indikator": _save_indicator,
    "indikator_hapus": _delete_indicator,
    "rencana_aksi": _save_action_plan,
    "rencana_aksi_hapus": _delete_action_plan,
    "lampiran": _save_attachment,
    "ekspektasi": _save_expectations,
    "ajukan": _submit_plan,
    "setujui": _approve_plan,
    "kembalikan": _return_plan,
    "perubahan": _request_revision,
}


def plan_tab(request: HttpRequest, skp: Skp, access: SkpAccess) -> HttpResponse | Mapping[str, Any]:
    """Show the plan, or handle one of its forms (POST)."""
    if request.method != "POST":
        return plan_context(request, skp, access)
    handler = HANDLERS.get(request.POST.get("aksi", ""))
    if handler is None:
        return HttpResponseBadRequest(_("Tindakan tidak dikenal."))
    choices = _choices(skp, abilities(skp, access, request.user))
    return handler(Post(request, skp, access, choices))


tabs.register_tab(
    tabs.Tab(
        key=TAB,
        label=cast(str, gettext_lazy("Rencana")),
        order=10,
        view=plan_tab,
        template="skp/plan/tab.html",
        forms=frozenset({"plan", "plan_approval"}),
        for_peers=True,
    )
)
