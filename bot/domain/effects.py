"""What the bot sends on its own: posts queued in the outbox, and what follows their delivery.

A post is written to the outbox in the same transaction as the decision that causes it; the
outbox worker delivers it and then runs its follow-up, if it has one.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from enum import Enum
from typing import Any

# Where a post goes, besides a person's chat (their Telegram id, as text).
MODERATORS = "moderators"
CHANNEL = "channel"

Key = tuple[str, str]  # a button: its label and its callback data
# What a card or a post shows, so that it can be reached again when its author withdraws:
# ("S", signature id), ("M", message id) or ("D", digest id).
Shown = tuple[tuple[str, int], ...]
SIGNATURE, MESSAGE, DIGEST = "S", "M", "D"
Keyboard = tuple[tuple[Key, ...], ...]


class Method(Enum):
    MESSAGE = "message"
    PHOTO = "photo"
    VOICE = "voice"
    VIDEO = "video"
    VIDEO_NOTE = "video_note"
    EDIT = "edit"  # replace the text of a post already sent (`target`)
    DELETE = "delete"  # delete a post already sent; where refused, edit it to `text`


class FollowUp(Enum):
    """What happens once a post is delivered."""

    PUBLISHED = "published"  # a message's channel post: keep its link, tell the author
    RELEASE = "release"  # a notice to a person: their Telegram id may be erased
    COUNTER = "counter"  # the counter post: keep its id, to edit and pin it
    CARD = "card"  # a message's card: if Telegram refuses it, the message cannot be reviewed


class OutboxStatus(Enum):
    QUEUED = "queued"
    SENT = "sent"
    DROPPED = "dropped"  # the person blocked the bot, or asked to be forgotten
    FAILED = "failed"  # Telegram refused it


@dataclass(frozen=True)
class Post:
    method: Method
    text: str | None = None  # the text, or a media's caption (Telegram HTML)
    file_id: str | None = None
    buttons: Keyboard = ()
    follow_up: FollowUp | None = None
    message_id: int | None = None  # the solidarity message a PUBLISHED post or a CARD shows
    shows: Shown = ()
    target: int | None = None  # the Telegram message an EDIT or a DELETE acts on
    about: tuple[str, int] | None = None  # the item a notice to its author is about
    reply_to: int | None = None  # a MESSAGE sent as a reply to this Telegram message

    def to_json(self) -> dict[str, Any]:
        """The outbox row's payload (the layout queued rows of earlier versions have)."""
        data: dict[str, Any] = {"method": self.method.value}
        if self.file_id is not None:
            data["file_id"] = self.file_id
        if self.method is Method.MESSAGE:
            data["text"] = self.text
        elif self.text is not None:
            data["caption"] = self.text
        if self.buttons:
            data["buttons"] = [[list(key) for key in row] for row in self.buttons]
        if self.follow_up is not None:
            data["after"] = self.follow_up.value
        if self.message_id is not None:
            data["message_id"] = self.message_id
        if self.shows:
            data["shows"] = [list(item) for item in self.shows]
        if self.target is not None:
            data["target"] = self.target
        if self.about is not None:
            data["about"] = list(self.about)
        if self.reply_to is not None:
            data["reply_to"] = self.reply_to
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Post:
        after = data.get("after")
        message_id = data.get("message_id")
        target = data.get("target")
        about = data.get("about")
        reply_to = data.get("reply_to")
        return cls(
            method=Method(data["method"]),
            text=data.get("text", data.get("caption")),
            file_id=data.get("file_id"),
            buttons=tuple(
                tuple((str(label), str(key)) for label, key in row)
                for row in data.get("buttons") or ()
            ),
            follow_up=FollowUp(after) if after else None,
            message_id=int(message_id) if message_id is not None else None,
            shows=tuple((str(kind), int(number)) for kind, number in data.get("shows") or ()),
            target=int(target) if target is not None else None,
            about=(str(about[0]), int(about[1])) if about else None,
            reply_to=int(reply_to) if reply_to is not None else None,
        )


@dataclass(frozen=True)
class OutboxItem:
    id: int
    chat: str
    person_key: str | None
    raw_payload: str
    attempts: int

    @functools.cached_property
    def post(self) -> Post:
        """Parsed when the item is sent, not each time the queue is read."""
        return Post.from_json(json.loads(self.raw_payload))

    @property
    def private(self) -> bool:
        """Sent to a person (their id), not to the moderator group or the channel."""
        return self.chat.lstrip("-").isdigit()


@dataclass(frozen=True)
class Place:
    """Where a card or a post showing an item is: queued still, or sent (Telegram's id)."""

    outbox_id: int
    chat: str  # MODERATORS or CHANNEL
    message_id: int | None  # None while queued

    @property
    def queued(self) -> bool:
        return self.message_id is None
