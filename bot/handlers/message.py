"""Solidarity messages: text, photo, voice, video or video message, previewed before sending."""

from __future__ import annotations

import html
import time
import warnings
from typing import Any

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot.context import BotContext
from bot.domain.countries import COMMON, is_country
from bot.domain.messages import (
    MAX_CAPTION,
    MAX_TEXT,
    DailyLimitReached,
    Kind,
    MessageDraft,
    PendingLimitReached,
    personal_data_in,
    published_text,
)
from bot.domain.names import NameRejected, clean_name
from bot.domain.signatures import Listing
from bot.handlers import callback_data
from bot.handlers.listing import (
    NAME_PROBLEMS,
    Draft,
    button,
    country_keyboard,
    country_question,
    country_search,
    country_step,
    fallbacks,
    hint_then_ask,
    leave,
)
from bot.handlers.menu import menu_keyboard
from bot.handlers.reply import answer, close_keyboard, pressed, remember, say
from bot.handlers.sign import line_of
from bot.i18n import Translator

CONTENT, ALBUM, WARN, SIGN_AS, NAME, COUNTRY, PREVIEW = range(7)
DRAFT = "message"
STEP = callback_data.MESSAGE_STEP


MESSAGE_DRAFT = Draft(DRAFT)
_draft = MESSAGE_DRAFT.of
_drop_draft = MESSAGE_DRAFT.drop


def _cancel_row(t: Translator) -> list[Any]:
    return [button(t.gettext("Cancel"), STEP, "cancel")]


async def tell_limit(update: Update, context: BotContext, error: Exception) -> None:
    t = context.i18n
    if isinstance(error, PendingLimitReached):
        text = t.ngettext(
            "You have {count} message waiting for review, the most allowed at once. You can "
            "send another as soon as the moderators have decided on it.",
            "You have {count} messages waiting for review, the most allowed at once. You can "
            "send another as soon as the moderators have decided on one of them.",
            error.limit,
        ).format(count=t.number(error.limit))
    elif isinstance(error, DailyLimitReached):
        text = (
            t.ngettext(
                "You have sent {count} message in the last 24 hours, the most allowed.",
                "You have sent {count} messages in the last 24 hours, the most allowed.",
                error.limit,
            ).format(count=t.number(error.limit))
            + " "
            + t.ngettext(
                "You can send again in {hours} hour.",
                "You can send again in {hours} hours.",
                error.hours_left,
            ).format(hours=t.number(error.hours_left))
        )
    else:
        raise error
    await say(update, context, text, menu_keyboard(t))


# ------------------------------------------------------------------------ asking


async def ask_content(update: Update, context: BotContext) -> int:
    t = context.i18n
    _draft(context)["step"] = CONTENT
    text = t.gettext(
        "Send one text (up to {limit} characters), one photo with a caption if you like, a "
        "voice message, a video or a video message."
    ).format(limit=t.number(MAX_TEXT))
    await say(update, context, text, InlineKeyboardMarkup([_cancel_row(t)]))
    return CONTENT


async def ask_sign_as(update: Update, context: BotContext) -> int:
    t = context.i18n
    _draft(context)["step"] = SIGN_AS
    assert context.person_key is not None
    signature = await context.repos.signatures.of_person(context.person_key)
    text = t.gettext("How should your message be signed?")
    rows = []
    if signature is not None:
        line = line_of(context, signature.listing, signature.name, signature.country)
        text += "\n" + t.gettext("Your signature reads: {line}").format(line=html.escape(line))
        rows.append([button(t.gettext("As in my signature"), STEP, "signature")])
    rows.append([button(t.gettext("With a name"), STEP, "name")])
    rows.append([button(t.gettext("Anonymously"), STEP, "anonymous")])
    rows.append(_cancel_row(t))
    await say(update, context, text, InlineKeyboardMarkup(rows))
    return SIGN_AS


async def ask_name(update: Update, context: BotContext) -> int:
    t = context.i18n
    _draft(context)["step"] = NAME
    await say(
        update,
        context,
        t.gettext("Type the name to sign your message with (2 to 64 characters)."),
        InlineKeyboardMarkup([_cancel_row(t)]),
    )
    return NAME


async def ask_country(update: Update, context: BotContext) -> int:
    t = context.i18n
    _draft(context)["step"] = COUNTRY
    await say(update, context, country_question(t), country_keyboard(t, COMMON, STEP))
    return COUNTRY


