"""HTTP face of the emulator: the Bot API as Telegram serves it, downloads, the driver API."""

from __future__ import annotations

import base64
import json
import logging
from pathlib import Path
from typing import Any

from aiohttp import BodyPartReader, web

from bot.sandbox.emulator import Emulator
from bot.sandbox.faults import Fault, FloodLimits
from bot.sandbox.params import Upload
from bot.sandbox.telegram_html import render_html
from bot.sandbox.world import JSON, ApiError, bad_request

logger = logging.getLogger(__name__)

EMULATOR_KEY = web.AppKey("emulator", Emulator)


async def _read_params(request: web.Request) -> dict[str, Any]:
    values: dict[str, Any] = dict(request.query)
    if request.method != "POST" or not request.body_exists:
        return values
    content_type = request.content_type
    if content_type == "application/json":
        body = await request.json()
        if isinstance(body, dict):
            values.update(body)
    elif content_type == "multipart/form-data":
        reader = await request.multipart()
        async for part in reader:
            if not isinstance(part, BodyPartReader) or part.name is None:
                continue
            data = await part.read()
            if part.filename is not None:
                values[part.name] = Upload(part.filename, part.headers.get("Content-Type"), data)
            else:
                values[part.name] = data.decode("utf-8")
    else:
        form = await request.post()
        for key, value in form.items():
            if isinstance(value, web.FileField):
                values[key] = Upload(value.filename, value.content_type, value.file.read())
            else:
                values[key] = value
    return values


def _answer(result: Any) -> web.Response:
    return web.json_response({"ok": True, "result": result}, dumps=_dumps)


def _error(error: ApiError) -> web.Response:
    return web.json_response(error.to_json(), status=error.code, dumps=_dumps)


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


async def bot_api(request: web.Request) -> web.StreamResponse:
    emulator = request.app[EMULATOR_KEY]
    if request.match_info["token"] != emulator.token:
        return _error(ApiError(401, "Unauthorized"))
    try:
        values = await _read_params(request)
    except (ValueError, UnicodeDecodeError):
        return _error(bad_request("can't parse request body"))
    try:
        result = await emulator.call(request.match_info["method"], values)
    except ApiError as error:
        return _error(error)
    return _answer(result)


async def download(request: web.Request) -> web.StreamResponse:
    emulator = request.app[EMULATOR_KEY]
    if request.match_info["token"] != emulator.token:
        return _error(ApiError(401, "Unauthorized"))
    stored = emulator.files.by_path(request.match_info["path"])
    if stored is None:
        return _error(ApiError(404, "Not Found"))
    return web.Response(
        body=stored.data, content_type=stored.mime_type or "application/octet-stream"
    )


# ------------------------------------------------------------------ driver API


async def _body(request: web.Request) -> JSON:
    if not request.body_exists:
        return {}
    body = await request.json()
    if not isinstance(body, dict):
        raise bad_request("the body must be a JSON object")
    return body


def _driver(handler: Any) -> Any:
    async def wrapped(request: web.Request) -> web.StreamResponse:
        try:
            result = await handler(request.app[EMULATOR_KEY], request, await _body(request))
        except ApiError as error:
            return _error(error)
        except (KeyError, TypeError, ValueError) as error:
            return _error(bad_request(f"driver request malformed: {error!r}"))
        return _answer(result)

    return wrapped


async def driver_add_user(emulator: Emulator, request: web.Request, body: JSON) -> JSON:
    user = emulator.add_user(
        body.get("first_name", "Supporter"),
        body.get("last_name"),
        body.get("username"),
        body.get("language_code"),
        body.get("id"),
    )
    return user.to_api()


async def driver_add_chat(emulator: Emulator, request: web.Request, body: JSON) -> JSON:
    chat = emulator.add_chat(
        body["type"],
        body.get("title", "Chat"),
        body.get("username"),
        body.get("id"),
        body.get("bot_status", "member"),
        body.get("bot_rights"),
        bool(body.get("is_forum", False)),
    )
    for member in body.get("members", []):
        emulator.set_member(
            chat.id, member["user_id"], member["status"], member.get("rights"), announce=False
        )
    return chat.to_api()


