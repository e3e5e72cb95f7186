"""The appraiser's team overview (``skp:team``) and the unit head's view (``skp:leader``).

``/skp/tim/``: the SKPs of open cycles of the employees the signed-in user appraises today
(own post or acting as Plt/Plh; see ``processes.skp.team``), each with its phase, stage,
progress through the template's stages, late tasks and the periods waiting for the user's
rating, linked to the SKP page. A leader one level above a unit head also records the
unit's organisation predikat there, per open cycle (``record_organisation_result``).

``/skp/tim/unit/``: for a unit head, every employee of the unit's subtree with the same
columns, filtered by sub-unit. Anyone who heads no unit gets 403.

Both pages run a fixed number of queries whatever the number of employees.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from processes.organisation.access import administered_agency_ids
from processes.organisation.models import Unit
from processes.skp import rules
from processes.skp import team as selectors
from processes.skp.actions.review import record_organisation_result
from processes.skp.forms_review import OrganisationResultForm, UnitFilterForm
from processes.skp.views_review import done, refuse_unless, run


def _prefix(led: selectors.LedUnit) -> str:
    return f"org-{led.cycle.pk}-{led.unit.pk}"


def _org_form(led: selectors.LedUnit, data: Any = None) -> OrganisationResultForm:
    periods = rules.periods_within(
        led.cycle.starts_on, led.cycle.ends_on, rules.PeriodType(led.cycle.period_type)
    )
    initial = {}
    if led.result is not None:
        initial = {"predikat": led.result.predikat, "note": led.result.note}
    return OrganisationResultForm(data, prefix=_prefix(led), periods=periods, initial=initial)


@require_http_methods(["GET", "POST"])
def team(request: HttpRequest) -> HttpResponse:
    """Show the user's team; record a unit's organisation predikat (POST)."""
    user = request.user
    today = selectors.today_for_user(user)
    led = selectors.led_units(user, today)
    bound: dict[str, OrganisationResultForm] = {}
    if request.method == "POST":
        target = request.POST.get("target", "")
        chosen = next((item for item in led if _prefix(item) == target), None)
        refuse_unless(chosen is not None)
        assert chosen is not None
        form = _org_form(chosen, request.POST)
        if form.is_valid():
            data = form.cleaned_data
            outcome = run(
                request,
                lambda: record_organisation_result(
                    actor=user,
                    cycle=chosen.cycle,
                    unit=chosen.unit,
                    predikat=data.get("predikat") or "",
                    period_index=data.get("period_index"),
                    note=data.get("note") or "",
                ),
                form,
            )
            if outcome.ok:
                return done(
                    request,
                    f"{reverse('skp:team')}#{target}",
                    _("Predikat kinerja organisasi %(unit)s dicatat.") % {"unit": chosen.unit.name},
                )
        bound[target] = form
    rows = selectors.team_for(user, today)
    units = [(item, bound.get(_prefix(item)) or _org_form(item)) for item in led]
    return render(
        request,
        "skp/team/overview.html",
        {"rows": rows, "led": units, "today": today},
        status=200,
    )


def _administered_top_units(user: Any) -> list[Unit]:
    """Return the top units of the agencies ``user`` administers (none for other users).

    Ordered by name, not by path: a path is made of ids, so ``/10/`` sorts before ``/9/``
    and the page would open on whichever unit happened to get the longer id.
    """
    agency_ids = administered_agency_ids(user)
    if agency_ids == []:
        return []
    units = Unit.objects.filter(parent__isnull=True)
    if agency_ids is not None:
        units = units.filter(agency_id__in=agency_ids)
    return list(units.order_by("agency__name", "name", "pk"))


@require_GET
def leader(request: HttpRequest) -> HttpResponse:
    """Show every employee of the user's unit subtree; 403 for anyone who heads no unit.

    The agency's HR admins (and superadmins) see it for every unit of the agencies they
    administer, from the top units down.
    """
    user = request.user
    today = selectors.today_for_user(user)
    headed = selectors.headed_units(user, today) or _administered_top_units(user)
    if not headed:
        raise PermissionDenied(_("Halaman ini untuk kepala unit dan pengelola kinerja."))
    choices = selectors.subunits_of(headed)
    form = UnitFilterForm(request.GET or None, units=choices)
    selected = headed[0]
    if form.is_bound and form.is_valid() and form.cleaned_data.get("unit"):
        selected = next(unit for unit in choices if unit.pk == form.cleaned_data["unit"])
    elif not form.is_bound:
        form = UnitFilterForm(initial={"unit": selected.pk}, units=choices)
    rows = selectors.unit_rows(user, selected, today)
    return render(
        request,
        "skp/team/leader.html",
        {"rows": rows, "form": form, "unit": selected, "headed": headed, "today": today},
    )
