"""Forms of the engine's own pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from config.templatetags.ui import zone_label
from workflow.models import DigestChoice

# The daily digest's hour: Celery beat's crontab (config/settings/base.py) and
# run_scheduler's default (07.00 Asia/Jakarta) both fire at 00.00 UTC.
DIGEST_AT_UTC = dt.time(0, 0)


class NotificationPreferenceForm(forms.Form):
    """A user's e-mail choices for notifications."""

    email_enabled = forms.BooleanField(
        label=_("Kirim notifikasi ke e-mail saya"),
        required=False,
        help_text=_("Notifikasi tetap tampil di aplikasi apa pun pilihan Anda."),
    )
    digest = forms.ChoiceField(
        label=_("Frekuensi e-mail"),
        choices=DigestChoice.choices,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["digest"].help_text = _("Ringkasan harian dikirim sekitar pukul %(time)s.") % {
            "time": digest_clock()
        }


def digest_clock() -> str:
    """Return when the daily digest goes out (00.00 UTC, 07.00 WIB) as the user's clock
    reads it: "08.00 WITA" in Indonesian at UTC+8, "09:00 WIT" in English at UTC+9."""
    moment = timezone.localtime(
        dt.datetime.combine(timezone.now().date(), DIGEST_AT_UTC, tzinfo=dt.UTC)
    )
    separator = ":" if (get_language() or "").startswith("en") else "."
    return f"{moment:%H}{separator}{moment:%M} {zone_label(timezone.get_current_timezone())}"
