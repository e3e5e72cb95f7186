"""Forms of the engine's own pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from workflow.models import DigestChoice


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
        help_text=_("Ringkasan harian dikirim sekitar pukul 07.00 WIB."),
    )