def _publication(context: BotContext) -> tuple[Kind, str | None, str]:
    draft = _draft(context)
    line = line_of(context, Listing(draft["listing"]), draft.get("name"), draft.get("country"))
    kind = Kind(draft["kind"])
    return kind, draft.get("file_id"), published_text(draft.get("text"), line)


async def show_preview(update: Update, context: BotContext) -> int:
    """Show the message exactly as it would be published, with Send, Change and Cancel."""
    t = context.i18n
    _draft(context)["step"] = PREVIEW
    keyboard = InlineKeyboardMarkup(
        [
            [button(t.gettext("Send"), STEP, "send")],
            [button(t.gettext("Change"), STEP, "change"), _cancel_row(t)[0]],
        ]
    )
    await say(update, context, t.gettext("This is exactly how it would be published:"))
    kind, file_id, text = _publication(context)
    chat = update.effective_chat
    assert chat is not None
    bot = context.bot
    shown: Message
    if kind is Kind.TEXT:
        await say(update, context, text, keyboard)
        return PREVIEW
    if kind is Kind.PHOTO:
        shown = await bot.send_photo(chat.id, str(file_id), caption=text, reply_markup=keyboard)
    elif kind is Kind.VOICE:
        shown = await bot.send_voice(chat.id, str(file_id), caption=text, reply_markup=keyboard)
    elif kind is Kind.VIDEO:
        shown = await bot.send_video(chat.id, str(file_id), caption=text, reply_markup=keyboard)
    else:  # a video message has no caption: the line follows it, as in the channel
        await remember(context, await bot.send_video_note(chat.id, str(file_id)))
        shown = await bot.send_message(chat.id, text, reply_markup=keyboard)
    await remember(context, shown)
    return PREVIEW


# -------------------------------------------------------------------- entering


async def begin(update: Update, context: BotContext) -> int:
    """Explain where messages go, then ask for one; unless a limit is reached."""
    await answer(update)
    assert context.person_key is not None
    if await context.repos.moderation.is_banned(context.person_key):
        return ConversationHandler.END  # told once, when banned
    try:
        await context.messaging().check_limits(context.person_key, int(time.time()))
    except (PendingLimitReached, DailyLimitReached) as reached:
        await tell_limit(update, context, reached)
        return ConversationHandler.END
    _drop_draft(context)
    t = context.i18n
    await say(
        update,
        context,
        t.gettext(
            "Your message goes to the campaign's moderators. If they approve it, it may be "
            "published in the channel and read on air, to the protesting people of Iran."
        ),
    )
    return await ask_content(update, context)


# ------------------------------------------------------------------- the content


async def _accept(update: Update, context: BotContext, kind: Kind, file_id: str | None) -> int:
    message = update.effective_message
    assert message is not None
    t = context.i18n
    text = message.text if kind is Kind.TEXT else message.caption
    limit = MAX_TEXT if kind is Kind.TEXT else MAX_CAPTION
    if text is not None and len(text) > limit:
        await say(
            update,
            context,
            t.gettext(
                "Your text is {length} characters long; the limit is {limit}. Please shorten "
                "it and send it again."
            ).format(length=t.number(len(text)), limit=t.number(limit)),
        )
        return await ask_content(update, context)
    draft = _draft(context)
    draft.update(kind=kind.value, text=text, file_id=file_id)
    if message.media_group_id:
        draft["album"] = message.media_group_id
        await say(
            update,
            context,
            t.gettext(
                "One photo or video per message is accepted, and you sent several. Keep only "
                "the first one?"
            ),
            InlineKeyboardMarkup(
                [
                    [button(t.gettext("Keep the first one"), STEP, "keep_first")],
                    [button(t.gettext("Send something else"), STEP, "again"), _cancel_row(t)[0]],
                ]
            ),
        )
        draft["step"] = ALBUM
        return ALBUM
    return await after_content(update, context)


async def after_content(update: Update, context: BotContext) -> int:
    """Warn about what could identify someone; then ask how to sign."""
    text = _draft(context).get("text")
    if text and personal_data_in(text):
        t = context.i18n
        _draft(context)["step"] = WARN
        await say(
            update,
            context,
            t.gettext(
                "Your message contains what looks like a phone number, an email address or an "
                "@username. If it is published, everyone will be able to see it."
            ),
            InlineKeyboardMarkup(
                [
                    [button(t.gettext("Keep it as it is"), STEP, "keep_text")],
                    [button(t.gettext("Write it again"), STEP, "again"), _cancel_row(t)[0]],
                ]
            ),
        )
        return WARN
    return await ask_sign_as(update, context)


async def take_text(update: Update, context: BotContext) -> int:
    return await _accept(update, context, Kind.TEXT, None)


