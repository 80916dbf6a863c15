"""Inline mode: a person types `@bot query` in any chat, the bot answers with results.

The driver's side makes the inline_query update; answerInlineQuery is checked as Telegram
checks it (the query known, answered once and in time; at most 50 results; each result's id
and fields) and kept on the query, for tests to read what the person would be offered.
"""

from __future__ import annotations

import asyncio
import secrets
from typing import Any

from bot.sandbox.base import EmulatorState
from bot.sandbox.params import Params
from bot.sandbox.validation import MAX_TEXT, check_inline_button, text_and_entities
from bot.sandbox.world import JSON, InlineQuery, StoredMessage, bad_request

# Telegram waits about this long for an answer; later, or a second time, the id is refused.
INLINE_ANSWER_WINDOW = 10.0
MAX_RESULTS = 50
MAX_RESULT_ID = 64  # bytes
MAX_NEXT_OFFSET = 64  # bytes
CHAT_TYPES = ("sender", "private", "group", "supergroup", "channel")
TOO_OLD = "query is too old and response timeout expired or query id is invalid"


def _check_markup(markup: Any) -> JSON | None:
    """A result's reply_markup: an inline keyboard, checked like a message's."""
    if markup is None:
        return None
    rows = markup.get("inline_keyboard") if isinstance(markup, dict) else None
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request("can't parse inline keyboard button: rows must be arrays")
    for row in rows:
        for button in row:
            check_inline_button(button)
    return {"inline_keyboard": rows}


def _check_article(result: JSON) -> JSON:
    """An InlineQueryResultArticle: a title, and the text it sends (1 to 4096 characters
    after its entities are parsed); what the person would send, as Telegram would show it."""
    if not str(result.get("title") or "").strip():
        raise bad_request("RESULT_TITLE_EMPTY")
    content = result.get("input_message_content")
    if not isinstance(content, dict) or "message_text" not in content:
        raise bad_request("MESSAGE_EMPTY")
    text, entities = text_and_entities(
        Params({"text": content["message_text"], **_text_options(content)}),
        "text",
        MAX_TEXT,
        required=True,
    )
    checked: JSON = {**result, "input_message_content": {**content, "message_text": text}}
    if entities:
        checked["input_message_content"]["entities"] = entities
    markup = _check_markup(result.get("reply_markup"))
    if markup is not None:
        checked["reply_markup"] = markup
    return checked


def _text_options(content: JSON) -> JSON:
    options: JSON = {}
    if content.get("parse_mode"):
        options["parse_mode"] = content["parse_mode"]
    if content.get("entities"):
        options["entities"] = content["entities"]
    return options


def check_results(results: Any) -> list[JSON]:
    """The results of an answer, checked as Telegram checks them."""
    if not isinstance(results, list):
        raise bad_request("can't parse inline query results JSON object")
    if len(results) > MAX_RESULTS:
        raise bad_request("RESULTS_TOO_MUCH")
    seen: set[str] = set()
    checked: list[JSON] = []
    for result in results:
        if not isinstance(result, dict):
            raise bad_request("can't parse inline query result JSON object")
        result_id = result.get("id")
        if not isinstance(result_id, str) or not 1 <= len(result_id.encode()) <= MAX_RESULT_ID:
            raise bad_request("RESULT_ID_INVALID")
        if result_id in seen:
            raise bad_request("RESULT_ID_DUPLICATE")
        seen.add(result_id)
        kind = result.get("type")
        if kind == "article":
            checked.append(_check_article(result))
        elif not kind:
            raise bad_request("RESULT_TYPE_INVALID")
        else:
            # Only articles are checked field by field: the bot sends nothing else.
            checked.append(result)
    return checked


