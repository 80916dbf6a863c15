"""Posts cut to fit Telegram's limits, as Telegram counts them.

Telegram measures a text or a caption after its HTML is parsed (tags gone, entities decoded,
outer blanks trimmed) in UTF-16 code units: an emoji is two. A media whose caption would not
fit goes first with a short caption, and the text follows as a message of its own; a text
too long for one message is cut into several.
"""

from __future__ import annotations

import re
from dataclasses import replace

from bot.domain.effects import Method, Post
from bot.domain.letter import visible_length

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
# Kept free on a card for what a decision adds to it when the card is edited: the stamp
# ("rejected, and the author banned, by <a name> at <a time>", about 145 units at most in our
# languages with a 64-character name) and a reason the moderator typed (REASON_LENGTH).
DECISION_ROOM = 400

# Where a cut may fall, best first: between paragraphs, lines, words.
_SEPARATORS = ("\n\n", "\n", " ")
# A tag, an entity or one character: a cut between words never falls inside the first two.
_TOKEN = re.compile(r"<[^<>]*>|&[#\w]+;|.", re.DOTALL)


def limit_of(method: Method) -> int:
    return TEXT_LIMIT if method in (Method.MESSAGE, Method.EDIT) else CAPTION_LIMIT


def fits(text: str | None, limit: int) -> bool:
    return text is None or visible_length(text) <= limit


def split(text: str, limit: int) -> list[str]:
    """Cut Telegram HTML into parts of at most `limit` visible units: between paragraphs,
    else between lines, else between words, else between characters."""
    if fits(text, limit):
        return [text]
    for separator in _SEPARATORS:
        pieces = text.split(separator)
        if len(pieces) > 1:
            return _pack(pieces, separator, limit)
    return _cut(text, limit)


def _units(fragment: str) -> int:
    """Visible length without trimming: what joined fragments add up to, at most."""
    return visible_length(f".{fragment}.") - 2


def _pack(pieces: list[str], separator: str, limit: int) -> list[str]:
    parts: list[str] = []
    current: str | None = None
    size = 0  # of `current`, untrimmed
    gap = _units(separator)
    for piece in pieces:
        for small in split(piece, limit):
            units = _units(small)
            if current is not None and size + gap + units <= limit:
                current, size = current + separator + small, size + gap + units
                continue
            if current is not None:
                parts.append(current)
            current, size = small, units
    if current is not None:
        parts.append(current)
    return [part for part in parts if part.strip()]


def _cut(text: str, limit: int) -> list[str]:
    """One word longer than the limit (a run of emoji): cut between its characters."""
    parts = [""]
    size = 0
    for token in _TOKEN.findall(text):
        units = _units(token)
        if parts[-1] and size + units > limit:
            parts.append("")
            size = 0
        parts[-1] += token
        size += units
    return parts


def fitted(
    post: Post, short_caption: str | None, room: int = 0, lead_first: bool = False
) -> list[Post]:
    """The post as Telegram accepts it, keeping `room` free on the post that has the buttons.

    A media whose caption does not fit goes first with `short_caption`; its text follows as a
    message. A text that does not fit is cut into messages. The last post keeps the buttons;
    the follow-up stays with them, or goes to the first post with `lead_first` (a channel
    post's link opens where it begins). Every post shows what the original showed, so that a
    withdrawal reaches them all.
    """
    if fits(post.text, limit_of(post.method) - room):
        return [post]
    posts: list[Post] = []
    if post.method is not Method.MESSAGE:
        posts.append(Post(post.method, short_caption, post.file_id, shows=post.shows))
    parts = split(post.text or "", TEXT_LIMIT - room)
    posts += [Post(Method.MESSAGE, part, shows=post.shows) for part in parts[:-1]]
    posts.append(replace(post, method=Method.MESSAGE, text=parts[-1], file_id=None))
    if lead_first and len(posts) > 1:
        follow_up, message_id = post.follow_up, post.message_id
        posts[-1] = replace(posts[-1], follow_up=None, message_id=None)
        posts[0] = replace(posts[0], follow_up=follow_up, message_id=message_id)
    return posts


def button_part(text: str) -> str:
    """The part of a card's text that its post with the buttons has (see `fitted`): what a
    decision's edit of that post starts from."""
    return split(text, TEXT_LIMIT - DECISION_ROOM)[-1]
