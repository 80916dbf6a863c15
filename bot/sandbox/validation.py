"""Telegram's validation of what a bot sends: text and entities, keyboards, buttons; and the
entities a Telegram client adds to what a person types."""

from __future__ import annotations

import re
from typing import Any

from bot.sandbox.params import Params
from bot.sandbox.telegram_html import EntityParseError, parse_html, utf16_length
from bot.sandbox.world import JSON, bad_request

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64
MEDIA_KINDS = ("photo", "voice", "video", "video_note", "document")
BUTTON_ACTIONS = (
    "callback_data",
    "url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
)
CHOSEN_CHAT_KINDS = (
    "allow_user_chats",
    "allow_bot_chats",
    "allow_group_chats",
    "allow_channel_chats",
)
_COMMAND = re.compile(r"/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?")
_MENTION = re.compile(r"(?<![\w@])@[A-Za-z0-9_]{5,32}")
_URL = re.compile(r"\bhttps?://[^\s<>]+|\b[a-z0-9-]+\.(?:com|org|net|ir|io|me)\b[^\s]*", re.I)


def text_and_entities(
    params: Params, field_name: str, limit: int, required: bool
) -> tuple[str | None, list[JSON] | None]:
    source = params.string(field_name)
    if source is None or source == "":
        if required:
            raise bad_request("message text is empty")
        return None, None
    mode = (params.string("parse_mode") or "").lower()
    entities: list[JSON] | None
    if mode == "html":
        try:
            text, parsed = parse_html(source)
        except EntityParseError as error:
            raise bad_request(str(error)[0].lower() + str(error)[1:]) from None
        entities = parsed or None
    elif mode in ("markdown", "markdownv2"):
        raise bad_request("the emulator supports parse_mode HTML only")
    elif mode:
        raise bad_request(f"unsupported parse_mode {mode}")
    else:
        text = source
        given = params.decoded("entities" if field_name == "text" else "caption_entities")
        entities = given or None
    stripped = text.strip()
    if not stripped:
        if required:
            raise bad_request("message text is empty")
        return None, None
    size = utf16_length(stripped)
    if size > limit:
        kind = "message caption" if field_name == "caption" else "message"
        raise bad_request(f"{kind} is too long")
    if stripped != text and entities:
        shift = utf16_length(text) - utf16_length(text.lstrip())
        entities = [{**e, "offset": int(str(e["offset"])) - shift} for e in entities]
        entities = [e for e in entities if e["offset"] >= 0 and e["length"] > 0]
    return stripped, entities


def reply_markup(params: Params) -> tuple[JSON | None, JSON | None]:
    """Return (inline markup kept on the message, reply keyboard shown to the person)."""
    markup = params.decoded("reply_markup")
    if markup is None:
        return None, None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        rows = markup["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise bad_request("can't parse inline keyboard button: rows must be arrays")
        for row in rows:
            for button in row:
                check_inline_button(button)
        if not any(rows):
            return None, None
        return {"inline_keyboard": rows}, None
    if "keyboard" in markup:
        rows = markup["keyboard"]
        if not isinstance(rows, list) or not rows:
            raise bad_request("keyboard must be non-empty")
        for row in rows:
            for button in row:
                text = button if isinstance(button, str) else button.get("text")
                if not text:
                    raise bad_request("keyboard button text is empty")
        return None, markup
    if markup.get("remove_keyboard") or markup.get("force_reply"):
        return None, markup
    raise bad_request("can't parse reply keyboard markup JSON object")


def check_inline_button(button: Any) -> None:
    if not isinstance(button, dict) or not button.get("text"):
        raise bad_request("can't parse inline keyboard button: Text buttons are unallowed")
    kinds = [k for k in BUTTON_ACTIONS if k in button]
    if len(kinds) != 1:
        raise bad_request("can't parse inline keyboard button: exactly one action is required")
    data = button.get("callback_data")
    if data is not None:
        size = len(str(data).encode("utf-8"))
        if not 1 <= size <= MAX_CALLBACK_DATA:
            raise bad_request("BUTTON_DATA_INVALID")
    url = button.get("url")
    if url is not None and not re.match(r"(https?|tg)://[^\s]+$", str(url)):
        raise bad_request("BUTTON_URL_INVALID")
    if "switch_inline_query_chosen_chat" in button:
        check_chosen_chat(button["switch_inline_query_chosen_chat"])
    for field_name in ("switch_inline_query", "switch_inline_query_current_chat"):
        if field_name in button and not isinstance(button[field_name], str):
            raise bad_request("can't parse inline keyboard button: the query must be a string")


def check_chosen_chat(chosen: Any) -> None:
    """switch_inline_query_chosen_chat: a query, and at least one kind of chat to pick."""
    if not isinstance(chosen, dict):
        raise bad_request(
            "can't parse inline keyboard button: switch_inline_query_chosen_chat must be an object"
        )
    query = chosen.get("query", "")
    if not isinstance(query, str):
        raise bad_request("can't parse inline keyboard button: the query must be a string")
    if not any(chosen.get(kind) is True for kind in CHOSEN_CHAT_KINDS):
        raise bad_request("BUTTON_TYPE_INVALID")


def content_of(data: JSON) -> JSON:
    keys = ["text", "entities", "caption", "caption_entities", *MEDIA_KINDS]
    keys += ["sticker", "location", "contact", "poll"]
    return {key: data[key] for key in keys if key in data}


def auto_entities(text: str) -> list[JSON]:
    """Entities the Telegram client adds to a typed text: commands, mentions, links."""
    entities: list[JSON] = []
    for kind, pattern in (("bot_command", _COMMAND), ("mention", _MENTION), ("url", _URL)):
        for match in pattern.finditer(text):
            if (
                kind == "bot_command"
                and match.start() > 0
                and not text[match.start() - 1].isspace()
            ):
                continue
            offset = utf16_length(text[: match.start()])
            entities.append(
                {"type": kind, "offset": offset, "length": utf16_length(match.group(0))}
            )
    return sorted(entities, key=lambda entity: entity["offset"])
