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
from workflow.models import Case
from workflow.selectors import TimelineRow, completed_stages, timeline_for

register = template.Library()


@register.simple_tag
def case_timeline(case: Case) -> list[TimelineRow]:
    """Return the case's audit rows as people read them, oldest first."""
    return timeline_for(case)


@register.simple_tag
def case_diagram(case: Case) -> SafeString:
    """Render the case's template version with its current stage and completed stages marked.

    A final case marks no current stage: every stage it went through shows as completed.
    """
    svg = render_svg(
        case.template_version.specs(),
        current="" if case.closed_at is not None else case.stage_key,
        done=completed_stages(case),
        title=_("Tahapan %(title)s") % {"title": case.title},
    )
    # render_svg escapes every text it writes.
    return mark_safe(svg)
