"""The public citizen feedback page of a service, ``/layanan/<slug>/``: no sign-in.

A citizen picks a score from 1 (Sangat tidak puas) to 5 (Sangat puas) and may add a
comment. The page is protected by CSRF, a honeypot field that people never see (a filled
one is thanked and dropped), and by the action's duplicate check and rate limit, which
answer 409 and 429 with a polite message. The rate limit counts per network address:
``REMOTE_ADDR``, or behind a trusted reverse proxy (``CITIZEN_FEEDBACK_TRUST_PROXY``) the
address that proxy appended last to ``X-Forwarded-For``. The duplicate check counts per
browser: the page gives each browser a random token in a cookie (``RATER_COOKIE``, a year,
HttpOnly), so two citizens on one office network are two raters.
"""

from __future__ import annotations

import re
import secrets

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from processes.skp.actions.citizen import (
    MAX_COMMENT,
    DuplicateFeedback,
    InvalidFeedback,
    TooManyFeedback,
    UnknownService,
    available_service,
    submit_citizen_feedback,
)
from processes.skp.models import PublicService

SCORE_CHOICES = [
    ("1", _("1 · Sangat tidak puas")),
    ("2", _("2 · Tidak puas")),
    ("3", _("3 · Cukup puas")),
    ("4", _("4 · Puas")),
    ("5", _("5 · Sangat puas")),
]


class CitizenFeedbackForm(forms.Form):
    """A citizen's rating: a score, an optional comment and the honeypot ``website``."""

    score = forms.ChoiceField(
        label=_("Seberapa puas Anda dengan layanan ini?"),
        choices=SCORE_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": _("Pilih salah satu penilaian.")},
    )
    comment = forms.CharField(
        label=_("Saran atau komentar (tidak wajib)"),
        required=False,
        max_length=MAX_COMMENT,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": MAX_COMMENT}),
        help_text=_("Paling banyak 1000 karakter. Jangan menuliskan data pribadi."),
    )
    # People never see this field; software that fills every field does.
    website = forms.CharField(
        label=_("Jangan diisi"),
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )


def client_key(request: HttpRequest) -> str:
    """Return the client's network address as the page sees it (see the module docstring)."""
    address = str(request.META.get("REMOTE_ADDR", "") or "")
    if getattr(settings, "CITIZEN_FEEDBACK_TRUST_PROXY", False):
        forwarded = [
            part.strip()
            for part in str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",")
            if part.strip()
        ]
        if forwarded:
            address = forwarded[-1]
    return address


RATER_COOKIE = "penilai_layanan"
_TOKEN = re.compile(r"^[0-9a-f]{32}$")


def rater_token(request: HttpRequest) -> tuple[str, bool]:
    """Return the browser's rater token and whether it is new (to be set as a cookie)."""
    token = str(request.COOKIES.get(RATER_COOKIE, ""))
    if _TOKEN.match(token):
        return token, False
    return secrets.token_hex(16), True


def _with_token(response: HttpResponse, token: str, new: bool) -> HttpResponse:
    if new:
        response.set_cookie(
            RATER_COOKIE,
            token,
            max_age=365 * 24 * 3600,
            httponly=True,
            samesite="Lax",
            secure=bool(getattr(settings, "SESSION_COOKIE_SECURE", False)),
        )
    return response


def _service_or_404(slug: str) -> PublicService:
    service = available_service(slug)
    if service is None:
        raise Http404(_("Layanan tidak ditemukan."))
    return service


def _page(
    request: HttpRequest,
    service: PublicService,
    form: CitizenFeedbackForm,
    refusal: str = "",
    status: int = 200,
) -> HttpResponse:
    # A refused rating shows the reason instead of an empty form to fill in again.
    return render(
        request,
        "skp/public/service_feedback.html",
        {"service": service, "form": form, "refusal": refusal},
        status=status,
    )


@login_not_required
@require_http_methods(["GET", "POST"])
def service_feedback(request: HttpRequest, slug: str) -> HttpResponse:
    """Show the rating form of a service and take a citizen's rating."""
    service = _service_or_404(slug)
    token, new = rater_token(request)
    return _with_token(_service_feedback(request, service, token), token, new)


def _service_feedback(request: HttpRequest, service: PublicService, token: str) -> HttpResponse:
    if request.method != "POST":
        return _page(request, service, CitizenFeedbackForm())
    form = CitizenFeedbackForm(request.POST)
    if not form.is_valid():
        return _page(request, service, form, status=400)
    if form.cleaned_data["website"]:
        return redirect("layanan:thanks", slug=service.slug)
    try:
        submit_citizen_feedback(
            service_slug=service.slug,
            score=form.cleaned_data["score"],
            comment=form.cleaned_data["comment"],
            client_key=client_key(request),
            device_key=token,
        )
    except UnknownService as error:
        raise Http404(error.message) from error
    except InvalidFeedback as error:
        for field, messages in error.errors.items():
            for message in messages:
                form.add_error(field if field in form.fields else None, message)
        return _page(request, service, form, status=400)
    except DuplicateFeedback as error:
        return _page(request, service, CitizenFeedbackForm(), refusal=error.message, status=409)
    except TooManyFeedback as error:
        response = _page(request, service, CitizenFeedbackForm(), refusal=error.message, status=429)
        response["Retry-After"] = str(error.retry_after)
        return response
    return redirect("layanan:thanks", slug=service.slug)


@login_not_required
@require_http_methods(["GET"])
def thanks(request: HttpRequest, slug: str) -> HttpResponse:
    """Thank the citizen after a rating."""
    service = _service_or_404(slug)
    return render(request, "skp/public/service_thanks.html", {"service": service})
