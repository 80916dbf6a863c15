"""Solidarity messages: text, photo, voice, video or video message, previewed before sending."""

from __future__ import annotations

import html
import time
import warnings
from collections.abc import Callable

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot.buttons import Clear, MessageChoice, MessageStep, StartMessage, exactly
from bot.context import BotContext
from bot.domain.decisions import ItemKind
from bot.domain.effects import Method, Post
from bot.domain.messages import (
    MAX_CAPTION,
    MAX_TEXT,
    DailyLimitReached,
    Kind,
    MessageDraft,
    PendingLimitReached,
    personal_data_in,
    visible_text,
)
from bot.domain.sent import Sent
from bot.domain.signatures import Listing
from bot.handlers.conversation import (
    PRIVATE,
    TYPED,
    Callback,
    Draft,
    Flow,
    ListingSteps,
    PrivatePress,
)
from bot.handlers.menu import menu_keyboard
from bot.handlers.reply import (
    PREVIEW_SHOWN,
    QUESTION,
    answer,
    button,
    close_keyboard,
    keyboard,
    pressed,
    pressed_message,
    remember,
    say,
)
from bot.handlers.timed import TimedConversation
from bot.i18n import Translator
from bot.render import fit
from bot.render.lines import line_of, published_line, published_text

CONTENT, ALBUM, WARN, SIGN_AS, NAME, COUNTRY, PREVIEW, OFFER = range(8)


def _hint(t: Translator) -> str:
    return t.gettext("Please answer the question below, or send /cancel to stop.")


FLOW = Flow(
    Draft("message"), _hint, MessageStep(MessageChoice.SKIP), MessageStep(MessageChoice.CANCEL)
)


async def tell_limit(
    update: Update, context: BotContext, reached: PendingLimitReached | DailyLimitReached
) -> None:
    t = context.i18n
    if isinstance(reached, PendingLimitReached):
        text = t.ngettext(
            "You have {count} message waiting for review, the most allowed at once. You can "
            "send another as soon as the moderators have decided on it.",
            "You have {count} messages waiting for review, the most allowed at once. You can "
            "send another as soon as the moderators have decided on one of them.",
            reached.limit,
        ).format(count=t.number(reached.limit))
    else:
        text = (
            t.ngettext(
                "You have sent {count} message in the last 24 hours, the most allowed.",
                "You have sent {count} messages in the last 24 hours, the most allowed.",
                reached.limit,
            ).format(count=t.number(reached.limit))
            + " "
            + t.ngettext(
                "You can send again in {hours} hour.",
                "You can send again in {hours} hours.",
                reached.hours_left,
            ).format(hours=t.number(reached.hours_left))
        )
    await say(update, context, text, menu_keyboard(t))


# ------------------------------------------------------------------------ asking


async def ask_content(update: Update, context: BotContext) -> int:
    t = context.i18n
    text = t.gettext(
        "Send one text (up to {limit} characters), one photo with a caption if you like, a "
        "voice message, a video or a video message."
    ).format(limit=t.number(MAX_TEXT))
    await FLOW.ask(update, context, text, keyboard([FLOW.cancel_button(t)]))
    return CONTENT


async def ask_sign_as(update: Update, context: BotContext) -> int:
    t = context.i18n
    signature = await context.services.signing.signature_of(context.person_key)
    text = t.gettext("How should your message be signed?")
    rows = []
    if signature is not None:
        line = line_of(signature, context.channel_i18n)
        text += "\n" + t.gettext("Your signature reads: {line}").format(line=html.escape(line))
        rows.append(
            [button(t.gettext("As in my signature"), MessageStep(MessageChoice.SIGNATURE))]
        )
    rows.append([button(t.gettext("With a name"), MessageStep(MessageChoice.NAME))])
    rows.append([button(t.gettext("Anonymously"), MessageStep(MessageChoice.ANONYMOUS))])
    rows.append([FLOW.cancel_button(t)])
    await FLOW.ask(update, context, text, keyboard(*rows))
    return SIGN_AS


def name_question(context: BotContext) -> str:
    return context.i18n.gettext("Type the name to sign your message with (2 to 64 characters).")


