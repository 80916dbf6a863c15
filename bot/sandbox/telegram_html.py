"""Telegram's HTML parse mode: the tag set, entities and errors of the Bot API."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

_SIMPLE_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "code": "code",
    "pre": "pre",
}
_ATTRIBUTE_TAGS = {"a", "span", "blockquote", "tg-emoji"}
_PLAIN = re.compile(r"[^<>&]+")
_ENTITY = re.compile(r"&(lt|gt|amp|quot|#[0-9]{1,7}|#x[0-9a-fA-F]{1,6});")
_TAG = re.compile(
    r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[a-zA-Z-]+(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s>]+))?)*)\s*>"
)
_ATTRIBUTE = re.compile(r"([a-zA-Z-]+)(?:\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s>]+))?")


class EntityParseError(ValueError):
    """The text is not valid Telegram HTML; the message is Telegram's description."""


@dataclass
class _Open:
    tag: str
    entity: dict[str, object]
    start: int
    children: list[str] = field(default_factory=list)


def utf16_length(text: str) -> int:
    """Length as Telegram counts offsets: in UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def _entity_for(tag: str, attributes: dict[str, str], byte_offset: int) -> dict[str, object]:
    if tag in _SIMPLE_TAGS:
        return {"type": _SIMPLE_TAGS[tag]}
    if tag == "a":
        href = attributes.get("href")
        if not href:
            raise EntityParseError(
                f"Can't parse entities: empty href at byte offset {byte_offset}"
            )
        return {"type": "text_link", "url": html.unescape(href)}
    if tag == "span":
        if attributes.get("class") != "tg-spoiler":
            raise EntityParseError(
                f'Can\'t parse entities: tag "span" must have class "tg-spoiler" at byte offset '
                f"{byte_offset}"
            )
        return {"type": "spoiler"}
    if tag == "blockquote":
        kind = "expandable_blockquote" if "expandable" in attributes else "blockquote"
        return {"type": kind}
    if tag == "tg-emoji":
        emoji_id = attributes.get("emoji-id")
        if not emoji_id:
            raise EntityParseError(
                f"Can't parse entities: custom emoji identifier is missing at byte offset "
                f"{byte_offset}"
            )
        return {"type": "custom_emoji", "custom_emoji_id": emoji_id}
    raise EntityParseError(
        f'Can\'t parse entities: unsupported start tag "{tag}" at byte offset {byte_offset}'
    )


def parse_html(source: str) -> tuple[str, list[dict[str, object]]]:
    """Return the plain text and entities of `source`, or raise EntityParseError."""
    out: list[str] = []
    length = 0  # UTF-16 length of what is in `out`
    stack: list[_Open] = []
    entities: list[dict[str, object]] = []
    position = 0
    while position < len(source):
        plain = _PLAIN.match(source, position)
        if plain is not None:  # a run of ordinary characters, taken whole
            out.append(plain.group(0))
            length += utf16_length(plain.group(0))
            position = plain.end()
            continue
        char = source[position]
        entity_match = _ENTITY.match(source, position) if char == "&" else None
        if entity_match is not None:  # taken before the byte offset, which errors alone need
            text = html.unescape(entity_match.group(0))
            out.append(text)
            length += utf16_length(text)
            position = entity_match.end()
            continue
        byte_offset = len(source[:position].encode("utf-8"))
        if char == "<":
            match = _TAG.match(source, position)
            if match is None:
                raise EntityParseError(
                    f"Can't parse entities: unexpected character '<' at byte offset {byte_offset}"
                )
            closing, tag, raw_attributes = match.group(1), match.group(2).lower(), match.group(3)
            if closing:
                if not stack or stack[-1].tag != tag:
                    raise EntityParseError(
                        f'Can\'t parse entities: unexpected end tag "{tag}" at byte offset '
                        f"{byte_offset}"
                    )
                opened = stack.pop()
                entity = dict(opened.entity)
                if tag == "code" and stack and stack[-1].tag == "pre" and "language" in entity:
                    stack[-1].entity["language"] = entity.pop("language")
                size = length - opened.start
                if size > 0:
                    entity.update(offset=opened.start, length=size)
                    entities.append(entity)
            else:
                if tag not in _SIMPLE_TAGS and tag not in _ATTRIBUTE_TAGS:
                    raise EntityParseError(
                        f'Can\'t parse entities: unsupported start tag "{tag}" at byte offset '
                        f"{byte_offset}"
                    )
                attributes = {
                    name.lower(): (value or "").strip("\"'")
                    for name, value in _ATTRIBUTE.findall(raw_attributes)
                }
                entity = _entity_for(tag, attributes, byte_offset)
                language = attributes.get("class", "")
                if tag == "code" and language.startswith("language-"):
                    entity["language"] = language.removeprefix("language-")
                stack.append(_Open(tag, entity, length))
            position = match.end()
            continue
        if char == ">":
            raise EntityParseError(
                f"Can't parse entities: unexpected character '>' at byte offset {byte_offset}"
            )
        raise EntityParseError(  # an '&' that starts no entity
            f"Can't parse entities: character '&' is reserved and must be escaped as "
            f"&amp; at byte offset {byte_offset}"
        )
    if stack:
        raise EntityParseError(
            "Can't parse entities: can't find end tag corresponding to start tag "
            f'"{stack[-1].tag}"'
        )
    entities.sort(key=lambda entity: (entity["offset"], -int(str(entity["length"]))))
    return "".join(out), entities


def render_html(text: str, entities: list[dict[str, object]] | None) -> str:
    """Turn text and entities back into Telegram HTML (for the sandbox page and tests)."""
    names = {v: k for k, v in reversed(list(_SIMPLE_TAGS.items()))}
    opens: dict[int, list[str]] = {}
    closes: dict[int, list[str]] = {}
    for entity in entities or []:
        kind = str(entity["type"])
        start = int(str(entity["offset"]))
        end = start + int(str(entity["length"]))
        if kind == "text_link":
            open_tag, close_tag = f'<a href="{html.escape(str(entity["url"]))}">', "</a>"
        elif kind in ("blockquote", "expandable_blockquote"):
            extra = " expandable" if kind == "expandable_blockquote" else ""
            open_tag, close_tag = f"<blockquote{extra}>", "</blockquote>"
        elif kind in names:
            open_tag, close_tag = f"<{names[kind]}>", f"</{names[kind]}>"
        else:
            continue
        opens.setdefault(start, []).append(open_tag)
        closes.setdefault(end, []).insert(0, close_tag)
    pieces: list[str] = []
    offset = 0
    for char in text:
        pieces.extend(closes.get(offset, []))
        pieces.extend(opens.get(offset, []))
        pieces.append(html.escape(char, quote=False))
        offset += utf16_length(char)
    pieces.extend(closes.get(offset, []))
    return "".join(pieces)
