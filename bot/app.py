"""Build the Application: settings in, every handler registered in one ordered block."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any, cast

from telegram import LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.ext import (
    ApplicationBuilder,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    ContextTypes,
    Defaults,
    ExtBot,
    InlineQueryHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot import runtime
from bot.buttons import (
    MODERATION,
    ApproveDigest,
    ApproveMessage,
    AskReason,
    BackToCard,
    BackToDigest,
    BanAuthor,
    ChooseLanguage,
    Clear,
    Forget,
    KeepSignature,
    LetterLanguages,
    ReadLetter,
    RejectMessage,
    RejectSignature,
    UnbanAuthor,
    UndoDigest,
    UndoMessage,
    UndoSignature,
    Withdraw,
    WithdrawMessage,
    of_family,
)
from bot.config import Settings
from bot.context import BotApplication, BotContext, BotData
from bot.delivery.limiter import TelegramLimits
from bot.domain.identity import PersonKeys, load_or_create_key
from bot.domain.letter import LetterLibrary
from bot.handlers import decisions, group, permissions, replies
from bot.handlers.amendments import keep_signature, tell_of_amendment
from bot.handlers.chats import ModeratorChat, chat_id
from bot.handlers.conversation import PrivatePress
from bot.handlers.edits import edited_elsewhere
from bot.handlers.guard import guard
from bot.handlers.language import choose_language, resolve_language, show_language_picker
from bot.handlers.letter import letter_button, letter_command, letter_languages
from bot.handlers.links import count_going_on
from bot.handlers.message import message_conversation
from bot.handlers.privacy import clear_chat, forget, my_data
from bot.handlers.reply import remember_incoming
from bot.handlers.safety import safety
from bot.handlers.share import share_letter
from bot.handlers.sign import signing_conversation, withdraw
from bot.handlers.start import show_help, stale_button, start
from bot.i18n import LANGUAGES, LOCALES_DIR, I18n
from bot.request import AiohttpRequest, TrimmedBot
from bot.storage.persistence import SqlitePersistence
from bot.updates import PerChatOrder

Callback = Callable[[Update, BotContext], Coroutine[Any, Any, object]]


def build_application(settings: Settings, locales_dir: Path = LOCALES_DIR) -> BotApplication:
    """Load catalogs and letters (failing loudly), then wire the bot."""
    i18n = I18n(settings.default_language, locales_dir)
    letters = LetterLibrary(settings.letters_dir or locales_dir, LANGUAGES)
    keys = PersonKeys(
        load_or_create_key(settings.secret_key, settings.key_path), settings.key_cost
    )
    base = settings.telegram_api_url
    bot: ExtBot[int] = TrimmedBot(
        settings.bot_token,
        base_url=f"{base}/bot",
        base_file_url=f"{base}/file/bot",
        request=AiohttpRequest(),
        get_updates_request=AiohttpRequest(
            connection_pool_size=2, read_timeout=runtime.POLL_TIMEOUT + 5
        ),
        defaults=Defaults(
            parse_mode=ParseMode.HTML, link_preview_options=LinkPreviewOptions(is_disabled=True)
        ),
        rate_limiter=TelegramLimits(
            group_count=settings.group_rate[0], group_window=settings.group_rate[1]
        ),
    )
    bot_data = BotData.create(settings, i18n, letters, keys, bot)
    persistence = SqlitePersistence(bot_data.database, settings.conversation_timeout)
    application = cast(
        BotApplication,
        ApplicationBuilder()
        .bot(bot)
        # PTB calls bot_data() once to make the application's bot_data: hand it ours.
        .context_types(
            ContextTypes(context=BotContext, bot_data=cast(type[BotData], lambda: bot_data))
        )
        .concurrent_updates(PerChatOrder())
        .persistence(persistence)
        .post_init(runtime.post_init)
        .post_stop(runtime.post_stop)
        .post_shutdown(runtime.post_shutdown)
        .build(),
    )
    persistence.application = application
    add_handlers(application)
    return application


def add_handlers(application: BotApplication) -> None:
    """Every handler, in the order that decides which one answers."""
    data = application.bot_data
    timeout = data.settings.conversation_timeout
    private = filters.ChatType.PRIVATE
    moderator_chat = ModeratorChat(data)
    other_groups = filters.ChatType.GROUPS & ~moderator_chat

    def press(callback: Callback, pattern: Callable[[object], bool]) -> None:
        application.add_handler(CallbackQueryHandler(callback, pattern=pattern))

    def private_press(callback: Callback, pattern: Callable[[object], bool]) -> None:
        application.add_handler(PrivatePress(callback, pattern=pattern))

    # Before anything else: duplicates, floods and bans are stopped; then the
    # language of the update is settled, and the ids /clear needs are noted.
    application.add_handler(TypeHandler(Update, guard), group=-200)
    application.add_handler(TypeHandler(Update, resolve_language), group=-100)
    # A signer of an older text of the letter hears once what changed, before their answer.
    application.add_handler(TypeHandler(Update, tell_of_amendment), group=-90)
    application.add_handler(
        MessageHandler(private & filters.UpdateType.MESSAGE, remember_incoming), group=-50
    )
    # Going on from the first screen, for the named link the person came by (counts only).
    application.add_handler(TypeHandler(Update, count_going_on), group=-40)

    # The safety guide answers at any step, before the conversations (which would refuse it).
    new_messages = private & filters.UpdateType.MESSAGE  # an edit of an old /safety is not one
    application.add_handler(CommandHandler("safety", safety, new_messages), group=-10)
    # So does a reply to the bot's question (a conversation under way stays where it was).
    answers = private & filters.REPLY & filters.UpdateType.MESSAGE & ~filters.COMMAND
    application.add_handler(MessageHandler(answers, replies.answer_question), group=-10)

    # The two conversations first: while someone is in one, it answers everything they send.
    application.add_handler(signing_conversation(timeout))
    application.add_handler(message_conversation(timeout))
    # An edit outside them: what became of what was sent, or send it again (never a command).
    application.add_handler(
        MessageHandler(private & filters.UpdateType.EDITED_MESSAGE, edited_elsewhere)
    )

    # Supporters, in their private chat with the bot.
    application.add_handler(CommandHandler("start", start, private))
    application.add_handler(CommandHandler("withdraw", withdraw, private))
    application.add_handler(CommandHandler("mydata", my_data, private))
    application.add_handler(CommandHandler("forget", forget, private))
    application.add_handler(CommandHandler("clear", clear_chat, private))
    application.add_handler(CommandHandler("letter", letter_command, private))
    application.add_handler(CommandHandler("language", show_language_picker, private))
    application.add_handler(CommandHandler("help", show_help, private))
    private_press(withdraw, Withdraw.pattern())
    private_press(keep_signature, KeepSignature.pattern())
    private_press(replies.withdraw_message, WithdrawMessage.pattern())
    private_press(forget, Forget.pattern())
    private_press(clear_chat, Clear.pattern())
    private_press(letter_button, ReadLetter.pattern())
    private_press(letter_languages, LetterLanguages.pattern())
    private_press(choose_language, ChooseLanguage.pattern())

    # Anyone, in any chat: `@bot` typed offers the letter to share (inline mode).
    application.add_handler(InlineQueryHandler(share_letter))

    # The moderator group: who may decide (promotions and demotions count at once), a handler
    # per action on the cards, then the group's commands.
    application.add_handler(
        ChatMemberHandler(permissions.member_changed, ChatMemberHandler.CHAT_MEMBER)
    )
    press(decisions.approve_message, ApproveMessage.pattern())
    press(decisions.ask_reason, AskReason.pattern())
    press(decisions.back_to_card, BackToCard.pattern())
    press(decisions.reject_message, RejectMessage.pattern())
    press(decisions.ban_author, BanAuthor.pattern())
    press(decisions.unban_author, UnbanAuthor.pattern())
    press(decisions.undo_message, UndoMessage.pattern())
    press(decisions.approve_digest, ApproveDigest.pattern())
    press(decisions.undo_digest, UndoDigest.pattern())
    press(decisions.back_to_digest, BackToDigest.pattern())
    press(decisions.reject_signature, RejectSignature.pattern())
    press(decisions.undo_signature, UndoSignature.pattern())
    press(decisions.refuse, of_family(MODERATION))  # forged or malformed
    # A moderator's reply to the bot's prompt for a reason they type.
    application.add_handler(
        MessageHandler(
            moderator_chat & filters.REPLY & filters.TEXT & ~filters.COMMAND,
            decisions.typed_reason,
        )
    )
    application.add_handler(CommandHandler("pending", group.pending, moderator_chat))
    application.add_handler(CommandHandler("stats", group.stats, moderator_chat))
    application.add_handler(CommandHandler("export", group.export, moderator_chat))
    application.add_handler(CommandHandler(["ban", "unban"], group.ban_command, moderator_chat))
    application.add_handler(CommandHandler("help", group.moderator_help, moderator_chat))
    # Replies to a card: the command, then the text (new messages only, not edits of them).
    replying = moderator_chat & filters.UpdateType.MESSAGE
    application.add_handler(CommandHandler("edit", replies.edit, replying))
    application.add_handler(CommandHandler("ask", replies.ask, replying))

    # Chats the bot was not configured for: only /chatid, to help fill in the settings.
    application.add_handler(CommandHandler("chatid", chat_id, other_groups))
    application.add_handler(
        MessageHandler(
            filters.UpdateType.CHANNEL_POST & filters.Regex(r"^/chatid(@\w+)?$"), chat_id
        )
    )

    # Last: buttons this version does not know, and anything else said in private.
    application.add_handler(CallbackQueryHandler(stale_button))
    application.add_handler(MessageHandler(private & filters.UpdateType.MESSAGE, show_help))

    application.add_error_handler(runtime.on_error)