async def driver_set_member(emulator: Emulator, request: web.Request, body: JSON) -> bool:
    emulator.set_member(
        body["chat_id"], body["user_id"], body["status"], body.get("rights"), body.get("by")
    )
    return True


async def driver_send(emulator: Emulator, request: web.Request, body: JSON) -> JSON:
    """A person sends something. Media arrive base64-encoded in `data`."""
    kind = body.get("kind", "text")
    content: JSON = {}
    if kind == "text":
        content["text"] = body["text"]
    elif kind in ("photo", "voice", "video", "video_note", "document", "sticker"):
        if body.get("file_id"):
            content[kind] = emulator.stored_media(kind, body["file_id"], body.get("duration", 1))
        else:
            raw = base64.b64decode(body.get("data", "")) or b"\x00"
            name = body.get("emoji") if kind == "sticker" else body.get("file_name")
            content[kind] = emulator.user_media(
                kind, raw, name, body.get("mime_type"), body.get("duration", 1)
            )
        if body.get("caption"):
            content["caption"] = body["caption"]
    elif kind == "location":
        content["location"] = {"latitude": body["latitude"], "longitude": body["longitude"]}
    elif kind == "contact":
        content["contact"] = {
            "phone_number": body["phone_number"],
            "first_name": body.get("first_name", "Contact"),
        }
    elif kind == "poll":
        content["poll"] = {
            "id": "1",
            "question": body.get("question", "?"),
            "options": [
                {"text": o, "voter_count": 0, "persistent_id": str(n)}
                for n, o in enumerate(body.get("options", ["a", "b"]))
            ],
            "total_voter_count": 0,
            "is_closed": False,
            "is_anonymous": True,
            "type": "regular",
            "allows_multiple_answers": False,
            "allows_revoting": False,
            "members_only": False,
        }
    else:
        raise bad_request(f"unknown kind {kind}")
    if body.get("media_group_id"):
        content["media_group_id"] = str(body["media_group_id"])
    if body.get("reply_to_message_id"):
        content["reply_to_message_id"] = body["reply_to_message_id"]
    if body.get("message_thread_id"):
        content["message_thread_id"] = int(body["message_thread_id"])
    sent = emulator.user_message(body["user_id"], body.get("chat_id"), content)
    if body.get("replies"):
        # Answer only once the bot has replied: one request per step for load generators.
        chat_id = int(sent["chat"]["id"])
        replies = await emulator.wait_bot_messages(
            chat_id, sent["message_id"], int(body["replies"]), float(body.get("timeout", 10))
        )
        return {**sent, "replies": replies}
    return sent


async def driver_stickers(emulator: Emulator, request: web.Request, body: JSON) -> list[JSON]:
    """The sticker set people can send (by `file_id`, with kind "sticker")."""
    return [
        {"file_id": stored.file_id, "emoji": stored.file_name} for stored in emulator.sticker_set()
    ]


async def driver_edit(emulator: Emulator, request: web.Request, body: JSON) -> JSON:
    return emulator.user_edit(body["user_id"], body["chat_id"], body["message_id"], body["text"])


async def driver_press(emulator: Emulator, request: web.Request, body: JSON) -> JSON | str:
    if body.get("forged"):
        return emulator.forge_press(
            body["user_id"], body["chat_id"], body["message_id"], body["data"]
        )
    chat = emulator.chats.get(body["chat_id"])
    newest = chat.next_message_id - 1 if chat is not None else 0
    query_id = emulator.press(
        body["user_id"],
        body["chat_id"],
        body.get("message_id"),
        body.get("text"),
        body.get("data"),
    )
    if not body.get("replies"):
        return query_id
    replies = await emulator.wait_bot_answers(
        query_id, newest, int(body["replies"]), float(body.get("timeout", 10))
    )
    return {"query_id": query_id, "replies": replies}


async def driver_inline(emulator: Emulator, request: web.Request, body: JSON) -> JSON | str:
    """A person types `@bot query`; with `wait`, answer once the bot has answered it."""
    query_id = emulator.inline_query(
        body["user_id"],
        str(body.get("query", "")),
        body.get("chat_type", "sender"),
        str(body.get("offset", "")),
    )
    if not body.get("wait"):
        return query_id
    query = await emulator.wait_inline_answer(query_id, float(body.get("timeout", 10)))
    return query.to_driver()