class InlineMethods(EmulatorState):
    async def answer_inline_query(self, params: Params) -> bool:
        query = self.inline_queries.get(params.string("inline_query_id") or "")
        if (
            query is None
            or query.answered
            or self.clock.now() - query.created > INLINE_ANSWER_WINDOW
        ):
            raise bad_request(TOO_OLD)
        results = check_results(params.decoded("results"))
        next_offset = params.string("next_offset") or ""
        if len(next_offset.encode()) > MAX_NEXT_OFFSET:
            raise bad_request("NEXT_OFFSET_INVALID")
        button = params.decoded("button")
        if button is not None and (not isinstance(button, dict) or not button.get("text")):
            raise bad_request("can't parse inline query results button")
        cache_time = params.integer("cache_time")
        query.answered = True
        query.answer = {
            "results": results,
            "cache_time": 300 if cache_time is None else cache_time,
            "is_personal": params.flag("is_personal"),
            "next_offset": next_offset,
            "button": button,
        }
        return True

    # ---------------------------------------------------------- the driver's side

    def set_inline_mode(self, on: bool) -> None:
        """The bot's owner switches inline mode on or off (@BotFather, /setinline)."""
        self.supports_inline_queries = on

    def inline_query(
        self, user_id: int, query: str, chat_type: str | None = "sender", offset: str = ""
    ) -> str:
        """A person types `@bot query` in a chat of `chat_type`; return the query's id.

        Telegram clients send at most 256 characters; the driver sends what it is given, so
        that the bot's own limit is what a test meets (a modified client may send more)."""
        user = self.users.get(user_id)
        if user is None:
            raise bad_request("user not found")
        if not self.supports_inline_queries:
            # The client sends nothing: `@bot` is plain text when inline mode is off.
            raise bad_request("inline mode is off for this bot (@BotFather, /setinline)")
        if chat_type is not None and chat_type not in CHAT_TYPES:
            raise bad_request(f"chat_type must be one of {', '.join(CHAT_TYPES)}")
        query_id = str(secrets.randbelow(10**18))
        self.inline_queries[query_id] = InlineQuery(
            query_id, user.id, query, self.clock.now(), offset, chat_type
        )
        payload: JSON = {"id": query_id, "from": user.to_api(), "query": query, "offset": offset}
        if chat_type is not None:
            payload["chat_type"] = chat_type
        self.add_update("inline_query", payload)
        return query_id

    def choose_inline_result(
        self, user_id: int, query_id: str, result_id: str, chat_id: int
    ) -> JSON:
        """The person picks one of the bot's results: it is sent, as they send it, into a
        chat they may write in, "via @bot" under their name; what the recipients see.

        The bot is not told (Telegram sends a chosen_inline_result only with inline feedback
        on, which this bot does not ask for; a group's message comes to it only where it is a
        member that reads every message, which the emulator does not model here)."""
        query = self.inline_queries.get(query_id)
        if query is None or query.user_id != user_id or query.answer is None:
            raise bad_request("no answered inline query of this person")
        found = [r for r in query.answer["results"] if r.get("id") == result_id]
        if not found:
            raise bad_request("no such result in the bot's answer")
        result = found[0]
        chat = self.chats.get(chat_id)
        user = self.users[user_id]
        if chat is None:
            raise bad_request("chat not found")
        if chat.type == "channel":
            member = chat.members.get(user_id)
            if member is None or member.status not in ("creator", "administrator"):
                raise bad_request("only the channel's administrators post there")
        elif chat.type != "private":
            member = chat.members.get(user_id)
            if member is None or member.status in ("left", "kicked"):
                raise bad_request("the person is not a member of that chat")
        elif chat.id != user_id:
            raise bad_request("the emulator has no private chat between two people")
        data = self.new_message(chat)
        if chat.type == "channel":
            data["sender_chat"] = chat.to_api()
        else:
            data["from"] = user.to_api()
        data["via_bot"] = self.bot.to_api()
        content = result.get("input_message_content", {})
        data["text"] = content.get("message_text", "")
        if content.get("entities"):
            data["entities"] = content["entities"]
        if result.get("reply_markup"):
            data["reply_markup"] = result["reply_markup"]
        chat.messages[data["message_id"]] = StoredMessage(data, "user")
        return data

    async def wait_inline_answer(self, query_id: str, timeout: float) -> InlineQuery:
        """Wait until the bot answered an inline query (or `timeout` passes: an error)."""
        query = self.inline_queries.get(query_id)
        if query is None:
            raise bad_request("no such inline query")
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not query.answered:
            if loop.time() >= deadline:
                raise bad_request(f"waited {timeout:.0f}s for the inline query's answer")
            await self.wait_for_change(min(0.5, deadline - loop.time()))
        return query
