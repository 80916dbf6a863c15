"""A client of the emulator's driver API: act as people, read what the bot did."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Callable
from typing import Any, cast

import aiohttp

JSON = dict[str, Any]


class DriverError(Exception):
    """The emulator refused a driver request (for example: no such button on the message)."""


class Driver:
    def __init__(self, base_url: str) -> None:
        self.base_url = base_url.rstrip("/")
        self._session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> Driver:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def request(self, method: str, path: str, body: JSON | None = None) -> Any:
        """One driver request (or any other route of the emulator's server); its result."""
        if self._session is None:
            self._session = aiohttp.ClientSession()
        async with self._session.request(method, self.base_url + path, json=body) as response:
            answer = await response.json()
        if not answer.get("ok"):
            raise DriverError(answer.get("description", "driver request failed"))
        return answer["result"]

    async def _object(self, method: str, path: str, body: JSON | None = None) -> JSON:
        return cast(JSON, await self.request(method, path, body))

    async def _objects(self, method: str, path: str, body: JSON | None = None) -> list[JSON]:
        return cast(list[JSON], await self.request(method, path, body))

    # --------------------------------------------------------------- the world

    async def add_user(
        self, first_name: str = "Supporter", language_code: str | None = "en", **extra: Any
    ) -> JSON:
        return await self._object(
            "POST",
            "/driver/users",
            {"first_name": first_name, "language_code": language_code, **extra},
        )

    async def add_chat(self, kind: str, title: str, **extra: Any) -> JSON:
        return await self._object("POST", "/driver/chats", {"type": kind, "title": title, **extra})

    async def set_member(
        self,
        chat_id: int,
        user_id: int,
        status: str,
        rights: dict[str, bool] | None = None,
        by: int | None = None,
    ) -> None:
        """Change a member's status, as `by` (an owner, or the person when joining or
        leaving, unless given); the bot hears of it as Telegram would tell it."""
        body = {
            "chat_id": chat_id,
            "user_id": user_id,
            "status": status,
            "rights": rights,
            "by": by,
        }
        await self.request("POST", "/driver/members", body)

    async def set_forum(self, chat_id: int, is_forum: bool = True) -> None:
        """Turn a supergroup's topics on (a forum) or off."""
        await self.request("POST", "/driver/forum", {"chat_id": chat_id, "is_forum": is_forum})

    async def delete_topic(self, chat_id: int, message_thread_id: int) -> None:
        """Someone deletes a forum topic, and every message in it."""
        body = {"chat_id": chat_id, "message_thread_id": message_thread_id}
        await self.request("POST", "/driver/delete_topic", body)

    async def topics(self, chat_id: int) -> list[JSON]:
        """The forum's topics (deleted ones marked), oldest first."""
        return await self._objects("GET", f"/driver/chats/{chat_id}/topics")

    async def block(self, user_id: int, blocked: bool = True) -> None:
        await self.request("POST", "/driver/block", {"user_id": user_id, "blocked": blocked})

    async def migrate(self, chat_id: int) -> int:
        return int(await self.request("POST", "/driver/migrate", {"chat_id": chat_id}))

    async def faults(self, count: int, mode: str = "error", **extra: Any) -> None:
        await self.request("POST", "/driver/faults", {"count": count, "mode": mode, **extra})

    async def flood(self, **limits: Any) -> None:
        await self.request("POST", "/driver/flood", limits)

    async def replay(self, update_id: int) -> None:
        await self.request("POST", "/driver/replay", {"update_id": update_id})

    async def advance_clock(self, seconds: float) -> None:
        await self.request("POST", "/driver/clock", {"advance": seconds})

    async def set_inline_mode(self, on: bool = True) -> None:
        """Switch the bot's inline mode on or off, as its owner does with @BotFather."""
        await self.request("POST", "/driver/inline_mode", {"on": on})

    async def state(self) -> JSON:
        return await self._object("GET", "/driver/state")

    # ------------------------------------------------------------ acting as people

    async def send(
        self, user_id: int, text: str, chat_id: int | None = None, **extra: Any
    ) -> JSON:
        body = {"user_id": user_id, "chat_id": chat_id, "kind": "text", "text": text, **extra}
        return await self._object("POST", "/driver/send", body)

    async def send_media(
        self,
        user_id: int,
        kind: str,
        data: bytes = b"media",
        chat_id: int | None = None,
        **extra: Any,
    ) -> JSON:
        body = {
            "user_id": user_id,
            "chat_id": chat_id,
            "kind": kind,
            "data": base64.b64encode(data).decode("ascii"),
            **extra,
        }
        return await self._object("POST", "/driver/send", body)

    async def send_other(self, user_id: int, kind: str, **fields: Any) -> JSON:
        """Send a location, contact or poll."""
        return await self._object(
            "POST", "/driver/send", {"user_id": user_id, "kind": kind, **fields}
        )

    async def edit(self, user_id: int, chat_id: int, message_id: int, text: str) -> JSON:
        body = {"user_id": user_id, "chat_id": chat_id, "message_id": message_id, "text": text}
        return await self._object("POST", "/driver/edit", body)

    async def press(
        self,
        user_id: int,
        chat_id: int,
        *,
        text: str | None = None,
        data: str | None = None,
        message_id: int | None = None,
    ) -> str:
        """Press a button on the newest message carrying it; return the callback query id."""
        body = {
            "user_id": user_id,
            "chat_id": chat_id,
            "text": text,
            "data": data,
            "message_id": message_id,
        }
        return str(await self.request("POST", "/driver/press", body))

    async def send_and_wait(
        self,
        user_id: int,
        text: str,
        replies: int = 1,
        timeout: float = 10.0,
        chat_id: int | None = None,
    ) -> list[JSON]:
        """Send a text (by default in the person's private chat); return once the bot sent
        `replies` messages there."""
        body = {
            "user_id": user_id,
            "chat_id": chat_id,
            "kind": "text",
            "text": text,
            "replies": replies,
            "timeout": timeout,
        }
        return cast(list[JSON], (await self._object("POST", "/driver/send", body))["replies"])

    async def press_and_wait(
        self, user_id: int, data: str, replies: int = 1, timeout: float = 10.0
    ) -> list[JSON]:
        """Press a button in the person's private chat; return once the bot answered with
        `replies` messages (new ones, or the pressed one changed in place)."""
        body = {
            "user_id": user_id,
            "chat_id": user_id,
            "data": data,
            "replies": replies,
            "timeout": timeout,
        }
        return cast(list[JSON], (await self._object("POST", "/driver/press", body))["replies"])

    async def press_and_see(
        self,
        user_id: int,
        chat_id: int,
        *,
        text: str | None = None,
        data: str | None = None,
        replies: int = 1,
        timeout: float = 10.0,
    ) -> tuple[str, list[JSON]]:
        """Press a button on the newest message carrying it; return the query id once the bot
        answered with `replies` messages (new ones, or the pressed one changed in place)."""
        body = {
            "user_id": user_id,
            "chat_id": chat_id,
            "text": text,
            "data": data,
            "replies": replies,
            "timeout": timeout,
        }
        found = await self._object("POST", "/driver/press", body)
        return str(found["query_id"]), cast(list[JSON], found["replies"])

    async def forge_press(self, user_id: int, chat_id: int, message_id: int, data: str) -> str:
        body = {
            "user_id": user_id,
            "chat_id": chat_id,
            "message_id": message_id,
            "data": data,
            "forged": True,
        }
        return str(await self.request("POST", "/driver/press", body))

    async def inline_query(
        self,
        user_id: int,
        query: str = "",
        chat_type: str | None = "sender",
        offset: str = "",
        timeout: float = 10.0,
    ) -> JSON:
        """Type `@bot query` as the person, in a chat of `chat_type`; return the query once
        the bot answered it: its "answer" holds the results, cache_time and is_personal."""
        body = {
            "user_id": user_id,
            "query": query,
            "chat_type": chat_type,
            "offset": offset,
            "wait": True,
            "timeout": timeout,
        }
        return await self._object("POST", "/driver/inline", body)

    async def send_inline_query(
        self, user_id: int, query: str = "", chat_type: str | None = "sender"
    ) -> str:
        """Type `@bot query` as the person; return the query's id at once."""
        body = {"user_id": user_id, "query": query, "chat_type": chat_type}
        return str(await self.request("POST", "/driver/inline", body))

    async def choose_inline_result(
        self, user_id: int, query_id: str, result_id: str, chat_id: int
    ) -> JSON:
        """Pick one of the bot's results and send it into a chat the person may write in;
        return the message as its recipients see it ("via_bot" the bot)."""
        body = {"user_id": user_id, "query_id": query_id, "result_id": result_id}
        return await self._object("POST", "/driver/choose_inline", {**body, "chat_id": chat_id})

    async def inline_answer(self, query_id: str) -> JSON:
        """An inline query and the bot's answer to it (None while unanswered)."""
        return await self._object("GET", f"/driver/inline/{query_id}")

    # ----------------------------------------------------------------- reading

    async def messages(
        self, chat_id: int, include_deleted: bool = False, after: int = 0
    ) -> list[JSON]:
        found = await self.request("GET", f"/driver/chats/{chat_id}/messages?after={after}")
        return [m for m in found if include_deleted or not m["deleted"]]

    async def bot_messages(self, chat_id: int, after: int = 0) -> list[JSON]:
        return [m for m in await self.messages(chat_id, after=after) if m["sender"] == "bot"]

    async def download(self, file_id: str) -> bytes:
        """The content of a file the bot sent or a person uploaded."""
        if self._session is None:
            self._session = aiohttp.ClientSession()
        async with self._session.get(f"{self.base_url}/driver/files/{file_id}") as response:
            if response.status != 200:
                raise DriverError(f"no file {file_id}")
            return await response.read()

    async def callback_answer(self, query_id: str) -> JSON:
        return await self._object("GET", f"/driver/callbacks/{query_id}")

    async def calls(self, method: str | None = None, since: int = 0) -> list[JSON]:
        query = f"?since={since}" + (f"&method={method}" if method else "")
        return await self._objects("GET", "/driver/calls" + query)

    async def wait_for(
        self,
        probe: Callable[[], Any],
        timeout: float = 10.0,
        what: str = "the bot",
        chat_id: int | None = None,
    ) -> Any:
        """Call the async `probe` until it returns something truthy; fail after `timeout`."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            result = await probe()
            if result:
                return result
            if loop.time() > deadline:
                raise TimeoutError(f"waited {timeout:.0f}s for {what}")
            await self.request("POST", "/driver/wait", {"timeout": 0.2, "chat_id": chat_id})

    async def wait_bot_messages(
        self, chat_id: int, after: int = 0, count: int = 1, timeout: float = 10.0
    ) -> list[JSON]:
        """Wait until the bot has sent at least `count` messages to the chat after `after`."""

        async def probe() -> list[JSON] | None:
            found = await self.bot_messages(chat_id, after)
            return found if len(found) >= count else None

        result: list[JSON] = await self.wait_for(
            probe, timeout, f"{count} bot message(s)", chat_id=chat_id
        )
        return result

    async def wait_answered(self, query_id: str, timeout: float = 10.0) -> JSON:
        async def probe() -> JSON | None:
            answer = await self.callback_answer(query_id)
            return answer if answer["answered"] else None

        result: JSON = await self.wait_for(probe, timeout, "the button press to be answered")
        return result
