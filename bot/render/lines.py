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
    """The line as it may be published (plain text; escape it before putting it in HTML)."""
    place = country_name(country, t.language) if country else None
    if listing is Listing.ANONYMOUS or not name:
        if place:
            return t.gettext("A supporter from {country}").format(country=place)
        return t.gettext("A supporter")
    if place:
        return t.gettext("{name}, {country}").format(name=name, country=place)
    return name


def line_of(item: Listed, t: Translator) -> str:
    return published_line(item.listing, item.name, item.country, t)


def published_text(body: str | None, line: str) -> str:
    """The message as the channel shows it, in Telegram HTML: the words, then who sent them."""
    signed = "— " + html.escape(line)
    return f"{html.escape(body)}\n\n{signed}" if body else signed
