"""The driver's side: acting as people (sending, editing, pressing) and changing the world."""

from __future__ import annotations

import secrets
from typing import Any

from bot.sandbox.base import EmulatorState
from bot.sandbox.chats import member_json
from bot.sandbox.stickers import draw_stickers
from bot.sandbox.validation import auto_entities
from bot.sandbox.world import (
    JSON,
    CallbackQuery,
    Chat,
    Member,
    StoredFile,
    StoredMessage,
    User,
    bad_request,
    shown,
)


class PeopleActions(EmulatorState):
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
        is_forum: bool = False,
    ) -> Chat:
        """Create a group, supergroup or channel with the bot in it (a supergroup may be a
        forum, with topics)."""
        if kind not in ("group", "supergroup", "channel"):
            raise bad_request("kind must be group, supergroup or channel")
        if is_forum and kind != "supergroup":
            raise bad_request("only a supergroup can have topics")
        if chat_id is None:
            number = next(self._group_ids)
            chat_id = -number if kind == "group" else -1_000_000_000_000 - number
        chat = Chat(chat_id, kind, title=title, username=username, is_forum=is_forum)
        if bot_status != "left":
            chat.members[self.bot.id] = Member(bot_status, dict(bot_rights or {}))
        self.chats[chat.id] = chat
        return chat

    def set_member(
        self,
        chat_id: int,
        user_id: int,
        status: str,
        rights: dict[str, bool] | None = None,
        by: int | None = None,
        announce: bool = True,
    ) -> None:
        """Change a member's status (promote, demote, add, remove); `by` is who did it.

        As Telegram does, a change in a group or channel where the bot is an administrator
        comes to the bot as a chat_member update if it asked for them in allowed_updates
        (they are not among the default kinds). `announce=False` sets up the world quietly.
        """
        chat = self.chats.get(chat_id)
        if chat is None:
            raise bad_request("chat not found")
        if user_id != self.bot.id and user_id not in self.users:
            raise bad_request("user not found")
        if by is not None and by not in self.users:
            raise bad_request("user not found")
        old = chat.members.get(user_id, Member("left"))
        new = Member(status, dict(rights or {}))
        chat.members[user_id] = new
        if (
            announce
            and user_id != self.bot.id
            and (old.status, old.rights)
            != (
                new.status,
                new.rights,
            )
        ):
            self._announce_member(chat, user_id, old, new, by)

    def _announce_member(
        self, chat: Chat, user_id: int, old: Member, new: Member, by: int | None
    ) -> None:
        """The chat_member update (ChatMemberUpdated) for a change of someone else's status."""
        bot_member = chat.members.get(self.bot.id)
        if chat.type == "private" or bot_member is None or bot_member.status != "administrator":
            return
        if "chat_member" not in (self.allowed_updates or set()):
            return
        user = self.users[user_id]
        if by is None:
            # Joining and leaving are the person's own doing; anything else an owner's.
            owners = [u for u, m in chat.members.items() if m.status == "creator"]
            themselves = {old.status, new.status} <= {"left", "member"}
            by = user_id if themselves or not owners else owners[0]
        self.add_update(
            "chat_member",
            {
                "chat": chat.to_api(),
                "from": self.users[by].to_api(),
                "date": int(self.clock.now()),
                "old_chat_member": member_json(chat, user, old),
                "new_chat_member": member_json(chat, user, new),
            },
        )

    def set_forum(self, chat_id: int, is_forum: bool = True) -> None:
        """Turn a supergroup's topics on or off (its owner does, in the group's settings)."""
        chat = self.chats.get(chat_id)
        if chat is None or chat.type != "supergroup":
            raise bad_request("only a supergroup can have topics")
        chat.is_forum = is_forum

    def delete_topic(self, chat_id: int, thread_id: int) -> None:
        """Someone in the group deletes a topic, and with it every message in it."""
        chat = self.chats.get(chat_id)
        if chat is None or not chat.is_forum:
            raise bad_request("the chat is not a forum")
        self.remove_topic(chat, thread_id)

    def user_message(self, user_id: int, chat_id: int | None, content: JSON) -> JSON:
        """A person sends a message: store it and queue the update the bot will receive."""
        user = self.users.get(user_id)
        chat = self.chats.get(chat_id if chat_id is not None else user_id)
        if chat is None:
            raise bad_request("chat not found")
        if chat.migrated_to is not None:
            raise bad_request("chat was migrated", {"migrate_to_chat_id": chat.migrated_to})
        data = self.new_message(chat)
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
        thread_id = content.pop("message_thread_id", None)
        replied = None
        if reply_id is not None and reply_id in chat.messages:
            replied = chat.messages[reply_id].data
            data["reply_to_message"] = replied
        data.update(self.in_thread(chat, thread_id, replied))
        data.update(content)
        if "text" in data and "entities" not in data:
            entities = auto_entities(data["text"])
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

    def sticker_set(self) -> list[StoredFile]:
        """The stickers people can send: drawn and stored once, so that every message of one
        sticker carries the same file id, as on Telegram."""
        if self._sticker_set is None:
            self._sticker_set = [
                self.files.add(data, "sticker", emoji, "image/webp")
                for emoji, data in draw_stickers().items()
            ]
        return self._sticker_set

    def stored_media(self, kind: str, file_id: str, duration: int = 1) -> Any:
        """A file Telegram already has (a sticker of a set), sent again by its id."""
        stored = self.files.get(file_id)
        if stored is None or stored.kind != kind:
            raise bad_request("wrong file identifier/HTTP URL specified")
        return self.files.media_json(stored, duration)

    def user_edit(self, user_id: int, chat_id: int, message_id: int, text: str) -> JSON:
        chat = self.chats.get(chat_id)
        stored = chat.messages.get(message_id) if chat else None
        if chat is None or stored is None or stored.data.get("from", {}).get("id") != user_id:
            raise bad_request("message to edit not found")
        # A message with media has its caption edited, as in Telegram's apps.
        stored.data["text" if "text" in stored.data else "caption"] = text
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
            query_id,
            user.id,
            self.clock.now(),
            int(stored.data["chat"]["id"]),
            message_id=int(stored.data["message_id"]),
            shown=shown(stored.data),
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
            {**self.new_message(chat), "migrate_to_chat_id": new.id},
        )
        self.add_update(
            "message",
            {**self.new_message(new), "migrate_from_chat_id": chat.id},
        )
        return new.id