def _publication(context: BotContext) -> tuple[Kind, str | None, str]:
    draft = FLOW.draft.of(context)
    line = published_line(
        Listing(draft["listing"]), draft.get("name"), draft.get("country"), context.channel_i18n
    )
    return Kind(draft["kind"]), draft.get("file_id"), published_text(draft.get("text"), line)


async def show_preview(update: Update, context: BotContext) -> int:
    """Show the message exactly as it would be published, with Send, Change and Cancel."""
    t = context.i18n
    markup = keyboard(
        [button(t.gettext("Send"), MessageStep(MessageChoice.SEND))],
        [button(t.gettext("Change"), MessageStep(MessageChoice.CHANGE)), FLOW.cancel_button(t)],
    )
    channel = context.channel_i18n.language
    intro = (
        t.gettext("This is exactly how it would be published:")
        if channel == t.language
        else t.gettext(
            "This is exactly how it would be published. The line under it is in the "
            "channel's language ({language}):"
        ).format(language=t.language_name(channel))
    )
    await FLOW.ask(update, context, intro)
    kind, file_id, text = _publication(context)
    chat = update.effective_chat
    assert chat is not None
    # As the channel will show it: a video message has no caption, and a caption too long
    # for Telegram goes after the media, as a text of its own (see render.fit).
    if kind is Kind.VIDEO_NOTE:
        posts = [Post(Method.VIDEO_NOTE, None, file_id), Post(Method.MESSAGE, text)]
    else:
        method = Method.MESSAGE if kind is Kind.TEXT else Method(kind.value)
        posts = fit.fitted(Post(method, text, file_id), None)
    for number, post in enumerate(posts, 1):
        shown = await _show(context, chat.id, post, markup if number == len(posts) else None)
        remember(context, shown)
    # Kept as it is: Change asks again below it, Send thanks below it; leaving the flow
    # (/start, an edit shown anew) takes its buttons off.
    draft = FLOW.draft.of(context)
    draft[QUESTION] = None
    draft[PREVIEW_SHOWN] = shown.message_id
    return PREVIEW


async def _show(
    context: BotContext, chat_id: int, post: Post, markup: InlineKeyboardMarkup | None
) -> Message:
    bot, media, caption = context.bot, str(post.file_id), post.text
    if post.method is Method.PHOTO:
        return await bot.send_photo(chat_id, media, caption=caption, reply_markup=markup)
    if post.method is Method.VOICE:
        return await bot.send_voice(chat_id, media, caption=caption, reply_markup=markup)
    if post.method is Method.VIDEO:
        return await bot.send_video(chat_id, media, caption=caption, reply_markup=markup)
    if post.method is Method.VIDEO_NOTE:
        return await bot.send_video_note(chat_id, media, reply_markup=markup)
    return await bot.send_message(chat_id, post.text or "", reply_markup=markup)


LISTED = ListingSteps(FLOW, NAME, COUNTRY, name_question, show_preview)


# -------------------------------------------------------------------- entering


async def may_send(update: Update, context: BotContext) -> bool:
    """May the person send a message now? If a limit is reached, they are told."""
    services = context.services
    if await services.moderation.is_banned(context.person_key):
        return False  # told once, when banned
    try:
        await services.messaging.check_limits(context.person_key, int(time.time()))
    except (PendingLimitReached, DailyLimitReached) as reached:
        await tell_limit(update, context, reached)
        return False
    return True


async def explain(update: Update, context: BotContext) -> None:
    await say(
        update,
        context,
        context.i18n.gettext(
            "Your message goes to the campaign's moderators. If they approve it, it may be "
            "published in the channel and read on air, to the protesting people of Iran."
        ),
    )


async def begin(update: Update, context: BotContext) -> int:
    """Explain where messages go, then ask for one; unless a limit is reached."""
    await answer(update)
    if not await may_send(update, context):
        return ConversationHandler.END
    FLOW.draft.drop(context)
    await explain(update, context)
    return await ask_content(update, context)


# ------------------------------------------------------- sent without /message


async def offer(update: Update, context: BotContext) -> int:
    """A photo, voice message or video sent outside any conversation: offer to send it as
    a message. It waits in the draft (and goes with it, as any draft does)."""
    message = update.effective_message
    media = media_of(message) if message is not None else None
    if message is None or media is None:
        return ConversationHandler.END
    FLOW.draft.drop(context)
    kind, file_id = media
    # Checked as content is once the person says yes (and an edit meanwhile is taken).
    FLOW.draft.of(context).update(
        kind=kind.value, file_id=file_id, text=message.caption, album=message.media_group_id
    )
    FLOW.took(context, "kind", message.message_id)
    return await ask_offer(update, context)


