"""The five agencies of ``seeds/`` as shipped configurations: data, never code.

Each agency's cycle is a JSON file in ``configs/`` that ``loader.load_agency`` applies
through the ordinary actions, so the product runs every one of them by configuration alone
(DOMAIN.md section 10). A file holds (format 1):

``format``
    1.
``agency``
    ``code`` (the tenant's slug), ``name``, ``time_zone`` (IANA: Asia/Jakarta = WIB,
    Asia/Makassar = WITA).
``summary``
    One sentence on what the agency's cycle needs, in Bahasa Indonesia.
``hr_admin``
    The HR admin account (pengelola kinerja): ``username``, ``first_name``, ``last_name``.
``settings``
    ``SkpSettings`` values by field name, as ``save_skp_settings`` takes them (decimals as
    strings).
``organisation``
    ``holdings_start`` (ISO date every holding starts on), ``units`` (``code``, ``name``,
    ``kind`` opd/subunit/upt, ``parent`` code or null, ``service``: true for a unit that
    serves citizens directly), ``positions`` (``code``, ``unit``, ``name``, ``kind``,
    ``functional_level``, ``reports_to`` code or null, ``unit_head``) and ``employees``
    (``name``, ``sex`` L/P, ``type`` pns/pppk, ``position`` code, ``login``: true gives the
    account the password passed to the loader; ``nip`` optional, otherwise generated
    deterministically from the agency code and the name).
``teams``
    ``code``, ``name`` and ``members`` (employee names).
``template``
    ``code``, ``name``, ``description`` and ``stages``: the engine's stage dicts
    (``workflow.spec.StageSpec.to_dict()``), built from ``processes.skp.stages``'s default
    stages plus the agency's extra stages and guards.
``indicator_library``
    By unit code (``*``: agency-wide), a list of ``code``, ``text``, ``aspect``,
    ``target_unit``, ``default_target`` (string or null), ``source``
    (manual/citizen_feedback/attendance) and optionally ``aggregation``: how the periods'
    realisations make up the year, ``sum`` for counts, ``average`` or ``last`` for rates
    and levels (left out: percentages average, kuantitas and biaya add up, kualitas and
    waktu average; ``rules.aggregation_for``).
``unit_goals``
    ``unit``, ``year``, ``code``, ``text``, ``perspective``.
``public_services``
    ``unit``, ``slug`` (the page ``/layanan/<slug>/``), ``name``.
"""

from __future__ import annotations

from pathlib import Path

CONFIG_DIR = Path(__file__).resolve().parent / "configs"


def config_path(code: str) -> Path:
    """Return the file of the agency ``code`` (a hyphen in the code is an underscore here)."""
    return CONFIG_DIR / f"{code.replace('-', '_')}.json"


def shipped_codes() -> list[str]:
    """Return the file names (without .json) of every shipped configuration, sorted."""
    return sorted(path.stem for path in CONFIG_DIR.glob("*.json"))
