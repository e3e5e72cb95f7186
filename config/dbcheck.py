"""Exit 0 when the PostgreSQL server in a database URL answers, else 1 (used by make test).

Usage: python -m config.dbcheck postgres://user@host:port/dbname
The server's maintenance database is tried, so the named database need not exist yet.
"""

from __future__ import annotations

import sys
from urllib.parse import urlsplit


def server_answers(url: str, timeout_seconds: int = 3) -> bool:
    """Return True when a connection to the URL's server succeeds."""
    import psycopg

    parts = urlsplit(url)
    if parts.scheme not in {"postgres", "postgresql", "pgsql"}:
        return False
    try:
        connection = psycopg.connect(
            host=parts.hostname or "127.0.0.1",
            port=parts.port or 5432,
            user=parts.username or "postgres",
            password=parts.password or None,
            dbname="postgres",
            connect_timeout=timeout_seconds,
        )
    except psycopg.Error:
        return False
    connection.close()
    return True


def main(argv: list[str]) -> int:
    """Check the URL given as the only argument."""
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    return 0 if server_answers(argv[1]) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
