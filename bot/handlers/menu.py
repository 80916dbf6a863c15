"""The main menu: the keyboard under the letter, and the command list."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.buttons import ChooseLanguage, LetterLanguages, ReadLetter, StartMessage, StartSigning
from bot.handlers.reply import button, keyboard
from bot.i18n import N_, Translator

# Commands in private chats, with descriptions registered per language at start-up.
COMMANDS: tuple[tuple[str, str], ...] = (
    ("start", N_("Start, and read the open letter")),
    ("letter", N_("Read the open letter")),
    ("sign", N_("Sign the letter")),
    ("withdraw", N_("Withdraw your signature")),
    ("message", N_("Send a message of solidarity")),
    ("language", N_("Choose the language of the bot")),
    ("mydata", N_("See what the bot stores about you")),
    ("forget", N_("Delete everything the bot stores about you")),
    ("clear", N_("Delete this conversation from the chat")),
    ("safety", N_("How to stay safe when you sign")),
    ("cancel", N_("Stop what you are doing")),
    ("help", N_("What this bot can do")),
)


def menu_keyboard(
    t: Translator, share: InlineKeyboardButton | None = None
) -> InlineKeyboardMarkup:
    """Sign (and share, under the letter), send a message, read the letter, read it in
    another language, choose the language."""
    return keyboard(
        [button(t.gettext("Sign the letter"), StartSigning())],
        *([[share]] if share is not None else []),
        [button(t.gettext("Send a message"), StartMessage())],
        [button(t.gettext("Read the letter"), ReadLetter())],
        [button(t.gettext("Read in another language"), LetterLanguages())],
        [button(t.gettext("Language"), ChooseLanguage())],
    )


def help_text(t: Translator) -> str:
    lines = [t.gettext("This bot shares the open letter “People of the world!”.")]
    lines.append("")
    lines.extend(f"/{name} — {t.gettext(description)}" for name, description in COMMANDS)
    return "\n".join(lines)