async def take_photo(update: Update, context: BotContext) -> int:
    message = update.effective_message
    assert message is not None and message.photo
    return await _accept(update, context, Kind.PHOTO, message.photo[-1].file_id)


async def take_voice(update: Update, context: BotContext) -> int:
    message = update.effective_message
    assert message is not None and message.voice is not None
    return await _accept(update, context, Kind.VOICE, message.voice.file_id)


async def take_video(update: Update, context: BotContext) -> int:
    message = update.effective_message
    assert message is not None and message.video is not None
    return await _accept(update, context, Kind.VIDEO, message.video.file_id)


async def take_video_note(update: Update, context: BotContext) -> int:
    message = update.effective_message
    assert message is not None and message.video_note is not None
    return await _accept(update, context, Kind.VIDEO_NOTE, message.video_note.file_id)


async def refuse_file(update: Update, context: BotContext) -> int:
    """A photo or video sent as a file keeps metadata that can identify the sender."""
    t = context.i18n
    await say(
        update,
        context,
        t.gettext(
            "Please send it as a photo or a video, not as a file: files keep details such as "
            "where and when they were taken, which could identify you."
        ),
    )
    return await ask_content(update, context)


async def refuse_kind(update: Update, context: BotContext) -> int:
    t = context.i18n
    await say(
        update,
        context,
        t.gettext(
            "Stickers, locations, contacts, polls and files cannot be sent as messages here."
        ),
    )
    return await ask_content(update, context)


async def more_of_the_album(update: Update, context: BotContext) -> int:
    """The rest of an album the person was already asked about: nothing more to say."""
    message = update.effective_message
    if message is not None and message.media_group_id == _draft(context).get("album"):
        return ALBUM
    return await repeat_step(update, context)


# ------------------------------------------------------------------- the buttons


async def keep(update: Update, context: BotContext) -> int:
    """Keep the first of an album, or a text with personal data in it."""
    await answer(update)
    await close_keyboard(update)
    _draft(context).pop("album", None)
    if pressed(update) == "keep_first":
        return await after_content(update, context)
    return await ask_sign_as(update, context)


async def again(update: Update, context: BotContext) -> int:
    await answer(update)
    await close_keyboard(update)
    _drop_draft(context)
    return await ask_content(update, context)


async def choose_signing(update: Update, context: BotContext) -> int:
    await answer(update)
    argument = pressed(update)
    draft = _draft(context)
    assert context.person_key is not None
    if argument == "signature":
        signature = await context.repos.signatures.of_person(context.person_key)
        if signature is None:
            return await repeat_step(update, context)
        await close_keyboard(update)
        draft.update(
            listing=signature.listing.value, name=signature.name, country=signature.country
        )
        return await show_preview(update, context)
    await close_keyboard(update)
    draft.update(name=None, country=None)
    if argument == "name":
        draft["listing"] = Listing.NAME.value
        return await ask_name(update, context)
    draft["listing"] = Listing.ANONYMOUS.value
    return await ask_country(update, context)


async def take_name(update: Update, context: BotContext) -> int:
    message = update.effective_message
    t = context.i18n
    try:
        name = clean_name(message.text if message and message.text else "")
    except NameRejected as rejected:
        await say(update, context, t.gettext(NAME_PROBLEMS[rejected.problem]))
        return await ask_name(update, context)
    _draft(context)["name"] = name
    return await ask_country(update, context)


async def choose_country(update: Update, context: BotContext) -> int:
    await answer(update)
    code = pressed(update)
    if code is None or not is_country(code):
        return await repeat_step(update, context)
    await close_keyboard(update)
    _draft(context)["country"] = code
    return await show_preview(update, context)


async def skip_country(update: Update, context: BotContext) -> int:
    await answer(update)
    await close_keyboard(update)
    _draft(context)["country"] = None
    return await show_preview(update, context)


async def search_country(update: Update, context: BotContext) -> int:
    message = update.effective_message
    text, found = country_search(context.i18n, (message.text or "") if message else "")
    await say(update, context, text, country_keyboard(context.i18n, found, STEP))
    return COUNTRY


