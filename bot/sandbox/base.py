"""The emulator's state: one bot's Telegram (people, chats, files, updates), and the look-ups
and notifications every family of methods shares."""

from __future__ import annotations

import asyncio
import collections
import contextlib
import itertools
from typing import Any, Protocol

from bot.sandbox.faults import Fault, FloodLimits
from bot.sandbox.world import (
    JSON,
    ApiError,
    CallbackQuery,
    Chat,
    Clock,
    FileStore,
    InlineQuery,
    StoredFile,
    StoredMessage,
    User,
    bad_request,
)


class Observer(Protocol):
    """Watches the traffic (the benchmark's latency probe): nothing here depends on it."""

    def handed_over(self, updates: list[JSON]) -> None:
        """Updates given to the bot by getUpdates (the same update may come again)."""
        ...

    def answered(self, chat_id: int) -> None:
        """The bot acted in a chat: sent, edited, or answered a button pressed there."""
        ...


class EmulatorState:
    """The state of one bot's Telegram."""

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
        self.inline_queries: dict[str, InlineQuery] = {}
        # Inline mode, which the bot's owner switches on with @BotFather's /setinline.
        self.supports_inline_queries = False
        self.commands: dict[tuple[str, str], list[JSON]] = {}
        self.calls: collections.deque[JSON] = collections.deque(maxlen=call_log_size)
        self.call_count = 0
        self.rate_limited = 0
        self.faults: list[Fault] = []
        self.flood = FloodLimits()
        self.webhook: JSON | None = None
        self.allowed_updates: set[str] | None = None
        self.observers: list[Observer] = []
        self.updates_created = 0
        self._updates: collections.deque[JSON] = collections.deque()
        self._history: dict[int, JSON] = {}
        self._update_ids = itertools.count(1)
        self._new_update = asyncio.Event()
        self._poll_generation = 0
        self._changed = asyncio.Condition()
        # One event per chat the bot touched, for waiters interested in that chat only.
        self._chat_changed: dict[int, asyncio.Event] = {}
        self._user_ids = itertools.count(10_001)
        self._group_ids = itertools.count(1)
        self._sticker_set: list[StoredFile] | None = None  # drawn when first asked for
        self._webhook_task: asyncio.Task[None] | None = None
        self.closed = False

    def new_message(self, chat: Chat) -> JSON:
        """The start of a new message in `chat`: its id, its date and the chat."""
        return {
            "message_id": chat.take_message_id(),
            "date": int(self.clock.now()),
            "chat": chat.to_api(),
        }

    def add_update(self, kind: str, payload: JSON) -> JSON:
        update_id = next(self._update_ids)
        self.updates_created += 1
        update: JSON = {"update_id": update_id, kind: payload}
        self._updates.append(update)
        self._history[update_id] = update
        if len(self._history) > 10_000:
            del self._history[next(iter(self._history))]
        self._new_update.set()
        return update

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

    # ------------------------------------------------------------------ topics

    def remove_topic(self, chat: Chat, thread_id: int) -> None:
        """Delete a forum topic with all its messages, as Telegram does."""
        topic = chat.topics.get(thread_id)
        if topic is None or topic.deleted:
            raise bad_request("message thread not found")
        topic.deleted = True
        for stored in chat.messages.values():
            if stored.data.get("message_thread_id") == thread_id:
                stored.deleted = True

    def in_thread(self, chat: Chat, thread_id: int | None, replied: JSON | None) -> JSON:
        """The fields a message sent to `thread_id` (or replying to `replied`) carries.

        In a forum, a message in a topic carries the topic's id and is_topic_message; when it
        replies to nothing, its reply_to_message is the service message that created the topic.
        A reply goes to the thread of the message it replies to."""
        if thread_id is None and replied is not None and replied.get("is_topic_message"):
            thread_id = replied.get("message_thread_id")
        if thread_id is None:
            return {}
        topic = chat.topics.get(thread_id) if chat.is_forum else None
        if topic is None or topic.deleted:
            raise bad_request("message thread not found")
        fields: JSON = {"message_thread_id": thread_id, "is_topic_message": True}
        if replied is None:
            created = chat.messages[thread_id].data
            fields["reply_to_message"] = {
                k: v for k, v in created.items() if k != "reply_to_message"
            }
        return fields
