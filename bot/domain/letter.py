"""The open letter in each language, cut into parts that fit one Telegram message each."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path

MESSAGE_LIMIT = 4096
_TAG = re.compile(r"<[^<>]+>")


class LetterMissing(Exception):
    """A language has no letter file."""


def displayed_text(fragment: str) -> str:
    """Telegram HTML as a person reads it: tags removed, entities decoded, outer blanks
    trimmed."""
    return html.unescape(_TAG.sub("", fragment)).strip()


def visible_length(fragment: str) -> int:
    """Length of Telegram HTML as Telegram counts it: tags removed, entities decoded, UTF-16."""
    return len(displayed_text(fragment).encode("utf-16-le")) // 2


def split_paragraphs(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Cut text on blank lines into parts of at most `limit` visible characters.

    A single paragraph longer than the limit is cut on its lines, then on spaces.
    """
    parts: list[str] = []
    current = ""
    for paragraph in _pieces(text.strip(), limit):
        candidate = f"{current}\n\n{paragraph}" if current else paragraph
        if current and visible_length(candidate) > limit:
            parts.append(current)
            current = paragraph
        else:
            current = candidate
    if current:
        parts.append(current)
    return parts


def _pieces(text: str, limit: int) -> list[str]:
    pieces: list[str] = []
    for paragraph in re.split(r"\n\s*\n", text):
        if visible_length(paragraph) <= limit:
            pieces.append(paragraph)
            continue
        line = ""
        for word in re.split(r"(?<=\s)", paragraph):
            if line and visible_length(line + word) > limit:
                pieces.append(line.strip())
                line = ""
            line += word
        if line.strip():
            pieces.append(line.strip())
    return pieces


@dataclass(frozen=True)
class Letter:
    language: str
    parts: tuple[str, ...]


class LetterLibrary:
    """Every language's letter, read and split once at start-up."""

    def __init__(self, locales_dir: Path, languages: tuple[str, ...]) -> None:
        self._letters: dict[str, Letter] = {}
        for language in languages:
            path = locales_dir / language / "letter.html"
            if not path.is_file():
                raise LetterMissing(f"letter missing: {path}")
            text = path.read_text(encoding="utf-8")
            self._letters[language] = Letter(language, tuple(split_paragraphs(text)))

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(self._letters)

    def get(self, language: str) -> Letter:
        return self._letters[language]
