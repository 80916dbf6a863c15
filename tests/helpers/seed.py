"""The campaign's seed text: the open letter with its signatories, then reader comments."""

from __future__ import annotations

import re
from pathlib import Path

SEED = Path(__file__).resolve().parent.parent / "data" / "open-letter-and-comments.txt"


def seed_letter() -> str:
    """The letter and its signatories: everything before the first numbered comment."""
    text = SEED.read_text(encoding="utf-8")
    return re.split(r"\n\s+1\. ", text, maxsplit=1)[0].strip()
