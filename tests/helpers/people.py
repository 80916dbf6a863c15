"""Simulated people: a supporter in a private chat with the bot, acting through the driver."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.sandbox.driver import Driver

JSON = dict[str, Any]


@dataclass
class Supporter:
    driver: Driver
    id: int
    language_code: str | None

    @property
    def chat_id(self) -> int:
        return self.id

    async def send(self, text: str) -> JSON:
        return await self.driver.send(self.id, text)

    async def say(self, text: str, replies: int = 1) -> list[JSON]:
        """Send text and wait for at least `replies` bot messages after it."""
        sent = await self.send(text)
        return await self.driver.wait_bot_messages(self.id, sent["message_id"], replies)

    async def press(self, text: str | None = None, data: str | None = None) -> str:
        return await self.driver.press(self.id, self.id, text=text, data=data)

    async def press_and_wait(
        self, text: str | None = None, data: str | None = None, replies: int = 1
    ) -> list[JSON]:
        """Press a button and wait for the bot's answer: `replies` messages, each a new one or
        the pressed one changed in place (its text or caption, not only its buttons)."""
        query_id, found = await self.driver.press_and_see(
            self.id, self.id, text=text, data=data, replies=replies
        )
        await self.driver.wait_answered(query_id)
        return found

    async def inline_query(self, query: str = "", chat_type: str | None = "sender") -> JSON:
        """Type `@bot query` in a chat; the bot's answer: results, cache_time, is_personal."""
        answered = await self.driver.inline_query(self.id, query, chat_type)
        answer: JSON = answered["answer"]
        return answer

    async def last_message_id(self) -> int:
        messages = await self.driver.messages(self.id, include_deleted=True)
        return max((m["message_id"] for m in messages), default=0)

    async def bot_messages(self) -> list[JSON]:
        return await self.driver.bot_messages(self.id)


async def new_supporter(
    driver: Driver,
    first_name: str = "Supporter",
    language_code: str | None = "en",
    user_id: int | None = None,
) -> Supporter:
    extra = {"id": user_id} if user_id is not None else {}
    user = await driver.add_user(first_name, language_code, **extra)
    return Supporter(driver, user["id"], language_code)


def buttons(message: JSON) -> list[str]:
    """The texts of a message's inline buttons, row by row."""
    markup = message.get("reply_markup") or {}
    return [button["text"] for row in markup.get("inline_keyboard", []) for button in row]


def letter_text(messages: list[JSON]) -> str:
    """The visible text of consecutive letter parts, joined as one text."""
    return "\n\n".join(m["text"] for m in messages)
