"""Sign in with a username or an NIP / NI PPPK (with or without spaces)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from processes.organisation.identity import looks_like_number
from processes.organisation.models import User


class UsernameOrNipBackend(ModelBackend):
    """Authenticate by username first, then by the employee number linked to the account."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        """Return the active user whose username or NIP matches and whose password is right."""
        if username is None or password is None:
            return None
        identifier = username.strip()
        user = User.objects.filter(username__iexact=identifier).first()
        if user is None and looks_like_number(identifier):
            user = User.objects.filter(employee__nip=identifier.replace(" ", "")).first()
        if user is None:
            # Run the hasher anyway so timing does not tell which identifiers exist.
            User().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