async def driver_choose_inline(emulator: Emulator, request: web.Request, body: JSON) -> JSON:
    return emulator.choose_inline_result(
        body["user_id"], str(body["query_id"]), str(body["result_id"]), int(body["chat_id"])
    )


async def driver_inline_answer(emulator: Emulator, request: web.Request, body: JSON) -> JSON:
    query = emulator.inline_queries.get(request.match_info["query_id"])
    if query is None:
        raise bad_request("no such inline query")
    return query.to_driver()


async def driver_inline_mode(emulator: Emulator, request: web.Request, body: JSON) -> bool:
    emulator.set_inline_mode(bool(body.get("on", True)))
    return True


async def driver_messages(emulator: Emulator, request: web.Request, body: JSON) -> list[JSON]:
    chat = emulator.chats.get(int(request.match_info["chat_id"]))
    if chat is None:
        raise bad_request("chat not found")
    after = int(request.query.get("after", "0"))
    shown = [
        stored.to_driver()
        for stored in chat.messages.values()
        if stored.data["message_id"] > after
    ]
    if request.query.get("html"):
        for message in shown:
            text = message.get("text") or message.get("caption")
            if text:
                entities = message.get("entities") or message.get("caption_entities")
                message["html"] = render_html(text, entities)
    return shown


async def driver_callback(emulator: Emulator, request: web.Request, body: JSON) -> JSON:
    query = emulator.callback_queries.get(request.match_info["query_id"])
    if query is None:
        raise bad_request("no such callback query")
    return {"answered": query.answered, "answer": query.answer}


async def driver_calls(emulator: Emulator, request: web.Request, body: JSON) -> list[JSON]:
    method = request.query.get("method")
    since = int(request.query.get("since", "0"))
    return [
        call
        for call in emulator.calls
        if call["n"] > since and (method is None or call["method"] == method)
    ]


async def driver_state(emulator: Emulator, request: web.Request, body: JSON) -> JSON:
    in_groups = {
        user_id
        for chat in emulator.chats.values()
        if chat.type != "private"
        for user_id in chat.members
    }
    return {
        "users": [
            {**user.to_api(), "supporter": user.id not in in_groups}
            for user in emulator.users.values()
        ],
        "bot": emulator.bot.to_api(),
        "supports_inline_queries": emulator.supports_inline_queries,
        "pending_updates": emulator.pending_update_count,
        "updates_created": emulator.updates_created,
        "webhook": emulator.webhook,
        "call_count": emulator.call_count,
        "chats": [chat.to_api() for chat in emulator.chats.values() if chat.type != "private"],
        "commands": [
            {"scope": scope, "language_code": language, "commands": commands}
            for (scope, language), commands in emulator.commands.items()
        ],
    }


async def driver_faults(emulator: Emulator, request: web.Request, body: JSON) -> bool:
    methods = body.get("methods")
    emulator.faults.append(
        Fault(
            body.get("mode", "error"),
            int(body.get("count", 1)),
            set(methods) if methods else None,
            int(body.get("status", 500)),
            float(body.get("delay", 30.0)),
            str(body.get("description", "Internal Server Error")),
        )
    )
    return True


async def driver_flood(emulator: Emulator, request: web.Request, body: JSON) -> bool:
    emulator.flood = FloodLimits(
        body.get("per_chat_per_second"),
        body.get("per_group_per_minute"),
        body.get("overall_per_second"),
        float(body.get("group_window", 60.0)),
    )
    return True


async def driver_block(emulator: Emulator, request: web.Request, body: JSON) -> bool:
    emulator.users[body["user_id"]].blocked_bot = bool(body.get("blocked", True))
    return True


async def driver_migrate(emulator: Emulator, request: web.Request, body: JSON) -> int:
    return emulator.migrate(body["chat_id"])


async def driver_forum(emulator: Emulator, request: web.Request, body: JSON) -> bool:
    emulator.set_forum(body["chat_id"], bool(body.get("is_forum", True)))
    return True


