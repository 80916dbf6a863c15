"""Sharing the letter: what an inline result shows and sends, and which languages a typed
query asks for."""

from __future__ import annotations

import functools
import html
import re
from dataclasses import dataclass

from babel import Locale

from bot.domain.letter import Letter, displayed_text
from bot.i18n import LANGUAGES, native_name

DESCRIPTION_LIMIT = 160  # characters of the opening under the title, in the list of results
MESSAGE_LIMIT = 4096
# A query is a few words; Telegram clients send at most 256 characters. Past this, the rest is
# not read (nor kept, nor logged).
QUERY_LIMIT = 64
# The word for the letter in each language: a query of it asks for the letter, in every one.
LETTER_WORDS = frozenset(
    {"letter", "نامه", "نامە", "رسالة", "mektup", "brief", "lettre", "carta", "brev", "письмо"}
)
_NOTE = re.compile(r"^\s*<i>.*</i>\s*$", re.S)  # "This is a translation...", in italics


@dataclass(frozen=True)
class Preview:
    """The letter as a result offers it: its title, its opening, the message it sends."""

    language: str
    title: str  # plain text
    description: str  # plain text
    message: str  # Telegram HTML


def _cut(text: str, limit: int) -> str:
    """At most `limit` characters, cut at a space, an ellipsis marking the cut."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:.،؛") + "…"


@functools.lru_cache(maxsize=64)
def preview(letter: Letter) -> Preview:
    """The title (the letter's first line, after the translator's note) and the first
    paragraph after it, as plain text; the message is both, escaped, within 4096 characters."""
    paragraphs = [
        paragraph
        for part in letter.parts
        for paragraph in re.split(r"\n\s*\n", part)
        if paragraph.strip() and not _NOTE.match(paragraph)
    ]
    title = displayed_text(paragraphs[0]) if paragraphs else letter.language
    opening = displayed_text(paragraphs[1]) if len(paragraphs) > 1 else ""
    heading = f"<b>{html.escape(title)}</b>"
    room = MESSAGE_LIMIT - len(title) - 2
    body = html.escape(_cut(opening, room)) if opening else ""
    message = f"{heading}\n\n{body}" if body else heading
    return Preview(letter.language, title, _cut(opening, DESCRIPTION_LIMIT), message)


def _fold(text: str) -> str:
    """Compared without case, and without the joiners Persian writes (ZWNJ) or forgets."""
    return text.casefold().replace("\u200c", "").replace("\u200d", "").strip()


@functools.cache
def _names() -> dict[str, frozenset[str]]:
    """Each language's code and its names: its own, and in each language the bot speaks."""
    return {
        language: frozenset(
            _fold(name)
            for name in (
                language,
                native_name(language),
                *(Locale.parse(language).get_display_name(other) or "" for other in LANGUAGES),
            )
            if name
        )
        for language in LANGUAGES
    }


def _matches(word: str, language: str) -> bool:
    """A word names a language: its code or one of its names, or (three letters or more) the
    start of a name or of one of its words ("kurd" for Central Kurdish)."""
    for name in _names().get(language, frozenset({language})):
        if word == name:
            return True
        if len(word) >= 3 and any(part.startswith(word) for part in (name, *name.split())):
            return True
    return False


def languages_for(query: str, languages: tuple[str, ...], first: str) -> tuple[str, ...]:
    """The letter's languages a query asks for (fa, فارسی, deutsch, german), the sharer's
    first; an empty query, or one naming only the letter, asks for all of them; so does one
    that names none (a typo still shares the letter)."""
    ordered = tuple(sorted(languages, key=lambda language: language != first))
    words = [word for word in _fold(query[:QUERY_LIMIT]).split() if word not in LETTER_WORDS]
    if not words:
        return ordered
    wanted = tuple(
        language for language in ordered if any(_matches(word, language) for word in words)
    )
    return wanted or ordered
