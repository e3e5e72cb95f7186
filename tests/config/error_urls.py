"""A test-only URLconf: the project's URLs plus views that fail on purpose."""

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import HttpRequest, HttpResponse
from django.urls import path

from config.urls import urlpatterns as project_urlpatterns


@login_not_required
def forbidden(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied("internal reason that users must not see")


@login_not_required
def bad_request(request: HttpRequest) -> HttpResponse:
    raise SuspiciousOperation("internal reason that users must not see")


@login_not_required
def crash(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("kinerja-secret-traceback-marker")


urlpatterns = [
    path("test/forbidden/", forbidden),
    path("test/bad-request/", bad_request),
    path("test/crash/", crash),
    *project_urlpatterns,
]
