"""Copies of the live database, safe while the bot runs."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path


def backup(database: Path, target: Path) -> int:
    """A consistent copy of the live database (SQLite's backup API); returns its pages."""
    if not database.is_file():
        raise FileNotFoundError(f"no database at {database}")
    target.parent.mkdir(parents=True, exist_ok=True)
    # Readable by its owner only, also when it replaces a file that was not.
    os.close(os.open(target, os.O_WRONLY | os.O_CREAT, 0o600))
    os.chmod(target, 0o600)
    source = sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=30)
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)
        (pages,) = copy.execute("PRAGMA page_count").fetchone()
    finally:
        copy.close()
        source.close()
    return int(pages)
