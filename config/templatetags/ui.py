"""Presentation helpers every page uses: local times with their zone label, badges, late marks.

Load with ``{% load ui %}`` (registered in TEMPLATES OPTIONS "libraries"):

- ``{% local_time value %}`` or ``{{ value|local_time }}``: "23 Nov 2026 14.05 WITA"
  (English: "23 Nov 2026 14:05 WITA") in the active time zone;
- ``{{ value|local_date }}``: "23 Nov 2026", the date of an instant in the active zone;
- ``{% status_badge text kind %}``: a badge, kind one of ok, warn, late, muted, info
  (``wrap=True`` for a sentence-long text that must wrap on a phone);
- ``{% late_mark due_at %}``: a red "Terlambat" badge when ``due_at`` has passed;
- ``{% progress_bar value maximum label %}``: a ``<progress>`` bar with the percent as text.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import get_language, gettext, pgettext

register = template.Library()

# Indonesia's three legal zones (Keppres 41/1987); Pontianak keeps WIB as well.
ZONE_LABELS = {
    "Asia/Jakarta": "WIB",
    "Asia/Pontianak": "WIB",
    "Asia/Makassar": "WITA",
    "Asia/Jayapura": "WIT",
}

BADGE_KINDS = ("ok", "warn", "late", "muted", "info")


def _month_abbreviation(month: int) -> str:
    """Return the month's short name in the active language (Indonesian source, gettext)."""
    names = (
        pgettext("singkatan bulan", "Jan"),
        pgettext("singkatan bulan", "Feb"),
        pgettext("singkatan bulan", "Mar"),
        pgettext("singkatan bulan", "Apr"),
        pgettext("singkatan bulan", "Mei"),
        pgettext("singkatan bulan", "Jun"),
        pgettext("singkatan bulan", "Jul"),
        pgettext("singkatan bulan", "Agu"),
        pgettext("singkatan bulan", "Sep"),
        pgettext("singkatan bulan", "Okt"),
        pgettext("singkatan bulan", "Nov"),
        pgettext("singkatan bulan", "Des"),
    )
    return names[month - 1]


def zone_label(zone: dt.tzinfo) -> str:
    """Return WIB, WITA or WIT for Indonesia's zones, else the zone's name."""
    if isinstance(zone, zoneinfo.ZoneInfo):
        return ZONE_LABELS.get(zone.key, zone.key)
    return ZONE_LABELS.get(str(zone), str(zone))


def _format_date(day: dt.date) -> str:
    return f"{day.day} {_month_abbreviation(day.month)} {day.year}"


def _to_local(value: dt.datetime) -> dt.datetime:
    # A naive value cannot be converted (USE_TZ stores aware instants); it is shown as it
    # is, the same as Django's own date filters do.
    return timezone.localtime(value) if timezone.is_aware(value) else value


@register.filter(name="local_time")
def local_time_filter(value: dt.datetime | dt.date | None) -> str:
    """Format an instant in the active zone with the zone label: "23 Nov 2026 14.05 WITA".

    Indonesian writes the time with a dot (14.05), English with a colon (14:05). A plain
    date is formatted as a date; None and other values give an empty string.
    """
    if isinstance(value, dt.datetime):
        local = _to_local(value)
        separator = ":" if (get_language() or "").startswith("en") else "."
        label = zone_label(timezone.get_current_timezone())
        return f"{_format_date(local)} {local:%H}{separator}{local:%M} {label}"
    if isinstance(value, dt.date):
        return _format_date(value)
    return ""


@register.simple_tag(name="local_time")
def local_time_tag(value: dt.datetime | dt.date | None) -> str:
    """Tag form of the ``local_time`` filter: ``{% local_time task.due_at %}``."""
    return local_time_filter(value)


@register.filter(name="local_date")
def local_date(value: dt.datetime | dt.date | None) -> str:
    """Format the date of an instant in the active zone: "23 Nov 2026"."""
    if isinstance(value, dt.datetime):
        return _format_date(_to_local(value))
    if isinstance(value, dt.date):
        return _format_date(value)
    return ""


@register.simple_tag
def status_badge(text: object, kind: str = "muted", wrap: bool = False) -> SafeString:
    """Render ``<span class="badge badge-KIND">text</span>``; an unknown kind shows as muted.

    A badge stays on one line; ``wrap=True`` (``{% status_badge reason "warn" wrap=True %}``)
    adds ``badge-wrap`` for text that may be a sentence: it wraps within its container.
    """
    if kind not in BADGE_KINDS:
        kind = "muted"
    extra = " badge-wrap" if wrap else ""
    return format_html('<span class="badge badge-{}{}">{}</span>', kind, extra, text)


@register.simple_tag
def late_mark(due_at: dt.datetime | dt.date | None) -> SafeString:
    """Render a red "Terlambat" badge when the deadline has passed, else nothing.

    A datetime is late once it is earlier than now; a date is late from the next day
    on in the active zone.
    """
    if isinstance(due_at, dt.datetime):
        # A naive deadline is read in the active zone, as local_time shows it.
        aware = due_at if timezone.is_aware(due_at) else timezone.make_aware(due_at)
        late = aware < timezone.now()
    elif isinstance(due_at, dt.date):
        late = due_at < timezone.localdate()
    else:
        late = False
    if not late:
        return SafeString("")
    return status_badge(gettext("Terlambat"), "late")


@register.simple_tag
def progress_bar(
    value: float | int | None, maximum: float | int = 100, label: str = ""
) -> SafeString:
    """Render a ``<progress>`` bar with the whole percent as text beside it.

    ``{% progress_bar done total _("Realisasi") %}``: the percent is clamped to 0..100 and
    is 0 when ``maximum`` is not positive.
    """
    done = float(value or 0)
    whole = float(maximum or 0)
    percent = 0 if whole <= 0 else round(min(max(done / whole, 0.0), 1.0) * 100)
    return format_html(
        '<div class="progress"><progress value="{}" max="100"{}>{}%</progress>'
        '<span class="progress-text" aria-hidden="true">{}%</span></div>',
        percent,
        format_html(' aria-label="{}"', label) if label else "",
        percent,
        percent,
    )
