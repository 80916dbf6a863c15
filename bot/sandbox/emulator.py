"""A Telegram Bot API emulator: the methods our bot uses, with Telegram's validation and errors.

One Emulator serves one bot. The HTTP layer (server.py) turns requests into `call(method,
params)`; the driver methods (people.py) let tests and the sandbox act as people. The methods
come by family: updates.py, messaging.py, chats.py, inline.py; the state they share is in base.py.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from bot.sandbox.chats import ChatMethods
from bot.sandbox.inline import InlineMethods
from bot.sandbox.messaging import MessageMethods
from bot.sandbox.params import Params, Upload
from bot.sandbox.people import PeopleActions
from bot.sandbox.updates import UpdateMethods
from bot.sandbox.world import JSON, ApiError, bad_request, shown

SENDING_METHODS = {
    "sendMessage",
    "sendPhoto",
    "sendDocument",
    "sendVoice",
    "sendVideo",
    "sendVideoNote",
    "copyMessage",
    "forwardMessage",
}


# The Bot API methods implemented, by their name in the API, and the method serving each.
API = {
    "getMe": "get_me",
    "logOut": "log_out",
    "close": "log_out",
    "getUpdates": "get_updates",
    "setWebhook": "set_webhook",
    "deleteWebhook": "delete_webhook",
    "getWebhookInfo": "get_webhook_info",
    "sendMessage": "send_message",
    "sendPhoto": "send_photo",
    "sendDocument": "send_document",
    "sendVoice": "send_voice",
    "sendVideo": "send_video",
    "sendVideoNote": "send_video_note",
    "editMessageText": "edit_message_text",
    "editMessageCaption": "edit_message_caption",
    "editMessageReplyMarkup": "edit_message_reply_markup",
    "deleteMessage": "delete_message",
    "deleteMessages": "delete_messages",
    "answerCallbackQuery": "answer_callback_query",
    "answerInlineQuery": "answer_inline_query",
    "copyMessage": "copy_message",
    "forwardMessage": "forward_message",
    "getFile": "get_file",
    "setMyCommands": "set_my_commands",
    "getMyCommands": "get_my_commands",
    "deleteMyCommands": "delete_my_commands",
    "getChat": "get_chat",
    "getChatMember": "get_chat_member",
    "getChatAdministrators": "get_chat_administrators",
    "pinChatMessage": "pin_chat_message",
    "unpinChatMessage": "unpin_chat_message",
    "sendChatAction": "send_chat_action",
    "createForumTopic": "create_forum_topic",
    "deleteForumTopic": "delete_forum_topic",
}
METHODS = {name.lower(): attribute for name, attribute in API.items()}  # names ignore case


class Emulator(UpdateMethods, MessageMethods, ChatMethods, InlineMethods, PeopleActions):
    """The state of one bot's Telegram, and the Bot API methods acting on it."""

    async def close(self) -> None:
        """Stop webhook delivery and release every long poll, as when the server shuts down."""
        self.closed = True
        self.webhook = None
        if self._webhook_task is not None:
            self._webhook_task.cancel()
            self._webhook_task = None
        self._new_update.set()

    # ----------------------------------------------------------------- dispatch

    async def call(self, method: str, values: dict[str, Any]) -> Any:
        """Run one Bot API method as Telegram would; raise ApiError for an error answer."""
        self.call_count += 1
        entry: JSON = {
            "n": self.call_count,
            "method": method,
            "params": _loggable(values),
            "time": self.clock.now(),
        }
        self.calls.append(entry)
        try:
            await self._apply_faults(method)
            handler = self._find_method(method)
            if method in SENDING_METHODS:
                self._check_flood(Params(values))
            result = await handler(Params(values))
        except ApiError as error:
            entry["error"] = error.description
            raise
        entry["ok"] = True
        if method != "getUpdates":
            if self.observers:
                self._tell_observers(method, values)
            self._touch(values.get("chat_id"))
            await self._notify()
        return result

    def _find_method(self, method: str) -> Callable[[Params], Awaitable[Any]]:
        attribute = METHODS.get(method.lower())
        if attribute is None:
            raise ApiError(404, f"Not Found: method '{method}' not found")
        handler: Callable[[Params], Awaitable[Any]] = getattr(self, attribute)
        return handler

    async def _apply_faults(self, method: str) -> None:
        for fault in self.faults:
            if fault.applies_to(method):
                fault.remaining -= 1
                if fault.mode == "timeout":
                    await asyncio.sleep(fault.delay)
                    raise ApiError(504, "Gateway Timeout")
                raise ApiError(fault.status, fault.description)
        self.faults = [fault for fault in self.faults if fault.remaining > 0]

    def _check_flood(self, params: Params) -> None:
        if not self.flood.active:
            return
        chat = self._chat_or_none(params.raw("chat_id"))
        private = None if chat is None else chat.type == "private"
        retry_after = self.flood.admit(self.clock.now(), chat.id if chat else 0, private)
        if retry_after is not None:
            self.rate_limited += 1
            raise ApiError(
                429,
                f"Too Many Requests: retry after {retry_after}",
                {"retry_after": retry_after},
            )

    def _tell_observers(self, method: str, values: dict[str, Any]) -> None:
        """The chat the bot acted in (for a button's answer, the chat of its message)."""
        if method == "answerCallbackQuery":
            query = self.callback_queries.get(str(values.get("callback_query_id")))
            if query is None:
                return
            chat = query.chat_id
        else:
            try:
                chat = int(values.get("chat_id"))  # type: ignore[arg-type]
            except (TypeError, ValueError):
                return
        for observer in self.observers:
            observer.answered(chat)

    async def wait_bot_messages(
        self, chat_id: int, after: int, count: int, timeout: float
    ) -> list[JSON]:
        """Wait until the bot has sent `count` messages to a chat after message `after`."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            chat = self.chats.get(chat_id)
            if chat is None:
                raise bad_request("chat not found")
            found: list[JSON] = []
            for stored in reversed(chat.messages.values()):
                if stored.data["message_id"] <= after:
                    break
                if stored.sender == "bot" and not stored.deleted:
                    found.append(stored.to_driver())
            if len(found) >= count:
                return found[::-1]
            if loop.time() >= deadline:
                raise bad_request(f"waited {timeout:.0f}s for {count} bot message(s)")
            await self.wait_for_chat(chat_id, deadline - loop.time())

    async def wait_bot_answers(
        self, query_id: str, after: int, count: int, timeout: float
    ) -> list[JSON]:
        """Wait until the bot has answered a press with `count` messages: new ones after
        message `after`, and the pressed one if the bot changed what it shows (edited in
        place); taking its buttons off alone is no answer."""
        query = self.callback_queries.get(query_id)
        if query is None:
            raise bad_request("no such callback query")
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            chat = self.chats.get(query.chat_id)
            if chat is None:
                raise bad_request("chat not found")
            found: list[JSON] = []
            for stored in reversed(chat.messages.values()):
                if stored.data["message_id"] <= after:
                    break
                if stored.sender == "bot" and not stored.deleted:
                    found.append(stored.to_driver())
            pressed = chat.messages.get(query.message_id)
            if pressed is not None and not pressed.deleted and shown(pressed.data) != query.shown:
                found.append(pressed.to_driver())
            if len(found) >= count:
                return sorted(found, key=lambda message: int(message["message_id"]))
            if loop.time() >= deadline:
                raise bad_request(f"waited {timeout:.0f}s for {count} answer(s) to a press")
            await self.wait_for_chat(query.chat_id, deadline - loop.time())


def _loggable(values: dict[str, Any]) -> JSON:
    return {
        key: f"<upload {len(value.data)} bytes>" if isinstance(value, Upload) else value
        for key, value in values.items()
    }