async def send(update: Update, context: BotContext) -> int:
    """Store the message as pending review and say what happens next."""
    await answer(update)
    await close_keyboard(update)
    draft = _draft(context)
    user = update.effective_user
    if "listing" not in draft or "kind" not in draft or user is None:
        return await repeat_step(update, context)
    assert context.person_key is not None
    message_draft = MessageDraft(
        Kind(draft["kind"]),
        draft.get("text"),
        draft.get("file_id"),
        Listing(draft["listing"]),
        draft.get("name"),
        draft.get("country"),
    )
    t = context.i18n
    desk = context.bot_data.desk
    try:
        # The message and its card for the moderators are written together.
        async with context.repos.db.transaction():
            message = await context.messaging().submit(
                context.person_key, user.id, message_draft, t.language, int(time.time())
            )
            if desk is not None:
                await desk.message_submitted(message)
    except (PendingLimitReached, DailyLimitReached) as reached:
        _drop_draft(context)
        await tell_limit(update, context, reached)
        return ConversationHandler.END
    _drop_draft(context)
    if desk is not None:
        desk.wake()
    await say(
        update,
        context,
        t.gettext(
            "Thank you. Your message is waiting for the moderators' review. You will be told "
            "here, in your language, what they decide."
        ),
        InlineKeyboardMarkup([[button(t.gettext("Clear this chat"), callback_data.CLEAR)]]),
    )
    return ConversationHandler.END


async def cancel(update: Update, context: BotContext) -> int:
    """Leave the conversation; nothing is stored."""
    return await leave(update, context, MESSAGE_DRAFT)


async def repeat_step(update: Update, context: BotContext) -> int:
    """Anything unexpected: a short hint, then the same step again."""
    hint = context.i18n.gettext("Please answer the question below, or send /cancel to stop.")
    step = int(_draft(context).get("step", CONTENT))
    asking = {
        CONTENT: ask_content,
        ALBUM: ask_content,
        WARN: after_content,
        SIGN_AS: ask_sign_as,
        NAME: ask_name,
        COUNTRY: ask_country,
        PREVIEW: show_preview,
    }
    return await hint_then_ask(update, context, hint, asking[step])


async def timed_out(update: Update, context: BotContext) -> None:
    _drop_draft(context)


def message_conversation(timeout: float) -> ConversationHandler[BotContext]:
    private = filters.ChatType.PRIVATE

    def step_is(*arguments: str) -> Any:
        return callback_data.of_step(STEP, *arguments)

    text = filters.TEXT & ~filters.COMMAND
    not_allowed = (
        filters.Sticker.ALL
        | filters.LOCATION
        | filters.VENUE
        | filters.CONTACT
        | filters.POLL
        | filters.Document.ALL
        | filters.AUDIO
        | filters.ANIMATION
        | filters.Dice.ALL
    )
    content: list[BaseHandler[Update, BotContext, object]] = [
        MessageHandler(text, take_text),
        MessageHandler(filters.PHOTO, take_photo),
        MessageHandler(filters.VOICE, take_voice),
        MessageHandler(filters.VIDEO, take_video),
        MessageHandler(filters.VIDEO_NOTE, take_video_note),
        MessageHandler(filters.Document.IMAGE | filters.Document.VIDEO, refuse_file),
        MessageHandler(not_allowed, refuse_kind),
    ]
    with warnings.catch_warnings():
        # Tracked per chat, not per message, on purpose: one conversation per person.
        warnings.simplefilter("ignore")
        return ConversationHandler(
            entry_points=[
                CommandHandler("message", begin, private),
                CommandHandler("start", begin, private & filters.Regex(r"^/start message$")),
                CallbackQueryHandler(begin, pattern=callback_data.of_kind(callback_data.MESSAGE)),
            ],
            states={
                CONTENT: content,
                ALBUM: [
                    MessageHandler(
                        (filters.PHOTO | filters.VIDEO) & filters.UpdateType.MESSAGE,
                        more_of_the_album,
                    ),
                    CallbackQueryHandler(keep, pattern=step_is("keep_first")),
                    CallbackQueryHandler(again, pattern=step_is("again")),
                ],
                WARN: [
                    CallbackQueryHandler(keep, pattern=step_is("keep_text")),
                    CallbackQueryHandler(again, pattern=step_is("again")),
                ],
                SIGN_AS: [
                    CallbackQueryHandler(
                        choose_signing, pattern=step_is("signature", "name", "anonymous")
                    )
                ],
                NAME: [MessageHandler(text, take_name)],
                COUNTRY: country_step(choose_country, skip_country, search_country, STEP),
                PREVIEW: [
                    CallbackQueryHandler(send, pattern=step_is("send")),
                    CallbackQueryHandler(again, pattern=step_is("change")),
                ],
                ConversationHandler.TIMEOUT: [MessageHandler(filters.ALL, timed_out)],
            },
            fallbacks=fallbacks(cancel, repeat_step, STEP),
            name="message",
            persistent=True,
            conversation_timeout=timeout,
        )
