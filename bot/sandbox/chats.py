"""Who the bot is, files, commands, chats and their members, pins, chat actions."""

from __future__ import annotations

import re

from bot.sandbox.base import EmulatorState
from bot.sandbox.params import Params
from bot.sandbox.world import (
    ADMIN_RIGHTS,
    JSON,
    TOPIC_ICON_COLORS,
    Chat,
    Member,
    StoredMessage,
    Topic,
    User,
    bad_request,
)

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


def _applies(right: str, chat_type: str) -> bool:
    """Posting and editing are channels' rights; managing topics, supergroups'."""
    if right in ("can_post_messages", "can_edit_messages"):
        return chat_type == "channel"
    if right == "can_manage_topics":
        return chat_type == "supergroup"
    return True


def member_json(chat: Chat, user: User, member: Member) -> JSON:
    """A ChatMember object: what getChatMember answers and chat_member updates carry."""
    data: JSON = {"status": member.status, "user": user.to_api()}
    if member.status == "creator":
        data["is_anonymous"] = False
    elif member.status == "administrator":
        data.update(can_be_edited=False, is_anonymous=False)
        for right in ADMIN_RIGHTS:
            if _applies(right, chat.type):
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


class ChatMethods(EmulatorState):
    async def get_me(self, params: Params) -> JSON:
        return {
            **self.bot.to_api(),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": self.supports_inline_queries,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def log_out(self, params: Params) -> bool:
        return True

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
        return member_json(chat, user, member)

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

    # ------------------------------------------------------------------ topics

    async def create_forum_topic(self, params: Params) -> JSON:
        """A topic in a forum supergroup, for an administrator with can_manage_topics."""
        chat = self._chat(params.raw("chat_id"), for_sending=False)
        name = params.string("name") or ""
        if not name:
            raise bad_request("TOPIC_TITLE_EMPTY")
        if len(name) > 128:
            raise bad_request("TOPIC_TITLE_TOO_LONG")
        if chat.type != "supergroup" or not chat.is_forum:
            raise bad_request("the chat is not a forum")
        if not chat.members[self.bot.id].can("can_manage_topics"):
            raise bad_request("not enough rights to create a topic")
        color = params.integer("icon_color")
        if color is None:
            color = TOPIC_ICON_COLORS[0]
        elif color not in TOPIC_ICON_COLORS:
            raise bad_request("TOPIC_ICON_COLOR_INVALID")
        data = self.new_message(chat)
        topic = Topic(data["message_id"], name, color)
        data.update(
            {
                "from": self.bot.to_api(),
                "message_thread_id": topic.message_thread_id,
                "is_topic_message": True,
                "forum_topic_created": {"name": name, "icon_color": color},
            }
        )
        chat.messages[topic.message_thread_id] = StoredMessage(data, "service")
        chat.topics[topic.message_thread_id] = topic
        return topic.to_api()

    async def delete_forum_topic(self, params: Params) -> bool:
        """The topic and every message in it, for an administrator with can_delete_messages."""
        chat = self._chat(params.raw("chat_id"), for_sending=False)
        if chat.type != "supergroup" or not chat.is_forum:
            raise bad_request("the chat is not a forum")
        if not chat.members[self.bot.id].can("can_delete_messages"):
            raise bad_request("not enough rights to delete the topic")
        self.remove_topic(chat, params.integer("message_thread_id", required=True) or 0)
        return True
