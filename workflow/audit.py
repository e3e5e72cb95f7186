"""The append-only, hash-chained audit log: writing rows and verifying chains."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.utils import timezone

from workflow.models import AuditCode, AuditEntry, Case

GENESIS = "0" * 64


def _normalise(payload: dict[str, Any] | None) -> dict[str, Any]:
    """Return the payload as it will read back from a JSON column (so the hash is stable)."""
    normalised: dict[str, Any] = json.loads(json.dumps(payload or {}, default=str, sort_keys=True))
    return normalised


def _last_of_chain(chain: str) -> AuditEntry | None:
    queryset = AuditEntry.objects.filter(chain=chain).order_by("-sequence")
    if connection.features.has_select_for_update:
        # Rows of one chain are appended under the document's own row lock already;
        # this lock also serialises appends to a template's chain.
        queryset = queryset.select_for_update()
    return queryset.first()


def record(
    *,
    code: AuditCode,
    tenant_id: int,
    case: Case | None = None,
    chain: str | None = None,
    actor_id: int | None = None,
    acting_for_id: int | None = None,
    capacity: str = "",
    work_item_id: int | None = None,
    from_stage: str = "",
    to_stage: str = "",
    from_phase: str = "",
    to_phase: str = "",
    reason: str = "",
    payload: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one row to the case's (or the named) chain; call inside the action's transaction."""
    chain_key = chain if chain else (f"case:{case.pk}" if case is not None else "")
    if not chain_key:
        raise ValueError("an audit row needs a case or a chain")
    previous = _last_of_chain(chain_key)
    entry = AuditEntry(
        chain=chain_key,
        sequence=(previous.sequence + 1) if previous else 1,
        created_at=timezone.now(),
        tenant_id=tenant_id,
        case=case,
        work_item_id=work_item_id,
        actor_id=actor_id,
        acting_for_id=acting_for_id,
        capacity=capacity,
        code=code,
        from_stage=from_stage,
        to_stage=to_stage,
        from_phase=str(from_phase),
        to_phase=str(to_phase),
        reason=reason,
        payload=_normalise(payload),
        previous_hash=previous.row_hash if previous else GENESIS,
    )
    entry.row_hash = entry.compute_hash()
    entry.save()
    if case is not None:
        # The case remembers its chain's head, so a deleted last row is detected too.
        Case.objects.filter(pk=case.pk).update(audit_sequence=entry.sequence)
        case.audit_sequence = entry.sequence
    return entry


@dataclass(frozen=True)
class ChainProblem:
    """A broken link: an edited row, a deleted row or a wrong link."""

    chain: str
    sequence: int
    message: str


def verify_chain(entries: Iterable[AuditEntry]) -> Iterator[ChainProblem]:
    """Yield every problem of one chain's rows (given in sequence order)."""
    expected_sequence = 1
    previous_hash = GENESIS
    for entry in entries:
        if entry.sequence != expected_sequence:
            yield ChainProblem(
                entry.chain,
                entry.sequence,
                f"rows {expected_sequence}..{entry.sequence - 1} are missing (deleted)",
            )
        if entry.previous_hash != previous_hash:
            yield ChainProblem(
                entry.chain, entry.sequence, "does not link to the previous row's hash"
            )
        if entry.compute_hash() != entry.row_hash:
            yield ChainProblem(entry.chain, entry.sequence, "content was edited after writing")
        expected_sequence = entry.sequence + 1
        previous_hash = entry.row_hash


def verify_heads() -> Iterator[ChainProblem]:
    """Yield a problem for each case whose last audit rows were deleted."""
    from django.db.models import Max

    last_rows = dict(
        AuditEntry.objects.filter(chain__startswith="case:")
        .values_list("chain")
        .annotate(last=Max("sequence"))
        .values_list("chain", "last")
    )
    for case_id, head in Case.objects.filter(audit_sequence__gt=0).values_list(
        "pk", "audit_sequence"
    ):
        chain = f"case:{case_id}"
        last = last_rows.get(chain, 0)
        if last < head:
            yield ChainProblem(chain, head, f"rows {last + 1}..{head} are missing (deleted)")


def verify_all(batch_size: int = 2000) -> Iterator[ChainProblem]:
    """Yield every problem in every chain, streaming rows in chain order, then the heads."""
    current_chain: str | None = None
    current: list[AuditEntry] = []
    for entry in AuditEntry.objects.order_by("chain", "sequence").iterator(chunk_size=batch_size):
        if entry.chain != current_chain:
            if current:
                yield from verify_chain(current)
            current_chain, current = entry.chain, []
        current.append(entry)
    if current:
        yield from verify_chain(current)
    yield from verify_heads()
