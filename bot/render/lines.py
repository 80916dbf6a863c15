"""The line under what a person sends (“Maryam N., Germany”), and a message as published."""

from __future__ import annotations

import html
from typing import Protocol

from bot.domain.countries import country_name
from bot.domain.signatures import Listing
from bot.i18n import Translator


class Listed(Protocol):
    """A signature or a message: how its author is listed."""

    @property
    def listing(self) -> Listing: ...
    @property
    def name(self) -> str | None: ...
    @property
    def country(self) -> str | None: ...


def published_line(listing: Listing, name: str | None, country: str | None, t: Translator) -> str:
    """The line as it may be published (plain text; escape it before putting it in HTML).

    It is a signatory list's entry, "Name, Country", with "A supporter" for a name when the
    person signs anonymously: the country stands alone, in the nominative its name has in
    the language. A phrase such as "a supporter from …" would need, in each of ten
    languages, the article and case of every country ("from the United Kingdom", "aus dem
    Vereinigten Königreich", "d'Iran", "из Великобритании", "İran'dan").
    """
    place = country_name(country, t.language) if country else None
    label = name if listing is not Listing.ANONYMOUS and name else t.gettext("A supporter")
    if place:
        return t.gettext("{name}, {country}").format(name=label, country=place)
    return label


def line_of(item: Listed, t: Translator) -> str:
    return published_line(item.listing, item.name, item.country, t)


def published_text(body: str | None, line: str) -> str:
    """The message as the channel shows it, in Telegram HTML: the words, then who sent them."""
    signed = "— " + html.escape(line)
    return f"{html.escape(body)}\n\n{signed}" if body else signed
