"""Demo data for a first run: an admin, an agency and example users."""

from __future__ import annotations

from dataclasses import dataclass

from processes.organisation.models import Agency, Employee, User


@dataclass(frozen=True)
class DemoLogin:
    """A demo account printed by `make run` and listed in the README."""

    role: str
    username: str
    password: str


DEMO_PASSWORD = "demo12345"
DEMO_LOGINS = [
    DemoLogin("Superadmin", "admin", DEMO_PASSWORD),
    DemoLogin("Pegawai (contoh)", "pegawai", DEMO_PASSWORD),
    DemoLogin("Pegawai, masuk dengan NIP", "198609262015051001", DEMO_PASSWORD),
]


def _ensure_user(username: str, **fields: object) -> tuple[User, bool]:
    user, created = User.objects.get_or_create(username=username, defaults=fields)
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    return user, created


def seed_demo() -> int:
    """Create the demo records that do not exist yet; return how many were created."""
    created_count = 0
    agency, created = Agency.objects.get_or_create(
        code="demo",
        defaults={"name": "Pemerintah Kabupaten Contoh", "time_zone": "Asia/Jakarta"},
    )
    created_count += int(created)
    _, created = _ensure_user(
        "admin", is_superuser=True, is_staff=True, first_name="Admin", last_name="Sistem"
    )
    created_count += int(created)
    employee_user, created = _ensure_user(
        "pegawai", agency=agency, first_name="Siti", last_name="Rahmawati"
    )
    created_count += int(created)
    _, created = Employee.objects.get_or_create(
        nip="198609262015051001",
        defaults={"agency": agency, "user": employee_user, "name": "Siti Rahmawati"},
    )
    created_count += int(created)
    return created_count
