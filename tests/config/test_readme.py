"""The README's demo logins are the ones ``seed_demo`` prints and gives the demo password."""

from __future__ import annotations

import re
from pathlib import Path

from processes.organisation.management.commands.seed_demo import demo_logins

README = Path(__file__).resolve().parents[2] / "README.md"


def test_the_readme_lists_exactly_the_printed_demo_logins_in_order() -> None:
    text = README.read_text()
    table = text[text.index("| Agency (time zone) | Role | Sign in as |") :]
    table = table[: table.index("\n\n")]

    listed = re.findall(r"\| `([^`]+)` \|", table)

    assert listed == [login.username for login in demo_logins()]


def test_the_readme_starts_with_the_two_commands() -> None:
    first_block = README.read_text().split("```")[1]

    assert [line.split("#")[0].strip() for line in first_block.strip().splitlines()[1:]] == [
        "make run",
        "make test",
    ]