async def driver_delete_topic(emulator: Emulator, request: web.Request, body: JSON) -> bool:
    emulator.delete_topic(body["chat_id"], body["message_thread_id"])
    return True


async def driver_topics(emulator: Emulator, request: web.Request, body: JSON) -> list[JSON]:
    chat = emulator.chats.get(int(request.match_info["chat_id"]))
    if chat is None:
        raise bad_request("chat not found")
    return [{**topic.to_api(), "deleted": topic.deleted} for topic in chat.topics.values()]


async def driver_replay(emulator: Emulator, request: web.Request, body: JSON) -> JSON:
    return emulator.replay(int(body["update_id"]))


async def driver_clock(emulator: Emulator, request: web.Request, body: JSON) -> float:
    emulator.clock.offset += float(body.get("advance", 0))
    return emulator.clock.now()


async def driver_wait(emulator: Emulator, request: web.Request, body: JSON) -> bool:
    timeout = min(float(body.get("timeout", 1.0)), 30.0)
    if body.get("chat_id") is not None:
        await emulator.wait_for_chat(int(body["chat_id"]), timeout)
    else:
        await emulator.wait_for_change(timeout)
    return True


PAGE = Path(__file__).with_name("page.html")


async def page(request: web.Request) -> web.StreamResponse:
    """The sandbox's face: a supporter's chat, the moderator group and the channel."""
    return web.Response(text=PAGE.read_text(encoding="utf-8"), content_type="text/html")


async def driver_file(request: web.Request) -> web.StreamResponse:
    stored = request.app[EMULATOR_KEY].files.get(request.match_info["file_id"])
    if stored is None:
        return _error(ApiError(404, "Not Found"))
    return web.Response(
        body=stored.data, content_type=stored.mime_type or "application/octet-stream"
    )


def create_app(emulator: Emulator) -> web.Application:
    app = web.Application(client_max_size=60 * 1024 * 1024)
    app[EMULATOR_KEY] = emulator
    app.router.add_route("*", "/bot{token}/{method}", bot_api)
    app.router.add_get("/file/bot{token}/{path:.+}", download)
    driver_routes = {
        "users": driver_add_user,
        "chats": driver_add_chat,
        "members": driver_set_member,
        "send": driver_send,
        "edit": driver_edit,
        "press": driver_press,
        "faults": driver_faults,
        "flood": driver_flood,
        "block": driver_block,
        "migrate": driver_migrate,
        "forum": driver_forum,
        "delete_topic": driver_delete_topic,
        "clock": driver_clock,
        "replay": driver_replay,
        "wait": driver_wait,
        "inline": driver_inline,
        "inline_mode": driver_inline_mode,
        "choose_inline": driver_choose_inline,
    }
    for name, handler in driver_routes.items():
        app.router.add_post(f"/driver/{name}", _driver(handler))
    app.router.add_get("/driver/chats/{chat_id}/messages", _driver(driver_messages))
    app.router.add_get("/driver/chats/{chat_id}/topics", _driver(driver_topics))
    app.router.add_get("/driver/callbacks/{query_id}", _driver(driver_callback))
    app.router.add_get("/driver/inline/{query_id}", _driver(driver_inline_answer))
    app.router.add_get("/driver/calls", _driver(driver_calls))
    app.router.add_get("/driver/state", _driver(driver_state))
    app.router.add_get("/driver/stickers", _driver(driver_stickers))
    app.router.add_get("/driver/files/{file_id}", driver_file)
    app.router.add_get("/", page)
    return app


class EmulatorServer:
    """Runs an Emulator's HTTP server on loopback."""

    def __init__(self, emulator: Emulator, host: str = "127.0.0.1", port: int = 0) -> None:
        self.emulator = emulator
        self.host = host
        self.port = port
        # Routes may be added before start() (the benchmark adds its latency probe's).
        self.app = create_app(emulator)
        self._runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    async def start(self) -> str:
        self._runner = web.AppRunner(self.app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        if self.port == 0:
            self.port = int(self._runner.addresses[0][1])
        return self.url

    async def stop(self) -> None:
        await self.emulator.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
