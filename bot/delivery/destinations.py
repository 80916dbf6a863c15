"""Where the outbox's chats are now: the moderator group moves when it becomes a supergroup."""

from __future__ import annotations

from bot.domain.effects import CHANNEL, MODERATORS
from bot.domain.ports import StateStore


class Destinations:
    def __init__(self, state: StateStore, moderator_chat_id: int, channel_id: int | str) -> None:
        self._state = state
        self._configured = moderator_chat_id
        self.moderator_chat_id = moderator_chat_id
        self.channel_id = channel_id
        # (user id, administrators only) -> (may decide, until when): from chat_member updates
        # as they come, else getChatMember, for a minute; emptied when the group moves.
        self.permissions: dict[tuple[int, bool], tuple[bool, float]] = {}

    @property
    def _moved_key(self) -> str:
        return f"migrated_from:{self._configured}"

    async def load(self) -> None:
        """The group's id now, as stored when it last moved (across restarts)."""
        moved = await self._state.get(self._moved_key)
        self.moderator_chat_id = int(moved) if moved else self._configured

    async def resolve(self, chat: str) -> int | str:
        if chat == MODERATORS:
            return self.moderator_chat_id
        if chat == CHANNEL:
            return self.channel_id
        return int(chat)

    async def moved(self, new_id: int) -> None:
        await self._state.set(self._moved_key, str(new_id))
        self.moderator_chat_id = new_id
        self.permissions.clear()
