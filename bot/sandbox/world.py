"""The emulator's world: people, chats, messages, files and updates, as Telegram keeps them."""

from __future__ import annotations

import itertools
import secrets
import struct
import time
from dataclasses import dataclass, field
from typing import Any

JSON = dict[str, Any]

ADMIN_RIGHTS = (
    "can_manage_chat",
    "can_delete_messages",
    "can_manage_video_chats",
    "can_restrict_members",
    "can_promote_members",
    "can_change_info",
    "can_invite_users",
    "can_post_stories",
    "can_edit_stories",
    "can_delete_stories",
    "can_post_messages",
    "can_edit_messages",
    "can_pin_messages",
    "can_manage_topics",  # supergroups only
)
# The colours a topic's icon may have (createForumTopic's icon_color); the first is the default.
TOPIC_ICON_COLORS = (0x6FB9F0, 0xFFD67E, 0xCB86DB, 0x8EEE98, 0xFF93B2, 0xFB6F5F)


class ApiError(Exception):
    """An error answer of the Bot API: HTTP status, description and optional parameters."""

    def __init__(self, code: int, description: str, parameters: JSON | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters

    def to_json(self) -> JSON:
        body: JSON = {"ok": False, "error_code": self.code, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(text: str, parameters: JSON | None = None) -> ApiError:
    return ApiError(400, f"Bad Request: {text}", parameters)


@dataclass
class User:
    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None
    is_bot: bool = False
    blocked_bot: bool = False

    def to_api(self) -> JSON:
        data: JSON = {"id": self.id, "is_bot": self.is_bot, "first_name": self.first_name}
        for key in ("last_name", "username", "language_code"):
            value = getattr(self, key)
            if value is not None:
                data[key] = value
        return data


@dataclass
class Member:
    status: str  # creator, administrator, member, restricted, left, kicked
    rights: dict[str, bool] = field(default_factory=dict)

    def can(self, right: str) -> bool:
        return self.status == "creator" or (
            self.status == "administrator" and self.rights.get(right, False)
        )


@dataclass
class StoredMessage:
    data: JSON
    sender: str  # "bot", "user" or "service"
    deleted: bool = False
    edits: int = 0
    reply_keyboard: JSON | None = None

    def to_driver(self) -> JSON:
        return {
            **self.data,
            "sender": self.sender,
            "deleted": self.deleted,
            "edits": self.edits,
            "reply_keyboard": self.reply_keyboard,
        }


@dataclass
class Topic:
    """A forum topic: its id is that of the service message that created it."""

    message_thread_id: int
    name: str
    icon_color: int
    deleted: bool = False

    def to_api(self) -> JSON:
        return {
            "message_thread_id": self.message_thread_id,
            "name": self.name,
            "icon_color": self.icon_color,
        }


@dataclass
class Chat:
    id: int
    type: str  # private, group, supergroup, channel
    title: str | None = None
    username: str | None = None
    first_name: str | None = None
    members: dict[int, Member] = field(default_factory=dict)
    messages: dict[int, StoredMessage] = field(default_factory=dict)
    next_message_id: int = 1
    migrated_to: int | None = None
    pinned_message_id: int | None = None
    is_forum: bool = False  # a supergroup with topics
    topics: dict[int, Topic] = field(default_factory=dict)

    def to_api(self) -> JSON:
        data: JSON = {"id": self.id, "type": self.type}
        if self.type == "supergroup" and self.is_forum:
            data["is_forum"] = True
        if self.type == "private":
            data["first_name"] = self.first_name or ""
            if self.username:
                data["username"] = self.username
        else:
            data["title"] = self.title or ""
            if self.username:
                data["username"] = self.username
        return data

    def take_message_id(self) -> int:
        message_id = self.next_message_id
        self.next_message_id += 1
        return message_id


@dataclass
class StoredFile:
    file_id: str
    file_unique_id: str
    data: bytes
    kind: str
    file_name: str | None = None
    mime_type: str | None = None

    @property
    def file_path(self) -> str:
        extension = {
            "photo": "jpg",
            "voice": "oga",
            "video": "mp4",
            "video_note": "mp4",
            "sticker": "webp",
        }.get(self.kind, "bin")
        return f"{self.kind}s/file_{self.file_unique_id}.{extension}"


def shown(data: JSON) -> str | None:
    """What a message shows a person: its text, or its caption."""
    return data.get("text", data.get("caption"))


@dataclass
class CallbackQuery:
    id: str
    user_id: int
    created: float
    chat_id: int = 0
    answered: bool = False
    answer: JSON | None = None
    # The pressed message, and what it showed when pressed (its text or caption): what the
    # bot changes there counts as its answer, as a new message does.
    message_id: int = 0
    shown: str | None = None


@dataclass
class InlineQuery:
    """A query a person typed after the bot's username, and the bot's answer to it."""

    id: str
    user_id: int
    query: str
    created: float
    offset: str = ""
    chat_type: str | None = None
    answered: bool = False
    answer: JSON | None = None

    def to_driver(self) -> JSON:
        return {
            "id": self.id,
            "user_id": self.user_id,
            "query": self.query,
            "answered": self.answered,
            "answer": self.answer,
        }


class Clock:
    """Wall time that tests may move forward (to age messages past 48 hours, say)."""

    def __init__(self) -> None:
        self.offset = 0.0

    def now(self) -> float:
        return time.time() + self.offset


def image_size(data: bytes) -> tuple[int, int]:
    """Width and height of a PNG or JPEG, or a square default for anything else."""
    if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return int(width), int(height)
    if data[:2] == b"\xff\xd8":
        index = 2
        while index + 9 < len(data):
            if data[index] != 0xFF:
                break
            marker = data[index + 1]
            size = struct.unpack(">H", data[index + 2 : index + 4])[0]
            if marker in (0xC0, 0xC1, 0xC2):
                height, width = struct.unpack(">HH", data[index + 5 : index + 9])
                return int(width), int(height)
            index += 2 + size
    return 320, 320


class FileStore:
    """Files by id, as Telegram's servers keep uploads."""

    def __init__(self) -> None:
        self._files: dict[str, StoredFile] = {}
        self._counter = itertools.count(1)

    def add(
        self, data: bytes, kind: str, file_name: str | None = None, mime_type: str | None = None
    ) -> StoredFile:
        number = next(self._counter)
        unique = f"U{number:06d}{secrets.token_hex(3)}"
        file_id = f"{kind[:2].upper()}{number:06d}-{secrets.token_urlsafe(12)}"
        stored = StoredFile(file_id, unique, data, kind, file_name, mime_type)
        self._files[file_id] = stored
        return stored

    def get(self, file_id: str) -> StoredFile | None:
        return self._files.get(file_id)

    def by_path(self, path: str) -> StoredFile | None:
        for stored in self._files.values():
            if stored.file_path == path:
                return stored
        return None

    def media_json(self, stored: StoredFile, duration: int = 1) -> Any:
        """The Bot API object (or photo size list) describing a stored file."""
        base: JSON = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.data),
        }
        if stored.kind == "photo":
            width, height = image_size(stored.data)
            return [{**base, "width": width, "height": height}]
        if stored.kind == "voice":
            return {**base, "duration": duration, "mime_type": stored.mime_type or "audio/ogg"}
        if stored.kind == "video":
            return {
                **base,
                "duration": duration,
                "width": 640,
                "height": 360,
                "mime_type": stored.mime_type or "video/mp4",
            }
        if stored.kind == "video_note":
            return {**base, "duration": duration, "length": 240}
        if stored.kind == "sticker":
            return {
                **base,
                "width": 512,
                "height": 512,
                "is_animated": False,
                "is_video": False,
                "type": "regular",
                "emoji": stored.file_name or "🙂",
            }
        document = dict(base)
        if stored.file_name:
            document["file_name"] = stored.file_name
        if stored.mime_type:
            document["mime_type"] = stored.mime_type
        return document