async def ask_offer(update: Update, context: BotContext) -> int:
    t = context.i18n
    text = t.gettext(
        "Send this as a solidarity message? It would go to the campaign's moderators, who "
        "may publish it in the channel."
    )
    markup = keyboard(
        [button(t.gettext("Yes, send it as a message"), MessageStep(MessageChoice.OFFERED))],
        [button(t.gettext("No"), FLOW.cancel)],
    )
    await FLOW.ask(update, context, text, markup)
    return OFFER


async def take_offer(update: Update, context: BotContext) -> int:
    """Yes: on to the step after the content, with what was sent."""
    await answer(update)
    await close_keyboard(update)
    draft = FLOW.draft.of(context)
    if "kind" not in draft:  # the answers were lost: begin again
        return await begin(update, context)
    if not await may_send(update, context):
        FLOW.draft.drop(context)
        return ConversationHandler.END
    await explain(update, context)
    draft[QUESTION] = None  # the offer stays above the explanation; the next step goes below
    kind, typed, album = Kind(draft["kind"]), draft.get("text"), draft.pop("album", None)
    return await _take(update, context, kind, draft.get("file_id"), typed, album)


async def more_of_the_offer(update: Update, context: BotContext) -> int:
    """The rest of an album whose first item is offered: nothing more to say."""
    message = update.effective_message
    if message is not None and message.media_group_id == FLOW.draft.of(context).get("album"):
        return OFFER
    return await FLOW.repeat(update, context, ask_offer)


# ------------------------------------------------------------------- the content


def _checked(t: Translator, kind: Kind, typed: str | None) -> tuple[str | None, str | None]:
    """The text or caption as it would be stored, and what is wrong with it (or None)."""
    # Cleaned before it is measured, previewed, checked for personal data or stored.
    text = visible_text(typed) if typed else None
    if text is not None and not text.strip():
        if kind is Kind.TEXT:
            problem = t.gettext(
                "That text has nothing visible in it. Please write your message again."
            )
            return None, problem
        text = None
    limit = MAX_TEXT if kind is Kind.TEXT else MAX_CAPTION
    if text is not None and len(text) > limit:
        return None, t.gettext(
            "Your text is {length} characters long; the limit is {limit}. Please shorten "
            "it and send it again."
        ).format(length=t.number(len(text)), limit=t.number(limit))
    return text, None


def _typed(message: Message, kind: Kind) -> str | None:
    return message.text if kind is Kind.TEXT else message.caption


async def _accept(update: Update, context: BotContext, kind: Kind, file_id: str | None) -> int:
    message = update.effective_message
    assert message is not None
    FLOW.took(context, "kind", message.message_id)
    typed = _typed(message, kind)
    return await _take(update, context, kind, file_id, typed, message.media_group_id)


async def _take(
    update: Update,
    context: BotContext,
    kind: Kind,
    file_id: str | None,
    typed: str | None,
    album: str | None,
) -> int:
    """Check what was sent and keep it; then the album's question, or on."""
    t = context.i18n
    text, problem = _checked(t, kind, typed)
    draft = FLOW.draft.of(context)
    if problem is not None:
        draft.pop("kind", None)  # nothing is kept: the content is asked for again
        await say(update, context, problem)
        return await ask_content(update, context)
    draft.update(kind=kind.value, text=text, file_id=file_id)
    if album:
        draft["album"] = album
        question = t.gettext(
            "One photo or video per message is accepted, and you sent several. Keep only the "
            "first one?"
        )
        keep = (t.gettext("Keep the first one"), MessageStep(MessageChoice.KEEP_FIRST))
        await _keep_or_again(update, context, question, keep, t.gettext("Send something else"))
        return ALBUM
    return await after_content(update, context)


async def after_content(update: Update, context: BotContext) -> int:
    """Warn about what could identify someone; then ask how to sign."""
    text = FLOW.draft.of(context).get("text")
    if not (text and personal_data_in(text)):
        return await ask_sign_as(update, context)
    t = context.i18n
    keep = (t.gettext("Keep it as it is"), MessageStep(MessageChoice.KEEP_TEXT))
    warning = _personal_data_warning(t)
    await _keep_or_again(update, context, warning, keep, t.gettext("Write it again"))
    return WARN


