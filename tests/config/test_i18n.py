"""Indonesian by default, English from locale/en: switching, and the compiled catalogue."""

import gettext
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.test import Client
from django.utils import translation

LOCALE = Path(__file__).resolve().parents[2] / "locale" / "en" / "LC_MESSAGES"


@pytest.fixture(autouse=True)
def _restore_language() -> Iterator[None]:
    """Requests here switch the thread's language; give the next test the default back."""
    with translation.override(None):
        yield


def test_switching_to_english_on_the_login_page(client: Client, db: None) -> None:
    assert "<h1>Masuk</h1>" in client.get("/login/").content.decode()

    response = client.post("/i18n/setlang/", {"language": "en", "next": "/login/"})

    assert response.status_code == 302
    assert response["Location"] == "/login/"
    html = client.get("/login/").content.decode()
    assert '<html lang="en"' in html
    assert "<h1>Sign in</h1>" in html
    assert '<label for="id_username">Username or NIP</label>' in html


def _unescape(value: str) -> str:
    """Undo the C escapes of a .po string (\\n, \\", \\\\) and keep UTF-8 text as it is."""
    return value.encode().decode("unicode_escape").encode("latin-1").decode()


@dataclass
class Entry:
    context: str | None
    msgid: str
    plural: str | None
    translations: list[str]
    fuzzy: bool


def _po_entries(text: str) -> list[Entry]:
    """Return the active (not obsolete) entries of a .po file, header excluded."""
    entries = []
    for block in text.split("\n\n"):
        lines = [line for line in block.splitlines() if not line.startswith("#~")]
        fields: dict[str, str] = {}
        current = None
        for line in lines:
            match = re.match(r'^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d\])?) "(.*)"$', line)
            if match:
                current = match.group(1)
                fields[current] = match.group(2)
            elif line.startswith('"') and current:
                fields[current] += line[1:-1]
        if not fields.get("msgid"):
            continue
        values = {key: _unescape(value) for key, value in fields.items()}
        entries.append(
            Entry(
                context=values.get("msgctxt"),
                msgid=values["msgid"],
                plural=values.get("msgid_plural"),
                translations=[v for k, v in sorted(values.items()) if k.startswith("msgstr")],
                fuzzy=any(line.startswith("#,") and "fuzzy" in line for line in lines),
            )
        )
    return entries


def _compiled(catalog: gettext.GNUTranslations, entry: Entry) -> list[str]:
    if entry.plural is None:
        if entry.context is None:
            return [catalog.gettext(entry.msgid)]
        return [catalog.pgettext(entry.context, entry.msgid)]
    if entry.context is None:
        return [catalog.ngettext(entry.msgid, entry.plural, n) for n in (1, 2)]
    return [catalog.npgettext(entry.context, entry.msgid, entry.plural, n) for n in (1, 2)]


def test_every_message_is_translated_and_the_mo_is_compiled_from_the_po() -> None:
    entries = _po_entries((LOCALE / "django.po").read_text(encoding="utf-8"))
    with (LOCALE / "django.mo").open("rb") as handle:
        catalog = gettext.GNUTranslations(handle)

    assert len(entries) > 300
    untranslated = [e.msgid for e in entries if e.fuzzy or not all(e.translations)]
    assert untranslated == [], "translate these in locale/en/LC_MESSAGES/django.po"
    stale = [e.msgid for e in entries if _compiled(catalog, e) != e.translations]
    assert stale == [], "run `make messages` (compilemessages) and commit django.mo"
