"""Template context for every page: the signed-in user's unread notification count."""

from __future__ import annotations

import operator
from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject, new_method_proxy

from workflow.selectors import unread_count_for


class LazyCount(SimpleLazyObject):
    """A count queried the first time a template uses it, then kept for the request."""

    __int__ = new_method_proxy(int)
    __index__ = new_method_proxy(operator.index)


def unread_count(request: HttpRequest) -> dict[str, Any]:
    """Add ``unread_notifications`` for signed-in users: one COUNT query, only if used."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": LazyCount(lambda: unread_count_for(user))}
