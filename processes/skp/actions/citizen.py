"""Citizen feedback on public services, and realisations computed from data, not typed in.

Citizens rate a service (skor 1-5, *umpan balik masyarakat*) on a public page without
signing in. Abuse is kept out in the database, so it holds across web processes:

- a *fingerprint* per rater, service and local day refuses a second rating of the same
  service by the same rater on the same day (in the agency's zone). The rater is the
  browser (``device_key``, a random token the page keeps in a cookie), so people behind one
  office network or a shared counter tablet in turn are not taken for one person; without
  a token the client's network address stands in;
- a *rate limit* per network address refuses more than N stored ratings within a sliding
  window, across every service (``settings.CITIZEN_FEEDBACK_RATE = (N, seconds)``, default
  10 an hour), whatever the tokens: clearing cookies does not lift it.

Neither the address nor the token is stored. The fingerprint column holds two keyed hashes
(HMAC-SHA256 with ``settings.SECRET_KEY``), 32 hex digits each: the network address alone,
then the rater with the service and the day. The first half lets the rate limit count an
address's rows by prefix; the whole value is the duplicate check.

Indicators whose source is citizen feedback or attendance get their realisation from the
data: ``refresh_citizen_realisations`` writes each period's average score of the services of
the SKP's unit (and its sub-units); ``refresh_attendance_realisations`` writes each period's
attendance percentage. Both are idempotent (a second run writes nothing) and leave final or
cancelled SKPs alone.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from processes.organisation.access import require_admin
from processes.skp.models import (
    CitizenFeedback,
    Cycle,
    Indicator,
    IndicatorTemplate,
    PublicService,
    Realisation,
    Skp,
)
from processes.skp.process import periods_of, settings_for
from processes.skp.selectors import attendance_by_period
from workflow import audit
from workflow.calendar import local_date
from workflow.errors import StepNotAllowed
from workflow.models import AuditCode
from workflow.spec import Phase

DEFAULT_RATE: tuple[int, int] = (10, 3600)
MAX_COMMENT = 1000
SCORES = range(1, 6)
_CENT = Decimal("0.01")


# Refusals ------------------------------------------------------------------------------------


class FeedbackRefused(StepNotAllowed):
    """A citizen's rating was refused; the message is shown to the citizen as it is."""

    code = "feedback_refused"


class UnknownService(FeedbackRefused):
    """No active service has this address (pages answer 404)."""

    code = "unknown_service"


class InvalidFeedback(FeedbackRefused):
    """The rating does not validate; ``errors`` maps field names to messages."""

    code = "invalid_feedback"

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(" ".join(m for messages in errors.values() for m in messages))
        self.errors = errors


class DuplicateFeedback(FeedbackRefused):
    """This client already rated this service today."""

    code = "duplicate_feedback"


class TooManyFeedback(FeedbackRefused):
    """This client sent too many ratings lately; ``retry_after`` is in seconds."""

    code = "too_many_feedback"

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


# Fingerprints --------------------------------------------------------------------------------


def _keyed(message: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), message.encode(), hashlib.sha256).hexdigest()[:32]


def client_digest(client_key: str) -> str:
    """Return the keyed hash of a client (32 hex digits): the fingerprint's first half."""
    return _keyed(f"client\x1f{client_key}")


def fingerprint(client_key: str, service_id: int, day: datetime.date, device_key: str = "") -> str:
    """Return the 64-hex-digit fingerprint of a rater's rating of a service on a local day.

    The rater is the browser token when there is one, else the network address.
    """
    rater = f"device\x1f{device_key}" if device_key else client_key
    return client_digest(client_key) + _keyed(
        f"feedback\x1f{rater}\x1f{service_id}\x1f{day.isoformat()}"
    )


def feedback_rate() -> tuple[int, int]:
    """Return (how many ratings, within how many seconds) one client may send."""
    limit, window = getattr(settings, "CITIZEN_FEEDBACK_RATE", DEFAULT_RATE)
    return int(limit), int(window)


def available_service(slug: str) -> PublicService | None:
    """Return the active service at ``slug`` of an agency that takes citizen feedback."""
    service = (
        PublicService.objects.select_related("agency", "unit")
        .filter(slug=slug, is_active=True)
        .first()
    )
    if service is None or not settings_for(service.agency_id).citizen_feedback_enabled:
        return None
    return service


def _serialise_client(digest: str) -> None:
    """Make one client's concurrent submissions wait for each other (PostgreSQL).

    SQLite runs one writer at a time already (transactions begin IMMEDIATE).
    """
    if connection.vendor == "postgresql":
        key = int(digest[:15], 16)  # 60 bits: fits a signed bigint
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


