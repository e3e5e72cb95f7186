"""Seed Indonesian national public holidays (libur nasional) for 2025, 2026 and 2027.

Sources: the joint ministerial decrees (SKB 3 Menteri) on national holidays for 2025 and
2026; the 2027 decree was not yet published when this was written, so its dates are
estimates. Islamic dates (Isra Mi'raj, Idul Fitri, Idul Adha, 1 Muharram, Maulid) follow
the lunar calendar and are approximate even where a decree exists (the government fixes
them after sighting the moon); Nyepi, Vesak and Chinese New Year follow their own calendars
and are approximate for 2027. Collective leave days (cuti bersama) are not holidays and
are not seeded. Admins correct or add days in the admin (Hari libur); tenants add their
own local days the same way.

The rows are national (no tenant). Reversing removes exactly the seeded dates that still
carry no tenant.
"""

import datetime

from django.db import migrations

HOLIDAYS: list[tuple[str, str]] = [
    # 2025 (SKB 3 Menteri 2025)
    ("2025-01-01", "Tahun Baru 2025 Masehi"),
    ("2025-01-27", "Isra Mi'raj Nabi Muhammad SAW"),
    ("2025-01-29", "Tahun Baru Imlek 2576 Kongzili"),
    ("2025-03-29", "Hari Suci Nyepi Tahun Baru Saka 1947"),
    ("2025-03-31", "Hari Raya Idul Fitri 1446 H"),
    ("2025-04-01", "Hari Raya Idul Fitri 1446 H (hari kedua)"),
    ("2025-04-18", "Wafat Yesus Kristus"),
    ("2025-04-20", "Kebangkitan Yesus Kristus (Paskah)"),
    ("2025-05-01", "Hari Buruh Internasional"),
    ("2025-05-12", "Hari Raya Waisak 2569 BE"),
    ("2025-05-29", "Kenaikan Yesus Kristus"),
    ("2025-06-01", "Hari Lahir Pancasila"),
    ("2025-06-06", "Hari Raya Idul Adha 1446 H"),
    ("2025-06-27", "Tahun Baru Islam 1447 H"),
    ("2025-08-17", "Hari Kemerdekaan Republik Indonesia"),
    ("2025-09-05", "Maulid Nabi Muhammad SAW"),
    ("2025-12-25", "Hari Raya Natal"),
    # 2026 (SKB 3 Menteri 2026; Islamic dates approximate)
    ("2026-01-01", "Tahun Baru 2026 Masehi"),
    ("2026-01-16", "Isra Mi'raj Nabi Muhammad SAW"),
    ("2026-02-17", "Tahun Baru Imlek 2577 Kongzili"),
    ("2026-03-19", "Hari Suci Nyepi Tahun Baru Saka 1948"),
    ("2026-03-21", "Hari Raya Idul Fitri 1447 H"),
    ("2026-03-22", "Hari Raya Idul Fitri 1447 H (hari kedua)"),
    ("2026-04-03", "Wafat Yesus Kristus"),
    ("2026-04-05", "Kebangkitan Yesus Kristus (Paskah)"),
    ("2026-05-01", "Hari Buruh Internasional"),
    ("2026-05-14", "Kenaikan Yesus Kristus"),
    ("2026-05-27", "Hari Raya Idul Adha 1447 H"),
    ("2026-05-31", "Hari Raya Waisak 2570 BE"),
    ("2026-06-01", "Hari Lahir Pancasila"),
    ("2026-06-16", "Tahun Baru Islam 1448 H"),
    ("2026-08-17", "Hari Kemerdekaan Republik Indonesia"),
    ("2026-08-25", "Maulid Nabi Muhammad SAW"),
    ("2026-12-25", "Hari Raya Natal"),
    # 2027 (estimates: no decree yet; lunar and Saka dates approximate)
    ("2027-01-01", "Tahun Baru 2027 Masehi"),
    ("2027-01-05", "Isra Mi'raj Nabi Muhammad SAW"),
    ("2027-02-06", "Tahun Baru Imlek 2578 Kongzili"),
    ("2027-03-09", "Hari Suci Nyepi Tahun Baru Saka 1949"),
    ("2027-03-10", "Hari Raya Idul Fitri 1448 H"),
    ("2027-03-11", "Hari Raya Idul Fitri 1448 H (hari kedua)"),
    ("2027-03-26", "Wafat Yesus Kristus"),
    ("2027-03-28", "Kebangkitan Yesus Kristus (Paskah)"),
    ("2027-05-01", "Hari Buruh Internasional"),
    ("2027-05-06", "Kenaikan Yesus Kristus"),
    ("2027-05-17", "Hari Raya Idul Adha 1448 H"),
    ("2027-05-20", "Hari Raya Waisak 2571 BE"),
    ("2027-06-01", "Hari Lahir Pancasila"),
    ("2027-06-06", "Tahun Baru Islam 1449 H"),
    ("2027-08-15", "Maulid Nabi Muhammad SAW"),
    ("2027-08-17", "Hari Kemerdekaan Republik Indonesia"),
    ("2027-12-25", "Hari Raya Natal"),
]


def seed(apps, schema_editor):
    Holiday = apps.get_model("workflow", "Holiday")
    for day, name in HOLIDAYS:
        Holiday.objects.get_or_create(
            tenant=None, date=datetime.date.fromisoformat(day), defaults={"name": name}
        )


def unseed(apps, schema_editor):
    Holiday = apps.get_model("workflow", "Holiday")
    dates = [datetime.date.fromisoformat(day) for day, _name in HOLIDAYS]
    Holiday.objects.filter(tenant=None, date__in=dates).delete()


class Migration(migrations.Migration):
    dependencies = [("workflow", "0003_holiday")]
    operations = [migrations.RunPython(seed, unseed)]
