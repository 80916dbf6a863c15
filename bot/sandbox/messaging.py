"""Sending, copying, forwarding, editing and deleting messages, and answering button presses."""

from __future__ import annotations

import contextlib

from bot.sandbox.base import EmulatorState
from bot.sandbox.params import Params, Upload
from bot.sandbox.validation import (
    MAX_CAPTION,
    MAX_TEXT,
    MEDIA_KINDS,
    content_of,
    reply_markup,
    text_and_entities,
)
from bot.sandbox.world import JSON, ApiError, Chat, StoredFile, StoredMessage, bad_request

CALLBACK_ANSWER_WINDOW = 15.0
DELETE_WINDOW = 48 * 3600


def _protect(params: Params, content: JSON) -> None:
    """protect_content: the message cannot be forwarded or saved, and says so."""
    if params.flag("protect_content"):
        content["has_protected_content"] = True


class MessageMethods(EmulatorState):
    def _new_bot_message(self, chat: Chat, content: JSON) -> StoredMessage:
        data = self.new_message(chat)
        if chat.type == "channel":
            data["sender_chat"] = chat.to_api()
        else:
            data["from"] = self.bot.to_api()
        data.update(content)
        stored = StoredMessage(data, "bot")
        chat.messages[data["message_id"]] = stored
        return stored

    def _reply_to(self, chat: Chat, params: Params) -> JSON:
        reply_id = params.integer("reply_to_message_id")
        reply_parameters = params.decoded("reply_parameters")
        if isinstance(reply_parameters, dict):
            reply_id = int(reply_parameters.get("message_id", 0))
        if not reply_id:
            return {}
        target = chat.messages.get(reply_id)
        if target is None or target.deleted:
            allow = isinstance(reply_parameters, dict) and reply_parameters.get(
                "allow_sending_without_reply"
            )
            if allow:
                return {}
            raise bad_request("message to be replied not found")
        quoted = {k: v for k, v in target.data.items() if k != "reply_to_message"}
        return {"reply_to_message": quoted}

    def _thread(self, chat: Chat, params: Params, replied: JSON | None) -> JSON:
        """message_thread_id: a topic of a forum, which must exist."""
        return self.in_thread(chat, params.integer("message_thread_id"), replied)

    def _finish_send(self, chat: Chat, params: Params, content: JSON) -> JSON:
        inline, keyboard = reply_markup(params)
        content.update(self._reply_to(chat, params))
        content.update(self._thread(chat, params, content.get("reply_to_message")))
        _protect(params, content)
        if inline:
            content["reply_markup"] = inline
        stored = self._new_bot_message(chat, content)
        if keyboard is not None:
            stored.reply_keyboard = keyboard
        return stored.data

    async def send_message(self, params: Params) -> JSON:
        chat = self._chat(params.raw("chat_id"))
        text, entities = text_and_entities(params, "text", MAX_TEXT, required=True)
        content: JSON = {"text": text}
        if entities:
            content["entities"] = entities
        return self._finish_send(chat, params, content)

    def _input_file(self, params: Params, name: str, kind: str) -> StoredFile:
        value = params.raw(name)
        if isinstance(value, str) and value.startswith("attach://"):
            value = params.raw(value.removeprefix("attach://"))
        if isinstance(value, Upload):
            if not value.data:
                raise bad_request("file must be non-empty")
            return self.files.add(value.data, kind, value.filename, value.content_type)
        if isinstance(value, str) and value:
            stored = self.files.get(value)
            if stored is not None:
                if kind != "document" and stored.kind not in (kind, "document"):
                    raise bad_request(
                        f"wrong file identifier: can't use file of type {stored.kind} as {kind}"
                    )
                return stored
            raise bad_request("wrong file identifier/HTTP URL specified")
        raise bad_request(f"there is no {name} in the request")

    async def _send_media(self, params: Params, kind: str) -> JSON:
        chat = self._chat(params.raw("chat_id"))
        stored = self._input_file(params, kind, kind)
        content: JSON = {kind: self.files.media_json(stored, params.integer("duration") or 1)}
        if kind != "video_note":
            caption, entities = text_and_entities(params, "caption", MAX_CAPTION, required=False)
            if caption:
                content["caption"] = caption
            if entities:
                content["caption_entities"] = entities
        return self._finish_send(chat, params, content)

    async def send_photo(self, params: Params) -> JSON:
        return await self._send_media(params, "photo")

    async def send_document(self, params: Params) -> JSON:
        return await self._send_media(params, "document")

    async def send_voice(self, params: Params) -> JSON:
        return await self._send_media(params, "voice")

    async def send_video(self, params: Params) -> JSON:
        return await self._send_media(params, "video")

    async def send_video_note(self, params: Params) -> JSON:
        return await self._send_media(params, "video_note")

    async def copy_message(self, params: Params) -> JSON:
        chat = self._chat(params.raw("chat_id"))
        source_chat = self._chat(params.raw("from_chat_id"), for_sending=False)
        source = self._message(source_chat, params.integer("message_id"), "copy")
        content = content_of(source.data)
        if not content:
            raise bad_request("message can't be copied")
        if "caption" in params and any(kind in content for kind in MEDIA_KINDS):
            caption, entities = text_and_entities(params, "caption", MAX_CAPTION, required=False)
            content.pop("caption_entities", None)
            content["caption"] = caption
            if entities:
                content["caption_entities"] = entities
        data = self._finish_send(chat, params, content)
        return {"message_id": data["message_id"]}

    async def forward_message(self, params: Params) -> JSON:
        chat = self._chat(params.raw("chat_id"))
        source_chat = self._chat(params.raw("from_chat_id"), for_sending=False)
        source = self._message(source_chat, params.integer("message_id"), "forward")
        content = content_of(source.data)
        if not content:
            raise bad_request("message can't be forwarded")
        origin: JSON = {"type": "user", "date": source.data["date"]}
        if "from" in source.data:
            origin["sender_user"] = source.data["from"]
        else:
            origin = {
                "type": "channel",
                "date": source.data["date"],
                "chat": source_chat.to_api(),
                "message_id": source.data["message_id"],
            }
        content["forward_origin"] = origin
        content.update(self._thread(chat, params, None))
        _protect(params, content)
        return self._new_bot_message(chat, content).data

    # ---------------------------------------------------------------- editing

    def _editable(self, params: Params) -> tuple[Chat, StoredMessage]:
        if "inline_message_id" in params:
            raise bad_request("the emulator does not support inline messages")
        chat = self._chat(params.raw("chat_id"), for_sending=False)
        stored = self._message(chat, params.integer("message_id"), "edit")
        if stored.sender != "bot":
            raise bad_request("message can't be edited")
        return chat, stored

    def _apply_edit(self, stored: StoredMessage, changes: JSON, markup: JSON | None) -> JSON:
        current = {key: stored.data.get(key) for key in changes}
        if current == changes and stored.data.get("reply_markup") == markup:
            raise bad_request(
                "message is not modified: specified new message content and reply markup are "
                "exactly the same as a current content and reply markup of the message"
            )
        for key, value in changes.items():
            if value is None:
                stored.data.pop(key, None)
            else:
                stored.data[key] = value
        if markup is None:
            stored.data.pop("reply_markup", None)
        else:
            stored.data["reply_markup"] = markup
        stored.edits += 1
        stored.data["edit_date"] = int(self.clock.now())
        return stored.data

    async def edit_message_text(self, params: Params) -> JSON:
        _, stored = self._editable(params)
        if "text" not in stored.data:
            raise bad_request("there is no text in the message to edit")
        text, entities = text_and_entities(params, "text", MAX_TEXT, required=True)
        inline, _ = reply_markup(params)
        return self._apply_edit(stored, {"text": text, "entities": entities}, inline)

    async def edit_message_caption(self, params: Params) -> JSON:
        _, stored = self._editable(params)
        if not any(kind in stored.data for kind in MEDIA_KINDS):
            raise bad_request("there is no caption in the message to edit")
        caption, entities = text_and_entities(params, "caption", MAX_CAPTION, False)
        inline, _ = reply_markup(params)
        return self._apply_edit(stored, {"caption": caption, "caption_entities": entities}, inline)

    async def edit_message_reply_markup(self, params: Params) -> JSON:
        _, stored = self._editable(params)
        inline, _ = reply_markup(params)
        return self._apply_edit(stored, {}, inline)

    async def delete_message(self, params: Params) -> bool:
        chat = self._chat(params.raw("chat_id"), for_sending=False)
        self._delete_one(chat, params.integer("message_id"))
        return True

    async def delete_messages(self, params: Params) -> bool:
        chat = self._chat(params.raw("chat_id"), for_sending=False)
        ids = params.decoded("message_ids")
        if not isinstance(ids, list) or not 1 <= len(ids) <= 100:
            raise bad_request("message_ids must be a list of 1-100 ids")
        for message_id in ids:
            with contextlib.suppress(ApiError):
                self._delete_one(chat, int(message_id))
        return True

    def _delete_one(self, chat: Chat, message_id: int | None) -> None:
        stored = self._message(chat, message_id, "delete")
        too_old = self.clock.now() - stored.data["date"] > DELETE_WINDOW
        own = stored.sender == "bot"
        member = chat.members.get(self.bot.id)
        allowed = ((own or chat.type == "private") and not too_old) or (
            (chat.type != "private" and member is not None) and member.can("can_delete_messages")
        )
        if not allowed:
            raise bad_request("message can't be deleted")
        stored.deleted = True

    async def answer_callback_query(self, params: Params) -> bool:
        query = self.callback_queries.get(params.string("callback_query_id") or "")
        if (
            query is None
            or query.answered
            or self.clock.now() - query.created > CALLBACK_ANSWER_WINDOW
        ):
            raise bad_request(
                "query is too old and response timeout expired or query ID is invalid"
            )
        text = params.string("text")
        if text is not None and len(text) > 200:
            raise bad_request("MESSAGE_TOO_LONG")
        query.answered = True
        query.answer = {"text": text, "show_alert": params.flag("show_alert")}
        return True