def _personal_data_warning(t: Translator) -> str:
    return t.gettext(
        "Your message contains what looks like a phone number, an email address or an "
        "@username. If it is published, everyone will be able to see it."
    )


async def _keep_or_again(
    update: Update, context: BotContext, question: str, keep: tuple[str, MessageStep], again: str
) -> None:
    """A question about what was sent: keep it, send something else, or cancel."""
    markup = keyboard(
        [button(*keep)],
        [button(again, MessageStep(MessageChoice.AGAIN)), FLOW.cancel_button(context.i18n)],
    )
    await FLOW.ask(update, context, question, markup)


async def take_text(update: Update, context: BotContext) -> int:
    return await _accept(update, context, Kind.TEXT, None)


def media_of(message: Message) -> tuple[Kind, str] | None:
    """A photo (its largest size), a voice message, a video or a video message, by file id."""
    if message.photo:
        return Kind.PHOTO, message.photo[-1].file_id
    for kind, media in (
        (Kind.VOICE, message.voice),
        (Kind.VIDEO, message.video),
        (Kind.VIDEO_NOTE, message.video_note),
    ):
        if media is not None:
            return kind, media.file_id
    return None


async def take_media(update: Update, context: BotContext) -> int:
    message = update.effective_message
    assert message is not None
    media = media_of(message)
    if media is None:
        return await FLOW.repeat(update, context, ask_content)
    return await _accept(update, context, *media)


async def retake_content(update: Update, context: BotContext, ask: Callback) -> int | None:
    """The text or media sent was edited: checked as it was, then in the draft."""
    message = update.edited_message
    assert message is not None
    draft = FLOW.draft.of(context)
    t = context.i18n
    kind, file_id = media_of(message) or (Kind(draft["kind"]), draft.get("file_id"))
    text, problem = _checked(t, kind, _typed(message, kind))
    if problem is not None:
        kept = t.gettext("Your message stays as it was before the edit.")
        await say(update, context, problem + " " + kept)
        return None
    before = draft.get("text")
    draft.update(kind=kind.value, text=text, file_id=file_id)
    if ask is after_content:  # at the warning about personal data: warn again, or go on
        await FLOW.close_question(update, context)
        return await after_content(update, context)
    if text and personal_data_in(text) and not (before and personal_data_in(before)):
        await say(update, context, _personal_data_warning(t))
    return await FLOW.retaken(update, context, ask, show_preview)


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
    if message is not None and message.media_group_id == FLOW.draft.of(context).get("album"):
        return ALBUM
    return await FLOW.repeat(update, context, ask_content)


# ------------------------------------------------------------------- the buttons


async def keep(update: Update, context: BotContext) -> int:
    """Keep the first of an album, or a text with personal data in it."""
    await answer(update)
    FLOW.draft.of(context).pop("album", None)
    if pressed(update) == MessageStep(MessageChoice.KEEP_FIRST):
        return await after_content(update, context)
    return await ask_sign_as(update, context)


async def again(update: Update, context: BotContext) -> int:
    """Ask for the content again: in place of a question about it, or below the preview."""
    await answer(update)
    question = FLOW.draft.of(context).get(QUESTION)
    FLOW.draft.drop(context)
    pressed = pressed_message(update)
    if pressed is not None and pressed.message_id == question:
        FLOW.take_over(update, context)
    else:
        await close_keyboard(update)
    return await ask_content(update, context)


async def choose_signing(update: Update, context: BotContext) -> int:
    payload = pressed(update)
    choice = payload.choice if isinstance(payload, MessageStep) else None
    draft = FLOW.draft.of(context)
    if choice is MessageChoice.SIGNATURE:
        signature = await context.services.signing.signature_of(context.person_key)
        if signature is None:
            return await FLOW.repeat(update, context, ask_sign_as)
        await answer(update)
        draft.update(
            listing=signature.listing.value, name=signature.name, country=signature.country
        )
        return await show_preview(update, context)
    await answer(update)
    draft.update(name=None, country=None)
    if choice is MessageChoice.NAME:
        draft["listing"] = Listing.NAME.value
        return await LISTED.ask_name(update, context)
    draft["listing"] = Listing.ANONYMOUS.value
    return await LISTED.ask_country(update, context)


