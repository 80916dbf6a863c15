"""Catalogs, language negotiation, translation and locale-aware formatting.

Catalogs are the .po files under locales/, compiled in memory when the bot starts: there is
no compiled file to forget. A missing or broken catalog stops the bot at start-up.
"""

from __future__ import annotations

import datetime as dt
import gettext as gettext_module
import io
from dataclasses import dataclass
from pathlib import Path

from babel import Locale
from babel.dates import format_date, format_time
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from jdatetime import date as SolarHijriDate

LANGUAGES: tuple[str, ...] = ("en", "fa", "ckb", "ar", "tr", "de", "fr", "es", "sv", "ru")
RTL_LANGUAGES = frozenset({"fa", "ckb", "ar"})
DOMAIN = "bot"
LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"


# Babel formats with the locale's symbols but always with Latin digits; these are the
# digits of the CLDR numbering systems our languages use by default.
_NATIVE_DIGITS = {"arab": "٠١٢٣٤٥٦٧٨٩", "arabext": "۰۱۲۳۴۵۶۷۸۹"}


def native_digits(text: str, language: str) -> str:
    """Write Latin digits in the language's default numbering system (Persian: ۱۲۳)."""
    system = Locale.parse(language).default_numbering_system
    digits = _NATIVE_DIGITS.get(system)
    return text.translate(str.maketrans("0123456789", digits)) if digits else text


# Readers of Persian count days in the Solar Hijri calendar (۱۱ آذر ۱۴۰۵), which Babel's data
# names but does not compute; jdatetime does.
SOLAR_HIJRI = frozenset({"fa"})

# How each language quotes someone's words (CLDR's delimiters, as its typographers use them):
# French sets its guillemets off with narrow no-break spaces, as its catalog does.
_QUOTES = {
    "en": ("“", "”"),
    "de": ("„", "“"),
    "fr": ("«\u202f", "\u202f»"),
    "es": ("«", "»"),
    "ru": ("«", "»"),
    "sv": ("”", "”"),
    "tr": ("“", "”"),
    "fa": ("«", "»"),
    "ar": ("«", "»"),
    "ckb": ("«", "»"),
}


def N_(message: str) -> str:
    """Mark a string for extraction; it is translated later, where the language is known."""
    return message


class CatalogError(Exception):
    """A catalog is missing or cannot be read."""


def negotiate(code: str | None, supported: tuple[str, ...] = LANGUAGES) -> str | None:
    """Map a Telegram language_code (fa-IR, de_AT, pt-BR, ckb) to a supported language."""
    if not code:
        return None
    normal = code.strip().replace("_", "-").lower()
    if normal in supported:
        return normal
    base = normal.split("-", 1)[0]
    return base if base in supported else None


def native_name(language: str) -> str:
    """The language's own name, from Babel's data (فارسی, Deutsch, کوردیی ناوەندی)."""
    name = Locale.parse(language).get_display_name(language) or language
    return name[:1].upper() + name[1:] if language not in RTL_LANGUAGES else name


@dataclass(frozen=True)
class Translator:
    """Everything a handler needs to speak one language."""

    language: str
    translations: gettext_module.NullTranslations

    def gettext(self, message: str) -> str:
        return self.translations.gettext(message)

    def ngettext(self, singular: str, plural: str, count: int) -> str:
        return self.translations.ngettext(singular, plural, count)

    def number(self, value: int | float) -> str:
        formatted = format_decimal(value, locale=self.language, numbering_system="default")
        return native_digits(formatted, self.language)

    def date(self, value: dt.date) -> str:
        """The day with its month as a word, in the reader's calendar: "2 December 2026",
        "۱۱ آذر ۱۴۰۵" in Persian."""
        if self.language in SOLAR_HIJRI:
            solar = SolarHijriDate.fromgregorian(date=value)
            month = SolarHijriDate.j_months_fa[solar.month - 1]
            return native_digits(f"{solar.day} {month} {solar.year}", self.language)
        return native_digits(
            format_date(value, format="long", locale=self.language), self.language
        )

    def datetime(self, value: dt.datetime) -> str:
        """The day (see date) and the time on a 24-hour clock, in UTC:
        "2 December 2026, 00:50 UTC" (never "12/2/26", which reads two ways)."""
        utc = value.astimezone(dt.UTC)
        clock = format_time(utc, "HH:mm", tzinfo=dt.UTC, locale=self.language)
        combined = str(Locale.parse(self.language).datetime_formats["medium"])
        return native_digits(combined.format(clock, self.date(utc.date())) + " UTC", self.language)

    def quote(self, words: str) -> str:
        """Someone's words, in the quotation marks of the language: “…”, „…“, « … », «…»."""
        opening, closing = _QUOTES.get(self.language, _QUOTES["en"])
        return f"{opening}{words}{closing}"

    def language_name(self, language: str) -> str:
        """A language's name in this one: "German" in English, «آلمانی» in Persian."""
        return Locale.parse(language).get_display_name(self.language) or language

    @property
    def rtl(self) -> bool:
        return self.language in RTL_LANGUAGES


class I18n:
    """All catalogs, loaded once."""

    def __init__(self, default_language: str, locales_dir: Path = LOCALES_DIR) -> None:
        self.default_language = default_language
        self._translators: dict[str, Translator] = {}
        for language in LANGUAGES:
            self._translators[language] = Translator(language, _load(locales_dir, language))

    def get(self, language: str | None) -> Translator:
        return self._translators.get(language or "", self._translators[self.default_language])

    def resolve(self, stored: str | None, telegram_code: str | None) -> str:
        """The stored choice, else the Telegram language, else DEFAULT_LANGUAGE."""
        if stored in self._translators:
            return str(stored)
        return negotiate(telegram_code) or self.default_language


def _load(locales_dir: Path, language: str) -> gettext_module.NullTranslations:
    if language == "en":
        # English is the source language: msgids are the text.
        return gettext_module.NullTranslations()
    path = locales_dir / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not path.is_file():
        raise CatalogError(f"catalog missing: {path}")
    try:
        with path.open("rb") as source:
            catalog = read_po(source, locale=language)
        compiled = io.BytesIO()
        write_mo(compiled, catalog)
        compiled.seek(0)
        return gettext_module.GNUTranslations(compiled)
    except Exception as error:
        raise CatalogError(f"catalog broken: {path}: {error}") from error