def _score(value: Any, errors: dict[str, list[str]]) -> int | None:
    try:
        score = int(str(value).strip())
    except (TypeError, ValueError):
        score = 0
    if score not in SCORES:
        errors["score"] = [_("Pilih penilaian dari 1 sampai 5.")]
        return None
    return score


@transaction.atomic
def submit_citizen_feedback(
    *,
    service_slug: str,
    score: Any,
    comment: str,
    client_key: str,
    device_key: str = "",
    now: datetime.datetime | None = None,
) -> CitizenFeedback:
    """Store a citizen's rating (1-5) of the service at ``service_slug`` with a comment.

    Before: the service is active and its agency takes citizen feedback; ``client_key``
    is the client's network address and ``device_key`` the browser's token (may be empty);
    ``comment`` is at most 1000 characters. Written: one CitizenFeedback row. Refused,
    writing nothing: UnknownService, InvalidFeedback, DuplicateFeedback (same rater, service
    and day in the agency's zone) and TooManyFeedback (the address's limit within the
    window).
    """
    moment = now or timezone.now()
    service = available_service(service_slug)
    if service is None:
        raise UnknownService(_("Layanan ini tidak ditemukan atau tidak menerima penilaian."))
    errors: dict[str, list[str]] = {}
    value = _score(score, errors)
    text = (comment or "").strip()
    if len(text) > MAX_COMMENT:
        errors["comment"] = [
            _("Komentar paling panjang %(limit)d karakter.") % {"limit": MAX_COMMENT}
        ]
    if errors:
        raise InvalidFeedback(errors)
    assert value is not None
    digest = client_digest(client_key)
    _serialise_client(digest)
    day = local_date(moment, service.agency.time_zone)
    mark = fingerprint(client_key, service.pk, day, device_key)
    if CitizenFeedback.objects.filter(fingerprint=mark).exists():
        raise DuplicateFeedback(
            _(
                "Terima kasih, penilaian Anda untuk layanan ini sudah kami terima hari ini. "
                "Anda dapat memberi penilaian lagi besok."
            )
        )
    limit, window = feedback_rate()
    since = moment - datetime.timedelta(seconds=window)
    recent = list(
        CitizenFeedback.objects.filter(fingerprint__startswith=digest, created_at__gt=since)
        .order_by("created_at")
        .values_list("created_at", flat=True)[:limit]
    )
    if len(recent) >= limit:
        reopens = recent[0] + datetime.timedelta(seconds=window)
        wait = max(1, int((reopens - moment).total_seconds()))
        raise TooManyFeedback(
            _(
                "Maaf, terlalu banyak penilaian dikirim dari jaringan Anda dalam waktu singkat. "
                "Silakan coba lagi dalam %(minutes)d menit."
            )
            % {"minutes": max(1, -(-wait // 60))},
            retry_after=wait,
        )
    return CitizenFeedback.objects.create(
        service=service, score=value, comment=text, fingerprint=mark, created_at=moment
    )


# Realisations from data ----------------------------------------------------------------------


def _lock_cycle(cycle_id: int, actor: Any) -> Cycle:
    queryset = Cycle.objects.select_related("agency")
    if connection.features.has_select_for_update:
        queryset = queryset.select_for_update(of=("self",))
    cycle = queryset.filter(pk=cycle_id).first()
    if cycle is None:
        raise StepNotAllowed(_("Siklus tidak ditemukan."))
    if actor is not None:
        require_admin(actor, cycle.agency_id)
    return cycle


def _open_indicators(cycle: Cycle, source: str) -> dict[Skp, list[Indicator]]:
    """Return the cycle's indicators of ``source`` by SKP, leaving final or cancelled SKPs."""
    indicators = (
        Indicator.objects.filter(rhk__skp__cycle=cycle, source=source)
        .filter(rhk__skp__case__isnull=False, rhk__skp__case__closed_at__isnull=True)
        .exclude(rhk__skp__case__phase=Phase.CANCELLED)
        .select_related("rhk__skp__unit", "rhk__skp__cycle", "rhk__skp__agency")
        .order_by("rhk__skp_id", "pk")
    )
    by_skp: dict[Skp, list[Indicator]] = defaultdict(list)
    skps: dict[int, Skp] = {}
    for indicator in indicators:
        skp = skps.setdefault(indicator.rhk.skp_id, indicator.rhk.skp)
        by_skp[skp].append(indicator)
    return by_skp


def _write(
    indicator: Indicator,
    period_index: int,
    value: Decimal,
    note: str,
    actor: Any,
    existing: dict[tuple[int, int], Realisation],
) -> bool:
    """Write one computed realisation unless it already holds ``value`` and ``note``."""
    row = existing.get((indicator.pk, period_index))
    if row is not None and row.value == value and row.note == note:
        return False
    row = row or Realisation(indicator=indicator, period_index=period_index)
    row.value, row.note = value, note
    row.updated_by = actor if getattr(actor, "pk", None) else None
    row.updated_at = timezone.now()
    row.save()
    return True


def _existing(indicators: list[Indicator]) -> dict[tuple[int, int], Realisation]:
    return {
        (row.indicator_id, row.period_index): row
        for row in Realisation.objects.filter(indicator__in=indicators)
    }


def _record_refresh(cycle: Cycle, actor: Any, event: str, written: int, skps: int) -> None:
    audit.record(
        code=AuditCode.PROCESS_EVENT,
        tenant_id=cycle.agency_id,
        chain=f"cycle:{cycle.pk}",
        actor_id=getattr(actor, "pk", None),
        payload={"event": event, "written": written, "skps": skps},
    )


def _scores_under(unit_path: str, zone: str, cycle: Cycle) -> list[tuple[datetime.date, int]]:
    """Return (local day, score) of every rating of services in the unit's subtree."""
    rows = CitizenFeedback.objects.filter(
        service__unit__path__startswith=unit_path,
        service__agency_id=cycle.agency_id,
        created_at__gte=datetime.datetime.combine(
            cycle.starts_on - datetime.timedelta(days=1), datetime.time.min, tzinfo=datetime.UTC
        ),
        created_at__lte=datetime.datetime.combine(
            cycle.ends_on + datetime.timedelta(days=1), datetime.time.max, tzinfo=datetime.UTC
        ),
    ).values_list("created_at", "score")
    return [(local_date(created_at, zone), score) for created_at, score in rows]


@transaction.atomic
def refresh_citizen_realisations(*, cycle_id: int, actor: Any = None) -> int:
    """Write the realisation of citizen-feedback indicators from the ratings; return how many.

    For every indicator whose source is citizen feedback, in the cycle's SKPs that are not
    final or cancelled, each period of the SKP that has ratings of the services of the SKP's
    unit or its sub-units gets the average score (two decimals, half up) with a note of how
    many ratings it averages. Periods without ratings are left as they are. ``actor`` None is
    the system (a scheduled run); otherwise they must administer the agency. Written: the
    realisations that changed and, when any did, one audit row on the cycle's chain.
    """
    cycle = _lock_cycle(cycle_id, actor)
    zone = cycle.agency.time_zone
    by_skp = _open_indicators(cycle, IndicatorTemplate.Source.CITIZEN_FEEDBACK)
    scores_by_unit: dict[int, list[tuple[datetime.date, int]]] = {}
    existing = _existing([i for indicators in by_skp.values() for i in indicators])
    written = 0
    for skp, indicators in by_skp.items():
        if skp.unit_id not in scores_by_unit:
            scores_by_unit[skp.unit_id] = _scores_under(skp.unit.path, zone, cycle)
        scores = scores_by_unit[skp.unit_id]
        for period in periods_of(skp):
            within = [s for day, s in scores if period.starts_on <= day <= period.ends_on]
            if not within:
                continue
            average = (Decimal(sum(within)) / Decimal(len(within))).quantize(
                _CENT, rounding=ROUND_HALF_UP
            )
            note = ngettext(
                "Rata-rata %(count)d penilaian masyarakat",
                "Rata-rata %(count)d penilaian masyarakat",
                len(within),
            ) % {"count": len(within)}
            for indicator in indicators:
                written += _write(indicator, period.index, average, note, actor, existing)
    if written:
        _record_refresh(cycle, actor, "citizen_realisations_refreshed", written, len(by_skp))
    return written


@transaction.atomic
def refresh_attendance_realisations(*, cycle_id: int, actor: Any = None) -> int:
    """Write the realisation of attendance indicators from attendance records; return how many.

    For every indicator whose source is attendance, in the cycle's SKPs that are not final
    or cancelled, each period with imported working days gets the percentage of days
    present (two decimals), the figure the SKP pages show. Same rules as
    ``refresh_citizen_realisations`` for the actor, idempotence and the audit row.
    """
    cycle = _lock_cycle(cycle_id, actor)
    by_skp = _open_indicators(cycle, IndicatorTemplate.Source.ATTENDANCE)
    existing = _existing([i for indicators in by_skp.values() for i in indicators])
    written = 0
    for skp, indicators in by_skp.items():
        for index, summary in attendance_by_period(skp).items():
            percent = summary.present_percent
            if percent is None:
                continue
            note = _("Hadir %(present)d dari %(working)d hari kerja") % {
                "present": summary.present_days,
                "working": summary.working_days,
            }
            for indicator in indicators:
                written += _write(indicator, index, percent, note, actor, existing)
    if written:
        _record_refresh(cycle, actor, "attendance_realisations_refreshed", written, len(by_skp))
    return written