async def send(update: Update, context: BotContext) -> int:
    """Store the message as pending review and say what happens next."""
    draft = FLOW.draft.of(context)
    if "listing" not in draft or "kind" not in draft:  # the answers were lost: begin again
        return await FLOW.repeat(update, context, ask_content)
    await answer(update)
    await close_keyboard(update)
    message_draft = MessageDraft(
        Kind(draft["kind"]),
        draft.get("text"),
        draft.get("file_id"),
        Listing(draft["listing"]),
        draft.get("name"),
        draft.get("country"),
    )
    t = context.i18n
    try:
        stored = await context.services.messaging.submit(
            context.person_key, context.telegram_id, message_draft, t.language, int(time.time())
        )
    except (PendingLimitReached, DailyLimitReached) as reached:
        FLOW.draft.drop(context)
        await tell_limit(update, context, reached)
        return ConversationHandler.END
    FLOW.sent(context, Sent(ItemKind.MESSAGE, stored.id))
    FLOW.draft.drop(context)
    await say(
        update,
        context,
        t.gettext(
            "Thank you. Your message is waiting for the moderators' review. You will be told "
            "here, in your language, what they decide."
        ),
        keyboard([button(t.gettext("Clear this chat"), Clear())]),
    )
    return ConversationHandler.END


def message_conversation(timeout: float) -> TimedConversation:
    private = PRIVATE
    FLOW.retakes["kind"] = retake_content

    def on(*choices: MessageChoice) -> Callable[[object], bool]:
        return MessageStep.pattern(*choices)

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
    sendable = filters.PHOTO | filters.VOICE | filters.VIDEO | filters.VIDEO_NOTE
    content: list[BaseHandler[Update, BotContext, object]] = [
        MessageHandler(TYPED, take_text),
        MessageHandler(sendable, take_media),
        MessageHandler(filters.Document.IMAGE | filters.Document.VIDEO, refuse_file),
        MessageHandler(not_allowed, refuse_kind),
    ]
    with warnings.catch_warnings():
        # Tracked per chat, not per message, on purpose: one conversation per person.
        warnings.simplefilter("ignore")
        return TimedConversation(
            entry_points=[
                CommandHandler("message", begin, private),
                CommandHandler("start", begin, private & filters.Regex(r"^/start message$")),
                PrivatePress(begin, pattern=exactly(StartMessage())),
                # Sent without /message: offered to become one (anything else gets the help).
                MessageHandler(private & sendable, offer),
            ],
            states={
                CONTENT: FLOW.state(ask_content, *content, typed=True),
                ALBUM: FLOW.state(
                    ask_content,
                    MessageHandler(
                        (filters.PHOTO | filters.VIDEO) & filters.UpdateType.MESSAGE,
                        more_of_the_album,
                    ),
                    CallbackQueryHandler(keep, pattern=on(MessageChoice.KEEP_FIRST)),
                    CallbackQueryHandler(again, pattern=on(MessageChoice.AGAIN)),
                ),
                WARN: FLOW.state(
                    after_content,
                    CallbackQueryHandler(keep, pattern=on(MessageChoice.KEEP_TEXT)),
                    CallbackQueryHandler(again, pattern=on(MessageChoice.AGAIN)),
                ),
                SIGN_AS: FLOW.state(
                    ask_sign_as,
                    CallbackQueryHandler(
                        choose_signing,
                        pattern=on(
                            MessageChoice.SIGNATURE, MessageChoice.NAME, MessageChoice.ANONYMOUS
                        ),
                    ),
                ),
                NAME: LISTED.name_state_handlers(),
                COUNTRY: LISTED.country_state_handlers(),
                PREVIEW: FLOW.state(
                    show_preview,
                    CallbackQueryHandler(send, pattern=on(MessageChoice.SEND)),
                    CallbackQueryHandler(again, pattern=on(MessageChoice.CHANGE)),
                ),
                OFFER: FLOW.state(
                    ask_offer,
                    CallbackQueryHandler(take_offer, pattern=on(MessageChoice.OFFERED)),
                    MessageHandler(sendable, more_of_the_offer),
                ),
            },
            fallbacks=[],
            name="message",
            persistent=True,
            timeout=timeout,
        )
