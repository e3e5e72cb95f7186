"""The engine knows no agency: none of the five shipped agencies is named under workflow/.

Each agency runs its cycle by configuration alone (DOMAIN.md section 10); a name or code in
the engine would be the first step towards agency-specific code. Every file counts, migrations
and compiled files included.
"""

from __future__ import annotations

from pathlib import Path

from processes.skp.agencies import shipped_codes
from processes.skp.agencies.loader import read_config

ROOT = Path(__file__).resolve().parent.parent
NAMES = ("gorontalo", "bantul", "tanjung", "selor", "makassar", "dumai")


def _forbidden_words() -> set[str]:
    words = set(NAMES)
    for code in shipped_codes():
        words.add(code.lower())
        words.add(read_config(code)["agency"]["code"].lower())
    return words


def _text(path: Path) -> str:
    """Return the file's path and content, lower-cased (bytes that are not text are dropped)."""
    content = path.read_bytes().decode("utf-8", errors="ignore")
    return f"{path.relative_to(ROOT)}\n{content}".lower()


def test_no_agency_name_or_code_appears_in_the_engine() -> None:
    words = _forbidden_words()
    files = [path for path in (ROOT / "workflow").rglob("*") if path.is_file()]
    found = [
        f"{path.relative_to(ROOT)}: {word}"
        for path in files
        for word in sorted(words)
        if word in _text(path)
    ]

    assert len(files) > 20
    assert found == []


def test_the_words_cover_every_shipped_agency() -> None:
    assert _forbidden_words() >= {
        "gorontalo",
        "bantul",
        "tanjung-selor",
        "tanjung_selor",
        "makassar",
        "dumai",
    }
