"""The main menu: the keyboard under the letter, and the command list."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.handlers import callback_data
from bot.i18n import N_, Translator

# Commands in private chats, with descriptions registered per language at start-up.
COMMANDS: tuple[tuple[str, str], ...] = (
    ("start", N_("Start, and read the open letter")),
    ("letter", N_("Read the open letter")),
    ("language", N_("Choose the language of the bot")),
    ("help", N_("What this bot can do")),
)


def menu_keyboard(t: Translator) -> InlineKeyboardMarkup:
    """Read the letter, read it in another language, choose the language."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t.gettext("Read the letter"),
                    callback_data=callback_data.build(callback_data.READ_LETTER),
                )
            ],
            [
                InlineKeyboardButton(
                    t.gettext("Read in another language"),
                    callback_data=callback_data.build(callback_data.LETTER_LANGUAGES),
                )
            ],
            [
                InlineKeyboardButton(
                    t.gettext("Language"),
                    callback_data=callback_data.build(callback_data.LANGUAGE_PICKER),
                )
            ],
        ]
    )


def help_text(t: Translator) -> str:
    lines = [t.gettext("This bot shares the open letter “People of the world!”.")]
    lines.append("")
    lines.extend(f"/{name} — {t.gettext(description)}" for name, description in COMMANDS)
    return "\n".join(lines)
