"""The engine's own pages: notifications, notification preferences and job progress.

Views only read through selectors and write through functions in ``workflow``; each one
shows the signed-in user's own rows, and another user's row answers 404.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from workflow import jobs, notifications, selectors
from workflow.forms import NotificationPreferenceForm
from workflow.models import Notification

PAGE_SIZE = 20


@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    """List the user's notifications, newest first, unread ones marked."""
    page = Paginator(selectors.notifications_for(request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "workflow/notifications/notification_list.html", {"page": page})


def _safe_next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


@require_POST
def notification_read(request: HttpRequest, notification_id: int) -> HttpResponse:
    """Mark one of the user's notifications read, then go to ``next`` (or back to the list)."""
    try:
        notifications.mark_read(request.user, notification_id)
    except Notification.DoesNotExist as error:
        raise Http404(_("Notifikasi tidak ditemukan.")) from error
    return redirect(_safe_next(request, _list_url(request)))


@require_POST
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    """Mark every unread notification of the user read."""
    changed = notifications.mark_all_read(request.user)
    text = ngettext(
        "%(count)d notifikasi ditandai sudah dibaca.",
        "%(count)d notifikasi ditandai sudah dibaca.",
        changed,
    ) % {"count": changed}
    messages.success(request, text)
    return redirect(_list_url(request))


def _list_url(request: HttpRequest) -> str:
    from django.urls import reverse

    url = reverse("workflow:notifications")
    page = request.POST.get("page", "")
    return f"{url}?page={page}" if page.isdigit() else url


@require_http_methods(["GET", "POST"])
def notification_preferences(request: HttpRequest) -> HttpResponse:
    """Show and save the user's e-mail choices."""
    current = selectors.preference_for(request.user)
    if request.method == "POST":
        form = NotificationPreferenceForm(request.POST)
        if form.is_valid():
            notifications.save_preferences(
                user=request.user,
                email_enabled=form.cleaned_data["email_enabled"],
                digest=form.cleaned_data["digest"],
            )
            messages.success(request, _("Preferensi notifikasi disimpan."))
            return redirect("workflow:notification_preferences")
    else:
        form = NotificationPreferenceForm(
            initial={"email_enabled": current.email_enabled, "digest": current.digest}
        )
    return render(request, "workflow/notifications/notification_preferences.html", {"form": form})


@require_GET
def job_detail(request: HttpRequest, job_id: int) -> HttpResponse:
    """Show a long job's progress; the bar refreshes itself every second until it ends."""
    job = selectors.job_for(request.user, job_id)
    if job is None:
        raise Http404(_("Pekerjaan tidak ditemukan."))
    return render(request, "workflow/jobs/job_detail.html", _job_context(job))


@require_GET
def job_progress(request: HttpRequest, job_id: int) -> HttpResponse:
    """Return the progress fragment (polled by htmx)."""
    job = selectors.job_for(request.user, job_id)
    if job is None:
        raise Http404(_("Pekerjaan tidak ditemukan."))
    return render(request, "workflow/jobs/_job_progress.html", _job_context(job))


def _job_context(job: Any) -> dict[str, Any]:
    return {"job": job, "label": jobs.job_label(job.kind), "result_link": jobs.result_link(job)}
