"""Build organisations for tests through the real organisation actions.

``build_org`` makes one agency with a small but realistic tree:

    Dinas Pendidikan (OPD)                KADIS  Kepala Dinas (JPT)
    ├── Sekretariat                       SEKDIS Sekretaris (Administrator) → KADIS
    └── Bidang Pembinaan SD               KABID  Kepala Bidang (Administrator) → KADIS
        └── Seksi Kurikulum               KASI   Kepala Seksi (Pengawas) → KABID
                                          STAF   Pengelola Kurikulum (Pelaksana) → KASI, three holders
                                          GURU   Pengembang Kurikulum Ahli Pertama → KABID
"""

from __future__ import annotations

import datetime
import itertools
from dataclasses import dataclass, field
from typing import Any

from processes.organisation import actions
from processes.organisation.models import Agency, Employee, Position, PositionKind, Unit, User

_sequence = itertools.count(1)
START = datetime.date(2026, 1, 1)


def make_nip(*, sex: str = "1", birth_year: int = 1985, pppk: bool = False) -> str:
    """Return a fresh valid NIP (or NI PPPK) whose sequence never repeats in a test run."""
    number = next(_sequence)
    month = number % 12 + 1
    day = number % 28 + 1
    appointment = (
        f"{birth_year + 24}{(number % 12) + 1:02d}" if not pppk else f"{birth_year + 30}21"
    )
    return f"{birth_year}{month:02d}{day:02d}{appointment}{sex}{number % 999 + 1:03d}"


def make_agency(
    code: str = "uji", zone: str = "Asia/Makassar", name: str = ""
) -> tuple[Agency, User]:
    """Create an agency and its HR admin."""
    agency = Agency.objects.create(
        name=name or f"Pemerintah {code.title()}", code=code, time_zone=zone
    )
    admin = User.objects.create_user(
        f"admin-{code}", password="x", agency=agency, is_agency_admin=True, first_name="Admin"
    )
    return agency, admin


@dataclass
class Org:
    """An agency's tree and its people, by code."""

    agency: Agency
    admin: User
    units: dict[str, Unit] = field(default_factory=dict)
    positions: dict[str, Position] = field(default_factory=dict)
    people: dict[str, Employee] = field(default_factory=dict)

    def user(self, key: str) -> User:
        user = self.people[key].user
        assert user is not None
        return user

    def hire(
        self, key: str, position: str, name: str, *, starts_on: datetime.date = START, **extra: Any
    ) -> Employee:
        employee = actions.create_employee(
            actor=self.admin,
            agency=self.agency,
            nip=extra.pop("nip", None) or make_nip(sex=extra.get("sex", "1") or "1"),
            name=name,
            password="x",
            **extra,
        )
        actions.assign_position(
            actor=self.admin,
            employee=employee,
            position=self.positions[position],
            starts_on=starts_on,
        )
        self.people[key] = employee
        return employee


def build_org(code: str = "uji", zone: str = "Asia/Makassar") -> Org:
    """Create the tree in the module docstring with one holder per post and three staff."""
    agency, admin = make_agency(code, zone)
    org = Org(agency=agency, admin=admin)
    dinas = actions.create_unit(actor=admin, agency=agency, code="DISDIK", name="Dinas Pendidikan")
    org.units["DISDIK"] = dinas
    org.units["SEKRE"] = actions.create_unit(
        actor=admin,
        agency=agency,
        code="SEKRE",
        name="Sekretariat",
        kind=Unit.Kind.SUBUNIT,
        parent=dinas,
    )
    bidang = actions.create_unit(
        actor=admin,
        agency=agency,
        code="BID-SD",
        name="Bidang Pembinaan SD",
        kind=Unit.Kind.SUBUNIT,
        parent=dinas,
    )
    org.units["BID-SD"] = bidang
    seksi = actions.create_unit(
        actor=admin,
        agency=agency,
        code="SEK-KUR",
        name="Seksi Kurikulum",
        kind=Unit.Kind.SUBUNIT,
        parent=bidang,
    )
    org.units["SEK-KUR"] = seksi

    def post(
        code: str, unit: Unit, name: str, kind: str, reports_to: str | None, **extra: Any
    ) -> None:
        org.positions[code] = actions.create_position(
            actor=admin,
            agency=agency,
            unit=unit,
            code=code,
            name=name,
            kind=kind,
            reports_to=org.positions[reports_to] if reports_to else None,
            **extra,
        )

    post("KADIS", dinas, "Kepala Dinas Pendidikan", PositionKind.JPT, None, is_unit_head=True)
    post(
        "SEKDIS",
        org.units["SEKRE"],
        "Sekretaris Dinas",
        PositionKind.ADMINISTRATOR,
        "KADIS",
        is_unit_head=True,
    )
    post(
        "KABID",
        bidang,
        "Kepala Bidang Pembinaan SD",
        PositionKind.ADMINISTRATOR,
        "KADIS",
        is_unit_head=True,
    )
    post("KASI", seksi, "Kepala Seksi Kurikulum", PositionKind.PENGAWAS, "KABID", is_unit_head=True)
    post("STAF", seksi, "Pengelola Kurikulum", PositionKind.PELAKSANA, "KASI")
    post(
        "GURU",
        bidang,
        "Pengembang Kurikulum Ahli Pertama",
        PositionKind.FUNGSIONAL,
        "KABID",
        functional_level="ahli_pertama",
    )
    org.hire("kadis", "KADIS", "Dr. Hj. Rahmawati Usman")
    org.hire("sekdis", "SEKDIS", "Ir. Bambang Sutrisno")
    org.hire("kabid", "KABID", "Drs. Arifin Lamato")
    org.hire("kasi", "KASI", "Nurhayati Hasan", sex="2")
    org.hire("staf1", "STAF", "Andi Pratama")
    org.hire("staf2", "STAF", "Siti Aminah Gobel", sex="2")
    org.hire("staf3", "STAF", "Yusuf Mokodompit")
    org.hire("guru", "GURU", "Fitriani Daud", sex="2")
    return org
