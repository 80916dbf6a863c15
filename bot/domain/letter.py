"""The open letter in each language, cut into parts that fit one Telegram message each."""

from __future__ import annotations

import hashlib
import html
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

MESSAGE_LIMIT = 4096
VERSION_LENGTH = 12  # hex digits of the SHA-256 of the normalised text
_TAG = re.compile(r"<[^<>]+>")
_BLANK_RUN = re.compile(r"\n{3,}")


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


def normalised(text: str) -> str:
    """The letter's text as its version is taken of: Unicode NFC, Unix line endings, no
    trailing blanks on a line, one blank line between paragraphs, none around the text.

    An edit that changes only these (a re-save in another editor, an extra blank line) is
    not an amendment: what a person reads is the same.
    """
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    lines = [line.rstrip() for line in text.split("\n")]
    return _BLANK_RUN.sub("\n\n", "\n".join(lines)).strip("\n")


def version_of(text: str) -> str:
    """A short fingerprint of the normalised text: it changes when a word does."""
    digest = hashlib.sha256(normalised(text).encode("utf-8")).hexdigest()
    return digest[:VERSION_LENGTH]


def paragraphs(text: str) -> list[str]:
    """The normalised text's paragraphs (blocks between blank lines)."""
    return [block for block in normalised(text).split("\n\n") if block.strip()]


@dataclass(frozen=True)
class Letter:
    language: str
    parts: tuple[str, ...]
    version: str = ""
    text: str = ""  # normalised


class LetterLibrary:
    """Every language's letter, read and split once at start-up."""

    def __init__(self, locales_dir: Path, languages: tuple[str, ...]) -> None:
        self._letters: dict[str, Letter] = {}
        for language in languages:
            path = locales_dir / language / "letter.html"
            if not path.is_file():
                raise LetterMissing(f"letter missing: {path}")
            text = path.read_text(encoding="utf-8")
            self._letters[language] = Letter(
                language, tuple(split_paragraphs(text)), version_of(text), normalised(text)
            )

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(self._letters)

    def get(self, language: str) -> Letter:
        return self._letters[language]

    def versions(self) -> dict[str, str]:
        """Each language's version, as loaded."""
        return {language: letter.version for language, letter in self._letters.items()}
