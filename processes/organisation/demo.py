"""Demo accounts for a first run: the superadmin and the demo password of the README's logins.

The agencies, their people and their SKP come from ``processes.skp.demo`` (the five shipped
configurations); this module only knows accounts. Hashing a password is deliberately slow,
so only the accounts the README lists get the demo password, hashed once in a background
thread while the rest of the demo is written (the hash releases the interpreter lock) and
shared by them all (the password is public: the command prints it); an account that can
already sign in keeps its password.
"""

from __future__ import annotations

from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

from django.apps import apps
from django.contrib.auth.hashers import make_password
from django.db import transaction

from processes.organisation.models import User

DEMO_PASSWORD = "demo12345"
SUPERADMIN = "admin"


@dataclass(frozen=True)
class DemoLogin:
    """A demo account printed by ``seed_demo`` and listed in the README."""

    role: str
    username: str
    password: str = DEMO_PASSWORD
    agency: str = ""
    name: str = ""


def ensure_superadmin() -> tuple[User, bool]:
    """Return the superadmin ``admin`` (created without a usable password when missing)."""
    user, created = User.objects.get_or_create(
        username=SUPERADMIN,
        defaults={
            "is_superuser": True,
            "is_staff": True,
            "first_name": "Admin",
            "last_name": "Sistem",
        },
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user, created


def row_counts() -> dict[str, int]:
    """Return the number of rows of every model (a second seed must change none)."""
    return {
        model._meta.label: model._base_manager.count()
        for model in apps.get_models(include_auto_created=True)
    }


class DemoPasswords:
    """Give the demo password to accounts that cannot sign in yet, hashing in the background.

    Creating it looks at the usernames now (accounts created later by the demo count as
    missing) and, if any needs one, hashes the password once; ``apply`` waits for the hash
    and stores it on each of them (one salt for all: the demo password is public anyway).
    No product action sets a password (accounts get one when they are created, or through
    the password reset), so the demo writes the hash itself, as ``createsuperuser`` does.
    """

    def __init__(self, usernames: Iterable[str]) -> None:
        wanted = list(dict.fromkeys(usernames))
        usable = {
            user.username
            for user in User.objects.filter(username__in=wanted)
            if user.has_usable_password()
        }
        self.usernames = [name for name in wanted if name not in usable]
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="demo-hash")
        self._hash: Future[str] | None = (
            self._executor.submit(make_password, DEMO_PASSWORD) if self.usernames else None
        )

    def apply(self) -> int:
        """Store the hash on the accounts still without a usable password; return how many."""
        encoded = self._hash.result() if self._hash is not None else ""
        self._executor.shutdown()
        changed = 0
        with transaction.atomic():
            users = {
                user.username: user for user in User.objects.filter(username__in=self.usernames)
            }
            for username in self.usernames:
                user = users.get(username)
                if user is None or user.has_usable_password():
                    continue
                user.password = encoded
                user.save(update_fields=["password"])
                changed += 1
        return changed

    def cancel(self) -> None:
        """Stop hashing (the seed failed)."""
        if self._hash is not None:
            self._hash.cancel()
        self._executor.shutdown(wait=False)
