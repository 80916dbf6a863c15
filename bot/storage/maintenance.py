"""Copies of the live database, safe while the bot runs."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path


def backup(database: Path, target: Path, replace: bool = False) -> int:
    """A consistent copy of the live database (SQLite's backup API); returns its pages.

    The copy is created readable by its owner only (0600: it holds signatures). It never
    replaces a file unless `replace` (FileExistsError), nor makes folders (FileNotFoundError):
    the organiser names them.
    """
    if not database.is_file():
        raise FileNotFoundError(f"no database at {database}")
    flags = os.O_WRONLY | os.O_CREAT | (os.O_TRUNC if replace else os.O_EXCL)
    os.close(os.open(target, flags, 0o600))
    # Also when it replaces a file that was readable by others.
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
