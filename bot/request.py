"""The bot's HTTP client: python-telegram-bot's request interface on aiohttp.

PTB's default client is httpx. Under load, profiling showed three quarters of the bot's own
CPU time inside httpx and httpcore: the pool checks every idle connection's socket before each
request. aiohttp's client, with its C parser and a plain keep-alive pool, does the same work
for a fraction of that. This class maps PTB's four timeouts onto aiohttp's and its errors onto
PTB's, so everything above it (retries, 429 handling, error messages) is unchanged. Parameters
travel as a JSON body, uploads as multipart form data.
"""

from __future__ import annotations

import json
import ssl
from typing import Any

import aiohttp
from telegram.error import NetworkError, TelegramError, TimedOut
from telegram.ext import ExtBot
from telegram.request import BaseRequest, RequestData

# PTB types a timeout as a float, None, or its DEFAULT_NONE sentinel ("not given"); the
# alias it uses for that lives in a private module, so the parameters here take any object.
Timeout = object


def _seconds(value: Timeout, default: float | None) -> float | None:
    """PTB passes DEFAULT_NONE for "not given": then this request's own default applies."""
    if value is BaseRequest.DEFAULT_NONE:
        return default
    return None if value is None else float(value)  # type: ignore[arg-type]


def _tls() -> ssl.SSLContext:
    """Certificates as httpx found them (certifi's bundle), so that a slim container that
    lacks the system's bundle still reaches api.telegram.org."""
    try:
        import certifi
    except ImportError:
        return ssl.create_default_context()
    return ssl.create_default_context(cafile=certifi.where())


class AiohttpRequest(BaseRequest):
    """One keep-alive connection pool to the Bot API, shared by all of a bot's calls."""

    __slots__ = ("_connections", "_media_write_timeout", "_session", "_timeouts")

    def __init__(
        self,
        connection_pool_size: int = 256,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
        media_write_timeout: float | None = 20.0,
    ) -> None:
        self._connections = connection_pool_size
        self._timeouts = {
            "read": read_timeout,
            "write": write_timeout,
            "connect": connect_timeout,
            "pool": pool_timeout,
        }
        self._media_write_timeout = media_write_timeout
        self._session: aiohttp.ClientSession | None = None

    @staticmethod
    def parse_json_payload(payload: bytes) -> dict[str, Any]:
        """As PTB's, without its traceback: a server that is not a Bot API (a wrong
        TELEGRAM_API_URL, a captive portal) answers HTML, and PTB logs it with one."""
        try:
            parsed: dict[str, Any] = json.loads(payload.decode("utf-8", "replace"))
        except ValueError:
            raise TelegramError("Invalid server response") from None
        return parsed

    @property
    def read_timeout(self) -> float | None:
        return self._timeouts["read"]

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._connections, ssl=_tls()),
                headers={"User-Agent": self.USER_AGENT},
                # PTB reads the body itself and raises for an error status.
                raise_for_status=False,
            )

    async def shutdown(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Timeout = BaseRequest.DEFAULT_NONE,
        write_timeout: Timeout = BaseRequest.DEFAULT_NONE,
        connect_timeout: Timeout = BaseRequest.DEFAULT_NONE,
        pool_timeout: Timeout = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        files = request_data.multipart_data if request_data else None
        data: Any = None
        headers: dict[str, str] = {}
        if request_data is not None and files:
            form = aiohttp.FormData()
            for name, value in request_data.json_parameters.items():
                form.add_field(name, value)
            for name, (filename, content, mime_type) in files.items():
                if not isinstance(content, bytes):
                    content.seek(0)  # a file streamed before, if this is a retry after a 429
                form.add_field(name, content, filename=filename, content_type=mime_type)
            data = form
        elif request_data is not None:
            # A JSON body (which the Bot API accepts except for uploads) is encoded in C; a
            # form body is percent-encoded character by character in Python.
            data = json.dumps(request_data.parameters, ensure_ascii=False).encode("utf-8")
            headers["Content-Type"] = "application/json"
        read = _seconds(read_timeout, self._timeouts["read"])
        write = _seconds(
            write_timeout, self._media_write_timeout if files else self._timeouts["write"]
        )
        connect = _seconds(connect_timeout, self._timeouts["connect"])
        pool = _seconds(pool_timeout, self._timeouts["pool"])
        # aiohttp has no write timeout of its own: the write time is added to the read time,
        # which starts counting once the request is on its way.
        timeout = aiohttp.ClientTimeout(
            total=None,
            connect=None if connect is None or pool is None else connect + pool,
            sock_connect=connect,
            sock_read=None if read is None or write is None else read + write,
        )
        try:
            async with self._session.request(
                method, url, data=data, headers=headers, timeout=timeout
            ) as answer:
                return answer.status, await answer.read()
        except (TimeoutError, aiohttp.ServerTimeoutError) as error:
            raise TimedOut from error
        except aiohttp.ClientError as error:
            raise NetworkError(f"aiohttp.{error.__class__.__name__}: {error}") from error


# What the bot reads of a text message it sent or edited: its id and date (for /clear), its
# chat, its topic. Telegram sends the whole message back (text, entities, keyboard, sender),
# and turning that into PTB's objects was a tenth of the bot's CPU under load.
KEPT_OF_A_SENT_TEXT = ("message_id", "date", "edit_date", "chat", "message_thread_id",
                       "is_topic_message")  # fmt: skip
TEXT_ANSWERS = frozenset({"sendMessage", "editMessageText", "editMessageReplyMarkup"})
# What the bot never reads of the message under a pressed button: its keyboard (the bot drew
# it; the button's data says what was pressed) and the formatting of its text. Its id, chat,
# topic, text and caption stay: a press is answered in place, and a card is compared.
UNREAD_OF_A_PRESSED_MESSAGE = ("reply_markup", "entities", "caption_entities")


def trim_pressed(updates: list[Any]) -> None:
    """Drop what the bot never reads of the message under each pressed button (in place):
    of getUpdates' answer, or of an update a webhook received."""
    for update in updates:
        query = update.get("callback_query") if isinstance(update, dict) else None
        message = query.get("message") if isinstance(query, dict) else None
        if isinstance(message, dict):
            for key in UNREAD_OF_A_PRESSED_MESSAGE:
                message.pop(key, None)


class TrimmedBot(ExtBot[int]):
    """PTB's ExtBot, keeping of a sent or edited text message, and of the message under a
    pressed button, only what the bot reads.

    PTB's own extension point: Bot methods -> _post -> _do_post (ExtBot adds its rate
    limiter there). Everything else, media included, is as Telegram sent it.
    """

    async def _do_post(
        self,
        endpoint: str,
        data: dict[str, Any],
        *,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> Any:
        result = await super()._do_post(
            endpoint,
            data,
            read_timeout=read_timeout,
            write_timeout=write_timeout,
            connect_timeout=connect_timeout,
            pool_timeout=pool_timeout,
        )
        if endpoint in TEXT_ANSWERS and isinstance(result, dict):
            return {key: result[key] for key in KEPT_OF_A_SENT_TEXT if key in result}
        if endpoint == "getUpdates" and isinstance(result, list):
            trim_pressed(result)  # its keyboard was over half the parsing of a press
        return result
