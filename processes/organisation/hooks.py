"""What processes do when the organisation changes, called inside the change's transaction.

The organisation knows no process. A process (the SKP appraisal, for example) registers a
listener that receives each change and returns the documents it touched, so HR sees them
on the change's record. Listeners run in the same transaction as the change: if one fails,
nothing of the change is written.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypedDict


class AffectedDocument(TypedDict):
    """One document a change touched, as shown to HR."""

    case_id: int | None
    document: str
    what: str


@dataclass(frozen=True)
class Transfer:
    """A mid-year transfer: the old holding ended the day before ``on``, the new one starts."""

    employee_id: int
    old_holding_id: int | None
    new_holding_id: int
    on: datetime.date


@dataclass(frozen=True)
class OrganisationEvent:
    """What changed: the change record, who did it, and whose appraisal lines may differ."""

    change_id: int
    agency_id: int
    kind: str
    actor: Any
    reason: str
    effective_on: datetime.date
    affected_employee_ids: frozenset[int]
    transfers: tuple[Transfer, ...] = field(default=())


Listener = Callable[[OrganisationEvent], list[AffectedDocument]]
_LISTENERS: list[Listener] = []


def add_listener(listener: Listener) -> None:
    """Call ``listener`` for every organisation change (idempotent)."""
    if listener not in _LISTENERS:
        _LISTENERS.append(listener)


def remove_listener(listener: Listener) -> None:
    """Stop calling ``listener``."""
    if listener in _LISTENERS:
        _LISTENERS.remove(listener)


def dispatch(event: OrganisationEvent) -> list[AffectedDocument]:
    """Call every listener and return the documents they touched, in order."""
    affected: list[AffectedDocument] = []
    for listener in list(_LISTENERS):
        affected.extend(listener(event))
    return affected
