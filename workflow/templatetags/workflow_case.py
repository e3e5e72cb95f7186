"""Template tags for a case's history and diagram, used by ``workflow/_timeline.html`` and
``workflow/_diagram.html`` (pages include those, not these tags)::

    {% load workflow_case %}
    {% case_timeline case as rows %}   {# selectors.timeline_for(case) #}
    {% case_diagram case %}            {# the SVG: where the case stands, what it completed #}
"""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from workflow.diagram import render_svg
from workflow.models import Case, WorkItem
from workflow.selectors import TimelineRow, completed_stages, timeline_for
from workflow.spec import Quorum, StageSpec

register = template.Library()


@register.simple_tag
def case_timeline(case: Case) -> list[TimelineRow]:
    """Return the case's audit rows as people read them, oldest first."""
    return timeline_for(case)


def group_sizes(case: Case, specs: list[StageSpec]) -> dict[str, int]:
    """Return how many people each N-of-M stage the case entered chose from, by stage key.

    The size is that of the stage's latest visit: the candidates of its claimable tasks, or
    else its tasks with an actor (one per person). Stages not entered yet are left out. One
    query, none when the version has no N-of-M stage.
    """
    keys = {spec.key for spec in specs if spec.quorum == Quorum.N_OF_M}
    if not keys:
        return {}
    rows = list(
        WorkItem.objects.filter(process_id=case.pk, stage_key__in=keys).values_list(
            "stage_key", "visit", "data", "needs_actor"
        )
    )
    latest: dict[str, int] = {}
    for key, visit, _data, _needs_actor in rows:
        latest[key] = max(visit, latest.get(key, visit))
    candidates: dict[str, set[int]] = {}
    seats: dict[str, int] = {}
    for key, visit, data, needs_actor in rows:
        if visit != latest[key]:
            continue
        if isinstance(data, dict) and data.get("candidates"):
            candidates.setdefault(key, set()).update(int(i) for i in data["candidates"])
        if not needs_actor:
            seats[key] = seats.get(key, 0) + 1
    return {key: len(candidates[key]) if key in candidates else seats.get(key, 0) for key in latest}


@register.simple_tag
def case_diagram(case: Case) -> SafeString:
    """Render the case's template version with its current stage and completed stages marked.

    A final case marks no current stage: every stage it went through shows as completed. An
    N-of-M stage the case entered says how many of how many people ("2 dari 5 orang").
    """
    specs = case.template_version.specs()
    svg = render_svg(
        specs,
        current="" if case.closed_at is not None else case.stage_key,
        done=completed_stages(case),
        title=_("Tahapan %(title)s") % {"title": case.title},
        group_sizes=group_sizes(case, specs),
    )
    # render_svg escapes every text it writes.
    return mark_safe(svg)
