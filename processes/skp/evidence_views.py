"""Evidence downloads: a stored file goes only to those who may see its SKP.

Anyone else (another employee, another agency's admin, a stale link) gets 404, so the
existence of the file is not revealed; anonymous visitors are sent to sign in by
``LoginRequiredMiddleware``. The file is always sent as an attachment with the content type
stored at upload (from its checked extension, never from the browser) and ``nosniff``, so a
browser never renders it inside the product's origin.
"""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpRequest
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from processes.skp.access import skp_access
from processes.skp.models import Evidence


@require_safe
def evidence_download(request: HttpRequest, evidence_id: int) -> FileResponse:
    """Stream an evidence file to a user who may see its SKP's monitoring; 404 otherwise.

    A colleague who sees the SKP only to give peer feedback does not get its evidence.
    """
    evidence = (
        Evidence.objects.select_related(
            "skp__agency", "skp__cycle", "skp__employee", "skp__employee__user"
        )
        .filter(pk=evidence_id)
        .first()
    )
    if evidence is None or not evidence.file:
        raise Http404(_("Bukti dukung tidak ditemukan."))
    if not skp_access(request.user, evidence.skp).reads_private:
        raise Http404(_("Bukti dukung tidak ditemukan."))
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError as error:
        raise Http404(_("Bukti dukung tidak ditemukan.")) from error
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=evidence.original_name or evidence.file.name.rsplit("/", 1)[-1],
        content_type=evidence.content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
