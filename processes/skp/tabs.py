"""The SKP page's tabs: each module of pages registers the tab it renders.

The SKP page (``/skp/<id>/`` and ``/skp/<id>/<tab>/``) shows a shared header (who, where the
SKP stands, its diagram) and one tab. A tab's view receives the request, the SKP and the
viewer's access, and returns either a context for its template (rendered inside the shared
shell) or a complete response (a redirect after a POST, say). Pages never write models:
tab views call actions.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest, HttpResponse

from processes.skp.access import SkpAccess
from processes.skp.models import Skp

TabView = Callable[[HttpRequest, Skp, SkpAccess], HttpResponse | Mapping[str, Any]]


def _always(skp: Skp, access: SkpAccess) -> bool:
    return True


@dataclass(frozen=True)
class Tab:
    """One tab of the SKP page."""

    key: str  # the URL segment, e.g. "rencana"
    label: str  # lazy translated label
    order: int
    view: TabView
    template: str  # rendered inside templates/skp/detail/shell.html
    visible: Callable[[Skp, SkpAccess], bool] = field(default=_always)
    # Stage forms (workflow StageSpec.form) for which this tab is the default one.
    forms: frozenset[str] = frozenset()
    # Shown to a colleague who sees the SKP only to give peer feedback.
    for_peers: bool = False


_TABS: dict[str, Tab] = {}


def register_tab(tab: Tab) -> Tab:
    """Register (or replace) a tab and return it."""
    _TABS[tab.key] = tab
    return tab


def tab(key: str) -> Tab | None:
    """Return the tab ``key`` or None."""
    return _TABS.get(key)


def tabs_for(skp: Skp, access: SkpAccess) -> list[Tab]:
    """Return the tabs ``access`` may see on ``skp``, in order (a peer: the plan and review)."""
    peer_only = access.peer_only
    return sorted(
        (
            item
            for item in _TABS.values()
            if (item.for_peers or not peer_only) and item.visible(skp, access)
        ),
        key=lambda t: t.order,
    )


def default_tab(skp: Skp, access: SkpAccess, current_form: str) -> Tab | None:
    """Return the tab for the SKP's current stage form, else the first visible tab.

    A closed SKP (no current form) opens on the last stage tab it shows ("Hasil akhir" for a
    final one), not on the history.
    """
    visible = tabs_for(skp, access)
    for item in visible:
        if current_form in item.forms:
            return item
    if not current_form:
        staged = [item for item in visible if item.forms]
        return staged[-1] if staged else (visible[-1] if visible else None)
    return visible[0] if visible else None
