"""A Telegram Bot API emulator: the methods our bot uses, with Telegram's validation and errors.

One Emulator serves one bot. The HTTP layer (server.py) turns requests into `call(method,
params)`; the driver methods at the bottom let tests and the sandbox act as people.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import itertools
import json
import logging
import math
import re
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import aiohttp

from bot.sandbox.telegram_html import EntityParseError, parse_html, utf16_length
from bot.sandbox.world import (
    ADMIN_RIGHTS,
    JSON,
    ApiError,
    CallbackQuery,
    Chat,
    Clock,
    FileStore,
    Member,
    StoredFile,
    StoredMessage,
    User,
    bad_request,
)

logger = logging.getLogger(__name__)

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64
CALLBACK_ANSWER_WINDOW = 15.0
DELETE_WINDOW = 48 * 3600
CHAT_ACTIONS = {
    "typing",
    "upload_photo",
    "record_video",
    "upload_video",
    "record_voice",
    "upload_voice",
    "upload_document",
    "choose_sticker",
    "find_location",
    "record_video_note",
    "upload_video_note",
}
MEDIA_KINDS = ("photo", "voice", "video", "video_note", "document")
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
UPDATE_TYPES = {
    "message",
    "edited_message",
    "channel_post",
    "edited_channel_post",
    "callback_query",
    "inline_query",
    "my_chat_member",
    "chat_member",
}
_COMMAND = re.compile(r"/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?")
_MENTION = re.compile(r"(?<![\w@])@[A-Za-z0-9_]{5,32}")
_URL = re.compile(r"\bhttps?://[^\s<>]+|\b[a-z0-9-]+\.(?:com|org|net|ir|io|me)\b[^\s]*", re.I)


@dataclass
class Upload:
    """A file part of a multipart request."""

    filename: str | None
    content_type: str | None
    data: bytes


@dataclass
class Fault:
    mode: str  # "error" or "timeout"
    remaining: int
    methods: set[str] | None = None
    status: int = 500
    delay: float = 30.0

    def applies_to(self, method: str) -> bool:
        return self.remaining > 0 and (self.methods is None or method in self.methods)


@dataclass
class FloodLimits:
    per_chat_per_second: float | None = None
    per_group_per_minute: int | None = None
    overall_per_second: int | None = None
    # Telegram's window for groups is a minute; tests may shorten it to keep time.
    group_window: float = 60.0
    sent: collections.deque[tuple[float, int]] = field(default_factory=collections.deque)


class Params:
    """Typed access to request parameters sent as JSON, form fields or multipart parts."""

    def __init__(self, values: dict[str, Any]) -> None:
        self.values = values

    def __contains__(self, name: str) -> bool:
        return self.values.get(name) not in (None, "")

    def raw(self, name: str) -> Any:
        return self.values.get(name)

    def string(self, name: str, required: bool = False) -> str | None:
        value = self.values.get(name)
        if value is None or isinstance(value, Upload):
            if required:
                raise bad_request(f"{name} is required")
            return None
        return value if isinstance(value, str) else json.dumps(value)

    def integer(self, name: str, required: bool = False) -> int | None:
        value = self.values.get(name)
        if value in (None, ""):
            if required:
                raise bad_request(f"{name} is required")
            return None
        try:
            return int(value)
        except (TypeError, ValueError):
            raise bad_request(f"invalid {name} specified") from None

    def flag(self, name: str) -> bool:
        value = self.values.get(name)
        return value is True or (isinstance(value, str) and value.lower() == "true")

    def decoded(self, name: str) -> Any:
        value = self.values.get(name)
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError:
                raise bad_request(f"can't parse {name} JSON object") from None
        return value


class Emulator:
    """The state of one bot's Telegram, and the Bot API methods acting on it."""

    def __init__(
        self,
        token: str,
        bot_username: str = "SolidarityTestBot",
        bot_name: str = "Solidarity Bot",
        call_log_size: int = 50_000,
    ) -> None:
        self.token = token
        bot_id = int(token.split(":", 1)[0])
        self.bot = User(bot_id, bot_name, username=bot_username, is_bot=True)
        self.clock = Clock()
        self.users: dict[int, User] = {}
        self.chats: dict[int, Chat] = {}
        self.files = FileStore()
        self.callback_queries: dict[str, CallbackQuery] = {}
        self.commands: dict[tuple[str, str], list[JSON]] = {}
        self.calls: collections.deque[JSON] = collections.deque(maxlen=call_log_size)
        self.call_count = 0
        self.rate_limited = 0
        self.faults: list[Fault] = []
        self.flood = FloodLimits()
        self.webhook: JSON | None = None
        self.allowed_updates: set[str] | None = None
        self._updates: collections.deque[JSON] = collections.deque()
        self._history: dict[int, JSON] = {}
        # For benchmarks: when each update was handed to the bot, and how long until the
        # bot's first answer in the same chat (or to the same button press).
        self._awaiting: dict[int, collections.deque[float]] = {}
        self._delivered: set[int] = set()
        self.latencies: list[float] = []
        self._update_ids = itertools.count(1)
        self._new_update = asyncio.Event()
        self._poll_generation = 0
        self._changed = asyncio.Condition()
        # One event per chat the bot touched, for waiters interested in that chat only.
        self._chat_changed: dict[int, asyncio.Event] = {}
        self._user_ids = itertools.count(10_001)
        self._group_ids = itertools.count(1)
        self._webhook_task: asyncio.Task[None] | None = None
        self.closed = False
        self._methods: dict[str, Callable[[Params], Awaitable[Any]]] = {
            "getMe": self.get_me,
            "logOut": self.log_out,
            "close": self.log_out,
            "getUpdates": self.get_updates,
            "setWebhook": self.set_webhook,
            "deleteWebhook": self.delete_webhook,
            "getWebhookInfo": self.get_webhook_info,
            "sendMessage": self.send_message,
            "sendPhoto": self.send_photo,
            "sendDocument": self.send_document,
            "sendVoice": self.send_voice,
            "sendVideo": self.send_video,
            "sendVideoNote": self.send_video_note,
            "editMessageText": self.edit_message_text,
            "editMessageCaption": self.edit_message_caption,
            "editMessageReplyMarkup": self.edit_message_reply_markup,
            "deleteMessage": self.delete_message,
            "deleteMessages": self.delete_messages,
            "answerCallbackQuery": self.answer_callback_query,
            "copyMessage": self.copy_message,
            "forwardMessage": self.forward_message,
            "getFile": self.get_file,
            "setMyCommands": self.set_my_commands,
            "getMyCommands": self.get_my_commands,
            "deleteMyCommands": self.delete_my_commands,
            "getChat": self.get_chat,
            "getChatMember": self.get_chat_member,
            "getChatAdministrators": self.get_chat_administrators,
            "pinChatMessage": self.pin_chat_message,
            "unpinChatMessage": self.unpin_chat_message,
            "sendChatAction": self.send_chat_action,
        }

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
            self._answered(method, values)
            self._touch(values.get("chat_id"))
            await self._notify()
        return result

    def _find_method(self, method: str) -> Callable[[Params], Awaitable[Any]]:
        for name, handler in self._methods.items():
            if name.lower() == method.lower():
                return handler
        raise ApiError(404, f"Not Found: method '{method}' not found")

    async def _apply_faults(self, method: str) -> None:
        for fault in self.faults:
            if fault.applies_to(method):
                fault.remaining -= 1
                if fault.mode == "timeout":
                    await asyncio.sleep(fault.delay)
                    raise ApiError(504, "Gateway Timeout")
                raise ApiError(fault.status, "Internal Server Error")
        self.faults = [fault for fault in self.faults if fault.remaining > 0]

    def _check_flood(self, params: Params) -> None:
        flood = self.flood
        if not (
            flood.per_chat_per_second or flood.per_group_per_minute or flood.overall_per_second
        ):
            return
        now = self.clock.now()
        chat = self._chat_or_none(params.raw("chat_id"))
        chat_id = chat.id if chat else 0
        sent = flood.sent
        while sent and sent[0][0] < now - max(60.0, flood.group_window):
            sent.popleft()
        waits: list[float] = []
        if flood.overall_per_second:
            recent = [t for t, _ in sent if t > now - 1]
            if len(recent) >= flood.overall_per_second:
                waits.append(recent[0] + 1 - now)
        if chat and chat.type == "private" and flood.per_chat_per_second:
            recent = [t for t, c in sent if c == chat_id and t > now - 1]
            if len(recent) >= flood.per_chat_per_second:
                waits.append(recent[0] + 1 - now)
        if chat and chat.type != "private" and flood.per_group_per_minute:
            window = flood.group_window
            recent = [t for t, c in sent if c == chat_id and t > now - window]
            if len(recent) >= flood.per_group_per_minute:
                waits.append(recent[0] + window - now)
        if waits:
            retry_after = max(1, math.ceil(max(waits)))
            self.rate_limited += 1
            raise ApiError(
                429,
                f"Too Many Requests: retry after {retry_after}",
                {"retry_after": retry_after},
            )
        sent.append((now, chat_id))

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    def _touch(self, chat_id: Any) -> None:
        try:
            event = self._chat_changed.pop(int(chat_id), None)
        except (TypeError, ValueError):
            return
        if event is not None:
            event.set()

    async def wait_for_chat(self, chat_id: int, timeout: float) -> None:
        """Wait until the bot changes something in one chat, or `timeout` passes."""
        event = self._chat_changed.setdefault(chat_id, asyncio.Event())
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), timeout)

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

    async def wait_for_change(self, timeout: float) -> None:
        """Wait until the bot changes something, or `timeout` passes."""
        async with self._changed:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), timeout)

    # ------------------------------------------------------------------ lookups

    def _chat_or_none(self, chat_id: Any) -> Chat | None:
        if chat_id is None:
            return None
        if isinstance(chat_id, str) and chat_id.startswith("@"):
            wanted = chat_id[1:].lower()
            for chat in self.chats.values():
                if chat.username and chat.username.lower() == wanted and chat.type != "private":
                    return chat
            return None
        try:
            return self.chats.get(int(chat_id))
        except (TypeError, ValueError):
            return None

    def _chat(self, chat_id: Any, for_sending: bool = True) -> Chat:
        if chat_id in (None, ""):
            raise bad_request("chat_id is empty")
        chat = self._chat_or_none(chat_id)
        if chat is None:
            raise bad_request("chat not found")
        if chat.migrated_to is not None:
            raise bad_request(
                "group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": chat.migrated_to},
            )
        if chat.type == "private":
            user = self.users.get(chat.id)
            if user is not None and user.blocked_bot and for_sending:
                raise ApiError(403, "Forbidden: bot was blocked by the user")
        else:
            member = chat.members.get(self.bot.id)
            if member is None or member.status in ("left", "kicked"):
                if chat.type == "channel":
                    raise bad_request("chat not found")
                raise ApiError(403, "Forbidden: bot is not a member of the group chat")
            if chat.type == "channel" and for_sending and not member.can("can_post_messages"):
                raise bad_request("need administrator rights in the channel chat")
        return chat

    def _message(self, chat: Chat, message_id: int | None, action: str) -> StoredMessage:
        stored = chat.messages.get(message_id or 0)
        if stored is None or stored.deleted:
            raise bad_request(f"message to {action} not found")
        return stored

    # ------------------------------------------------------------------- basics

    async def get_me(self, params: Params) -> JSON:
        return {
            **self.bot.to_api(),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def log_out(self, params: Params) -> bool:
        return True

    # ------------------------------------------------------------------ updates

    def add_update(self, kind: str, payload: JSON) -> JSON:
        update_id = next(self._update_ids)
        update: JSON = {"update_id": update_id, kind: payload}
        self._updates.append(update)
        self._history[update_id] = update
        if len(self._history) > 10_000:
            del self._history[next(iter(self._history))]
        self._new_update.set()
        return update

    def replay(self, update_id: int) -> JSON:
        """Deliver an update again, as Telegram does when the bot died before confirming it."""
        update = self._history.get(update_id)
        if update is None:
            raise bad_request("no such update")
        self._updates.appendleft(update)
        self._new_update.set()
        return update

    @property
    def pending_update_count(self) -> int:
        return len(self._updates)

    async def get_updates(self, params: Params) -> list[JSON]:
        if self.webhook is not None:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; use "
                "deleteWebhook to delete the webhook first",
            )
        offset = params.integer("offset")
        limit = params.integer("limit") or 100
        if not 1 <= limit <= 100:
            limit = 100
        timeout = max(0, params.integer("timeout") or 0)
        allowed = params.decoded("allowed_updates")
        if isinstance(allowed, list):
            self.allowed_updates = set(allowed) if allowed else None
        self._poll_generation += 1
        generation = self._poll_generation
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            if offset is not None:
                self._confirm(offset)
            ready = [u for u in self._updates if self._allowed(u)][:limit]
            if ready or loop.time() >= deadline or self.closed:
                self._handed_over(ready)
                return ready
            self._new_update.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._new_update.wait(), deadline - loop.time())
            if generation != self._poll_generation:
                raise ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; make sure that only one "
                    "bot instance is running",
                )

    def _handed_over(self, updates: list[JSON]) -> None:
        now = time.monotonic()
        for update in updates:
            if update["update_id"] in self._delivered:
                continue
            if len(self._delivered) > 100_000:
                self._delivered.clear()
            self._delivered.add(update["update_id"])
            chat = _chat_of(update)
            if chat is not None:
                self._awaiting.setdefault(chat, collections.deque()).append(now)

    def _answered(self, method: str, values: dict[str, Any]) -> None:
        chat: int | None = None
        if method == "answerCallbackQuery":
            query = self.callback_queries.get(str(values.get("callback_query_id")))
            chat = query.chat_id if query else None
        else:
            try:
                chat = int(values.get("chat_id"))  # type: ignore[arg-type]
            except (TypeError, ValueError):
                return
        waiting = self._awaiting.get(chat) if chat is not None else None
        if waiting:
            self.latencies.append(time.monotonic() - waiting.popleft())

    def _confirm(self, offset: int) -> None:
        if offset < 0:
            while len(self._updates) > -offset:
                self._updates.popleft()
            return
        while self._updates and self._updates[0]["update_id"] < offset:
            self._updates.popleft()

    def _allowed(self, update: JSON) -> bool:
        allowed = self.allowed_updates
        if allowed is None:
            allowed = UPDATE_TYPES - {"chat_member"}
        return any(kind in update for kind in allowed)

    async def set_webhook(self, params: Params) -> bool:
        url = params.string("url") or ""
        if not url:
            return await self.delete_webhook(params)
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise bad_request(
                "bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443"
            )
        if parts.hostname not in ("127.0.0.1", "localhost", "::1"):
            raise bad_request("bad webhook: the emulator delivers only to loopback addresses")
        secret = params.string("secret_token")
        if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret):
            raise bad_request("bad webhook: secret token contains unallowed characters")
        if params.flag("drop_pending_updates"):
            self._updates.clear()
        allowed = params.decoded("allowed_updates")
        if isinstance(allowed, list):
            self.allowed_updates = set(allowed) if allowed else None
        self.webhook = {"url": url, "secret_token": secret, "last_error": None}
        self._poll_generation += 1
        self._new_update.set()
        if self._webhook_task is None or self._webhook_task.done():
            self._webhook_task = asyncio.create_task(self._deliver_to_webhook())
        return True

    async def delete_webhook(self, params: Params) -> bool:
        self.webhook = None
        if params.flag("drop_pending_updates"):
            self._updates.clear()
        if self._webhook_task is not None:
            self._webhook_task.cancel()
            self._webhook_task = None
        return True

    async def get_webhook_info(self, params: Params) -> JSON:
        hook = self.webhook or {}
        info: JSON = {
            "url": hook.get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }
        if hook.get("last_error"):
            info["last_error_message"] = hook["last_error"]
            info["last_error_date"] = int(self.clock.now())
        return info

    async def _deliver_to_webhook(self) -> None:
        backoff = 0.05
        async with aiohttp.ClientSession() as session:
            while self.webhook is not None:
                ready = [u for u in self._updates if self._allowed(u)]
                if not ready:
                    self._new_update.clear()
                    await self._new_update.wait()
                    continue
                update = ready[0]
                headers = {}
                if self.webhook.get("secret_token"):
                    headers["X-Telegram-Bot-Api-Secret-Token"] = self.webhook["secret_token"]
                try:
                    async with session.post(
                        self.webhook["url"],
                        json=update,
                        headers=headers,
                        timeout=aiohttp.ClientTimeout(total=10),
                    ) as response:
                        ok = 200 <= response.status < 300
                        error = f"Wrong response from the webhook: {response.status}"
                except (aiohttp.ClientError, TimeoutError) as exc:
                    ok, error = False, f"Connection failed: {type(exc).__name__}"
                if ok:
                    backoff = 0.05
                    self._confirm(update["update_id"] + 1)
                else:
                    self.webhook["last_error"] = error
                    await asyncio.sleep(backoff)
                    backoff = min(backoff * 2, 2.0)

    # ---------------------------------------------------------------- validation

    def _text_and_entities(
        self, params: Params, field_name: str, limit: int, required: bool
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

    def _reply_markup(self, params: Params) -> tuple[JSON | None, JSON | None]:
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
                    _check_inline_button(button)
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

    # ----------------------------------------------------------------- sending

    def _new_bot_message(self, chat: Chat, content: JSON) -> StoredMessage:
        data: JSON = {
            "message_id": chat.take_message_id(),
            "date": int(self.clock.now()),
            "chat": chat.to_api(),
        }
        if chat.type == "channel":
            data["sender_chat"] = chat.to_api()
        else:
            data["from"] = self.bot.to_api()
        data.update(content)
        stored = StoredMessage(data, "bot")
        chat.messages[data["message_id"]] = stored
        return stored

    def _reply_to(self, chat: Chat, params: Params) -> JSON:
        reply_id = params.integer("reply_to_message_id")
        reply_parameters = params.decoded("reply_parameters")
        if isinstance(reply_parameters, dict):
            reply_id = int(reply_parameters.get("message_id", 0))
        if not reply_id:
            return {}
        target = chat.messages.get(reply_id)
        if target is None or target.deleted:
            allow = isinstance(reply_parameters, dict) and reply_parameters.get(
                "allow_sending_without_reply"
            )
            if allow:
                return {}
            raise bad_request("message to be replied not found")
        quoted = {k: v for k, v in target.data.items() if k != "reply_to_message"}
        return {"reply_to_message": quoted}

    def _finish_send(self, chat: Chat, params: Params, content: JSON) -> JSON:
        inline, keyboard = self._reply_markup(params)
        content.update(self._reply_to(chat, params))
        if inline:
            content["reply_markup"] = inline
        stored = self._new_bot_message(chat, content)
        if keyboard is not None:
            stored.reply_keyboard = keyboard
        return stored.data

    async def send_message(self, params: Params) -> JSON:
        chat = self._chat(params.raw("chat_id"))
        text, entities = self._text_and_entities(params, "text", MAX_TEXT, required=True)
        content: JSON = {"text": text}
        if entities:
            content["entities"] = entities
        return self._finish_send(chat, params, content)

    def _input_file(self, params: Params, name: str, kind: str) -> StoredFile:
        value = params.raw(name)
        if isinstance(value, str) and value.startswith("attach://"):
            value = params.raw(value.removeprefix("attach://"))
        if isinstance(value, Upload):
            if not value.data:
                raise bad_request("file must be non-empty")
            return self.files.add(value.data, kind, value.filename, value.content_type)
        if isinstance(value, str) and value:
            stored = self.files.get(value)
            if stored is not None:
                if kind != "document" and stored.kind not in (kind, "document"):
                    raise bad_request(
                        f"wrong file identifier: can't use file of type {stored.kind} as {kind}"
                    )
                return stored
            raise bad_request("wrong file identifier/HTTP URL specified")
        raise bad_request(f"there is no {name} in the request")

    async def _send_media(self, params: Params, kind: str) -> JSON:
        chat = self._chat(params.raw("chat_id"))
        stored = self._input_file(params, kind, kind)
        content: JSON = {kind: self.files.media_json(stored, params.integer("duration") or 1)}
        if kind != "video_note":
            caption, entities = self._text_and_entities(
                params, "caption", MAX_CAPTION, required=False
            )
            if caption:
                content["caption"] = caption
            if entities:
                content["caption_entities"] = entities
        return self._finish_send(chat, params, content)

    async def send_photo(self, params: Params) -> JSON:
        return await self._send_media(params, "photo")

    async def send_document(self, params: Params) -> JSON:
        return await self._send_media(params, "document")

    async def send_voice(self, params: Params) -> JSON:
        return await self._send_media(params, "voice")

    async def send_video(self, params: Params) -> JSON:
        return await self._send_media(params, "video")

    async def send_video_note(self, params: Params) -> JSON:
        return await self._send_media(params, "video_note")

    async def copy_message(self, params: Params) -> JSON:
        chat = self._chat(params.raw("chat_id"))
        source_chat = self._chat(params.raw("from_chat_id"), for_sending=False)
        source = self._message(source_chat, params.integer("message_id"), "copy")
        content = _content_of(source.data)
        if not content:
            raise bad_request("message can't be copied")
        if "caption" in params and any(kind in content for kind in MEDIA_KINDS):
            caption, entities = self._text_and_entities(
                params, "caption", MAX_CAPTION, required=False
            )
            content.pop("caption_entities", None)
            content["caption"] = caption
            if entities:
                content["caption_entities"] = entities
        data = self._finish_send(chat, params, content)
        return {"message_id": data["message_id"]}

    async def forward_message(self, params: Params) -> JSON:
        chat = self._chat(params.raw("chat_id"))
        source_chat = self._chat(params.raw("from_chat_id"), for_sending=False)
        source = self._message(source_chat, params.integer("message_id"), "forward")
        content = _content_of(source.data)
        if not content:
            raise bad_request("message can't be forwarded")
        origin: JSON = {"type": "user", "date": source.data["date"]}
        if "from" in source.data:
            origin["sender_user"] = source.data["from"]
        else:
            origin = {
                "type": "channel",
                "date": source.data["date"],
                "chat": source_chat.to_api(),
                "message_id": source.data["message_id"],
            }
        content["forward_origin"] = origin
        return self._new_bot_message(chat, content).data

    # ---------------------------------------------------------------- editing

    def _editable(self, params: Params) -> tuple[Chat, StoredMessage]:
        if "inline_message_id" in params:
            raise bad_request("the emulator does not support inline messages")
        chat = self._chat(params.raw("chat_id"), for_sending=False)
        stored = self._message(chat, params.integer("message_id"), "edit")
        if stored.sender != "bot":
            raise bad_request("message can't be edited")
        return chat, stored

    def _apply_edit(self, stored: StoredMessage, changes: JSON, markup: JSON | None) -> JSON:
        current = {key: stored.data.get(key) for key in changes}
        if current == changes and stored.data.get("reply_markup") == markup:
            raise bad_request(
                "message is not modified: specified new message content and reply markup are "
                "exactly the same as a current content and reply markup of the message"
            )
        for key, value in changes.items():
            if value is None:
                stored.data.pop(key, None)
            else:
                stored.data[key] = value
        if markup is None:
            stored.data.pop("reply_markup", None)
        else:
            stored.data["reply_markup"] = markup
        stored.edits += 1
        stored.data["edit_date"] = int(self.clock.now())
        return stored.data

    async def edit_message_text(self, params: Params) -> JSON:
        _, stored = self._editable(params)
        if "text" not in stored.data:
            raise bad_request("there is no text in the message to edit")
        text, entities = self._text_and_entities(params, "text", MAX_TEXT, required=True)
        inline, _ = self._reply_markup(params)
        return self._apply_edit(stored, {"text": text, "entities": entities}, inline)

    async def edit_message_caption(self, params: Params) -> JSON:
        _, stored = self._editable(params)
        if not any(kind in stored.data for kind in MEDIA_KINDS):
            raise bad_request("there is no caption in the message to edit")
        caption, entities = self._text_and_entities(params, "caption", MAX_CAPTION, False)
        inline, _ = self._reply_markup(params)
        return self._apply_edit(stored, {"caption": caption, "caption_entities": entities}, inline)

    async def edit_message_reply_markup(self, params: Params) -> JSON:
        _, stored = self._editable(params)
        inline, _ = self._reply_markup(params)
        return self._apply_edit(stored, {}, inline)

    async def delete_message(self, params: Params) -> bool:
        chat = self._chat(params.raw("chat_id"), for_sending=False)
        self._delete_one(chat, params.integer("message_id"))
        return True

    async def delete_messages(self, params: Params) -> bool:
        chat = self._chat(params.raw("chat_id"), for_sending=False)
        ids = params.decoded("message_ids")
        if not isinstance(ids, list) or not 1 <= len(ids) <= 100:
            raise bad_request("message_ids must be a list of 1-100 ids")
        for message_id in ids:
            with contextlib.suppress(ApiError):
                self._delete_one(chat, int(message_id))
        return True

    def _delete_one(self, chat: Chat, message_id: int | None) -> None:
        stored = self._message(chat, message_id, "delete")
        too_old = self.clock.now() - stored.data["date"] > DELETE_WINDOW
        own = stored.sender == "bot"
        member = chat.members.get(self.bot.id)
        allowed = ((own or chat.type == "private") and not too_old) or (
            (chat.type != "private" and member is not None) and member.can("can_delete_messages")
        )
        if not allowed:
            raise bad_request("message can't be deleted")
        stored.deleted = True

    async def answer_callback_query(self, params: Params) -> bool:
        query = self.callback_queries.get(params.string("callback_query_id") or "")
        if (
            query is None
            or query.answered
            or self.clock.now() - query.created > CALLBACK_ANSWER_WINDOW
        ):
            raise bad_request(
                "query is too old and response timeout expired or query ID is invalid"
            )
        text = params.string("text")
        if text is not None and len(text) > 200:
            raise bad_request("MESSAGE_TOO_LONG")
        query.answered = True
        query.answer = {"text": text, "show_alert": params.flag("show_alert")}
        return True

    # ------------------------------------------------------------ files, chats

    async def get_file(self, params: Params) -> JSON:
        stored = self.files.get(params.string("file_id") or "")
        if stored is None:
            raise bad_request("invalid file_id")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.data),
            "file_path": stored.file_path,
        }

    async def set_my_commands(self, params: Params) -> bool:
        commands = params.decoded("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise bad_request("commands must be a list of at most 100 commands")
        for command in commands:
            name = str(command.get("command", ""))
            description = str(command.get("description", ""))
            if not re.fullmatch(r"[a-z0-9_]{1,32}", name):
                raise bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(description) <= 256:
                raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        self.commands[self._command_key(params)] = commands
        return True

    async def get_my_commands(self, params: Params) -> list[JSON]:
        return self.commands.get(self._command_key(params), [])

    async def delete_my_commands(self, params: Params) -> bool:
        self.commands.pop(self._command_key(params), None)
        return True

    def _command_key(self, params: Params) -> tuple[str, str]:
        language = params.string("language_code") or ""
        if language and not re.fullmatch(r"[a-z]{2}", language):
            raise bad_request("invalid language code specified")
        scope = params.decoded("scope") or {"type": "default"}
        scope_name = str(scope.get("type", "default"))
        if "chat_id" in scope:
            scope_name += f":{scope['chat_id']}"
        return scope_name, language

    async def get_chat(self, params: Params) -> JSON:
        chat = self._chat(params.raw("chat_id"), for_sending=False)
        data = chat.to_api()
        data.update(accent_color_id=0, max_reaction_count=11)
        data["accepted_gift_types"] = {
            "unlimited_gifts": False,
            "limited_gifts": False,
            "unique_gifts": False,
            "premium_subscription": False,
            "gifts_from_channels": False,
        }
        if chat.pinned_message_id and chat.pinned_message_id in chat.messages:
            data["pinned_message"] = chat.messages[chat.pinned_message_id].data
        return data

    def _member_json(self, chat: Chat, user_id: int) -> JSON:
        user = self.bot if user_id == self.bot.id else self.users.get(user_id)
        if user is None:
            raise bad_request("user not found")
        if chat.type == "private":
            member = Member("member")
        else:
            member = chat.members.get(user_id, Member("left"))
        data: JSON = {"status": member.status, "user": user.to_api()}
        if member.status == "creator":
            data["is_anonymous"] = False
        elif member.status == "administrator":
            data.update(can_be_edited=False, is_anonymous=False)
            for right in ADMIN_RIGHTS:
                if chat.type == "channel" or right not in (
                    "can_post_messages",
                    "can_edit_messages",
                ):
                    data[right] = bool(member.rights.get(right, False))
        elif member.status == "restricted":
            data.update(
                is_member=True,
                until_date=0,
                **{
                    right: False
                    for right in (
                        "can_change_info",
                        "can_invite_users",
                        "can_pin_messages",
                        "can_send_messages",
                        "can_send_polls",
                        "can_send_other_messages",
                        "can_add_web_page_previews",
                        "can_manage_topics",
                        "can_send_audios",
                        "can_send_documents",
                        "can_send_photos",
                        "can_send_videos",
                        "can_send_video_notes",
                        "can_send_voice_notes",
                        "can_edit_tag",
                    )
                },
            )
        elif member.status == "kicked":
            data["until_date"] = 0
        return data

    async def get_chat_member(self, params: Params) -> JSON:
        chat = self._chat(params.raw("chat_id"), for_sending=False)
        return self._member_json(chat, params.integer("user_id", required=True) or 0)

    async def get_chat_administrators(self, params: Params) -> list[JSON]:
        chat = self._chat(params.raw("chat_id"), for_sending=False)
        if chat.type == "private":
            raise bad_request("there are no administrators in the private chat")
        return [
            self._member_json(chat, user_id)
            for user_id, member in chat.members.items()
            if member.status in ("creator", "administrator")
        ]

    async def pin_chat_message(self, params: Params) -> bool:
        chat = self._chat(params.raw("chat_id"), for_sending=False)
        self._message(chat, params.integer("message_id"), "pin")
        if chat.type != "private" and not chat.members[self.bot.id].can("can_pin_messages"):
            raise bad_request("not enough rights to manage pinned messages in the chat")
        chat.pinned_message_id = params.integer("message_id")
        return True

    async def unpin_chat_message(self, params: Params) -> bool:
        chat = self._chat(params.raw("chat_id"), for_sending=False)
        chat.pinned_message_id = None
        return True

    async def send_chat_action(self, params: Params) -> bool:
        self._chat(params.raw("chat_id"))
        if params.string("action") not in CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        return True

    # ------------------------------------------------------------------ driver

    def add_user(
        self,
        first_name: str,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = None,
        user_id: int | None = None,
    ) -> User:
        """Create a person with a private chat with the bot."""
        user = User(
            user_id or next(self._user_ids), first_name, last_name, username, language_code
        )
        self.users[user.id] = user
        self.chats[user.id] = Chat(user.id, "private", first_name=first_name, username=username)
        return user

    def add_chat(
        self,
        kind: str,
        title: str,
        username: str | None = None,
        chat_id: int | None = None,
        bot_status: str = "member",
        bot_rights: dict[str, bool] | None = None,
    ) -> Chat:
        """Create a group, supergroup or channel with the bot in it."""
        if kind not in ("group", "supergroup", "channel"):
            raise bad_request("kind must be group, supergroup or channel")
        if chat_id is None:
            number = next(self._group_ids)
            chat_id = -number if kind == "group" else -1_000_000_000_000 - number
        chat = Chat(chat_id, kind, title=title, username=username)
        if bot_status != "left":
            chat.members[self.bot.id] = Member(bot_status, dict(bot_rights or {}))
        self.chats[chat.id] = chat
        return chat

    def set_member(
        self, chat_id: int, user_id: int, status: str, rights: dict[str, bool] | None = None
    ) -> None:
        chat = self.chats.get(chat_id)
        if chat is None:
            raise bad_request("chat not found")
        if user_id != self.bot.id and user_id not in self.users:
            raise bad_request("user not found")
        chat.members[user_id] = Member(status, dict(rights or {}))

    def user_message(self, user_id: int, chat_id: int | None, content: JSON) -> JSON:
        """A person sends a message: store it and queue the update the bot will receive."""
        user = self.users.get(user_id)
        chat = self.chats.get(chat_id if chat_id is not None else user_id)
        if chat is None:
            raise bad_request("chat not found")
        if chat.migrated_to is not None:
            raise bad_request("chat was migrated", {"migrate_to_chat_id": chat.migrated_to})
        data: JSON = {
            "message_id": chat.take_message_id(),
            "date": int(self.clock.now()),
            "chat": chat.to_api(),
        }
        if chat.type == "channel":
            data["sender_chat"] = chat.to_api()
            kind = "channel_post"
        else:
            if user is None:
                raise bad_request("user not found")
            if chat.type != "private" and chat.members.get(user_id, Member("left")).status in (
                "left",
                "kicked",
            ):
                raise bad_request("the person is not a member of that chat")
            data["from"] = user.to_api()
            kind = "message"
            if chat.type == "private" and user.blocked_bot:
                user.blocked_bot = False
        reply_id = content.pop("reply_to_message_id", None)
        if reply_id is not None and reply_id in chat.messages:
            data["reply_to_message"] = chat.messages[reply_id].data
        data.update(content)
        if "text" in data and "entities" not in data:
            entities = _auto_entities(data["text"])
            if entities:
                data["entities"] = entities
        chat.messages[data["message_id"]] = StoredMessage(data, "user")
        bot_member = chat.members.get(self.bot.id)
        if chat.type == "private" or (bot_member is not None and bot_member.status != "left"):
            self.add_update(kind, data)
        return data

    def user_media(
        self,
        kind: str,
        data: bytes,
        file_name: str | None = None,
        mime_type: str | None = None,
        duration: int = 1,
    ) -> Any:
        stored = self.files.add(data, kind, file_name, mime_type)
        return self.files.media_json(stored, duration)

    def user_edit(self, user_id: int, chat_id: int, message_id: int, text: str) -> JSON:
        chat = self.chats.get(chat_id)
        stored = chat.messages.get(message_id) if chat else None
        if chat is None or stored is None or stored.data.get("from", {}).get("id") != user_id:
            raise bad_request("message to edit not found")
        stored.data["text"] = text
        stored.data["edit_date"] = int(self.clock.now())
        stored.edits += 1
        self.add_update("edited_message", dict(stored.data))
        return stored.data

    def press(
        self,
        user_id: int,
        chat_id: int,
        message_id: int | None = None,
        text: str | None = None,
        data: str | None = None,
    ) -> str:
        """A person presses an inline button that is on the message now; return the query id."""
        user = self.users.get(user_id)
        chat = self.chats.get(chat_id)
        if user is None or chat is None:
            raise bad_request("user or chat not found")
        candidates = [
            stored
            for stored in reversed(chat.messages.values())
            if not stored.deleted
            and stored.data.get("reply_markup")
            and (message_id is None or stored.data["message_id"] == message_id)
        ]
        for stored in candidates:
            for row in stored.data["reply_markup"]["inline_keyboard"]:
                for button in row:
                    if "callback_data" not in button:
                        continue
                    if (text is None or button["text"] == text) and (
                        data is None or button["callback_data"] == data
                    ):
                        return self._callback(user, stored, button["callback_data"])
        raise bad_request("no such button on that message now")

    def forge_press(self, user_id: int, chat_id: int, message_id: int, data: str) -> str:
        """A modified client sends callback data that was never on the message."""
        user = self.users[user_id]
        stored = self._message(self.chats[chat_id], message_id, "press")
        return self._callback(user, stored, data)

    def _callback(self, user: User, stored: StoredMessage, data: str) -> str:
        query_id = secrets.token_hex(8)
        self.callback_queries[query_id] = CallbackQuery(
            query_id, user.id, self.clock.now(), int(stored.data["chat"]["id"])
        )
        self.add_update(
            "callback_query",
            {
                "id": query_id,
                "from": user.to_api(),
                "message": stored.data,
                "chat_instance": str(stored.data["chat"]["id"]),
                "data": data,
            },
        )
        return query_id

    def migrate(self, chat_id: int) -> int:
        """Upgrade a group to a supergroup; the old id then answers with migrate_to_chat_id."""
        chat = self.chats.get(chat_id)
        if chat is None or chat.type != "group":
            raise bad_request("only a group can be upgraded")
        new = self.add_chat("supergroup", chat.title or "", chat.username)
        new.members = dict(chat.members)
        chat.migrated_to = new.id
        self.add_update(
            "message",
            {
                "message_id": chat.take_message_id(),
                "date": int(self.clock.now()),
                "chat": chat.to_api(),
                "migrate_to_chat_id": new.id,
            },
        )
        self.add_update(
            "message",
            {
                "message_id": new.take_message_id(),
                "date": int(self.clock.now()),
                "chat": new.to_api(),
                "migrate_from_chat_id": chat.id,
            },
        )
        return new.id


def _check_inline_button(button: Any) -> None:
    if not isinstance(button, dict) or not button.get("text"):
        raise bad_request("can't parse inline keyboard button: Text buttons are unallowed")
    kinds = [
        k for k in ("callback_data", "url", "switch_inline_query", "copy_text") if k in button
    ]
    if len(kinds) != 1:
        raise bad_request("can't parse inline keyboard button: exactly one action is required")
    data = button.get("callback_data")
    if data is not None:
        size = len(str(data).encode("utf-8"))
        if not 1 <= size <= MAX_CALLBACK_DATA:
            raise bad_request("BUTTON_DATA_INVALID")
    url = button.get("url")
    if url is not None and not re.match(r"(https?|tg)://", str(url)):
        raise bad_request("BUTTON_URL_INVALID")


def _content_of(data: JSON) -> JSON:
    keys = ["text", "entities", "caption", "caption_entities", *MEDIA_KINDS]
    keys += ["sticker", "location", "contact", "poll"]
    return {key: data[key] for key in keys if key in data}


def _auto_entities(text: str) -> list[JSON]:
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


def _chat_of(update: JSON) -> int | None:
    for kind in ("message", "edited_message", "channel_post"):
        if kind in update:
            return int(update[kind]["chat"]["id"])
    query = update.get("callback_query")
    if query is not None:
        return int(query["message"]["chat"]["id"])
    return None


def _loggable(values: dict[str, Any]) -> JSON:
    return {
        key: f"<upload {len(value.data)} bytes>" if isinstance(value, Upload) else value
        for key, value in values.items()
    }
