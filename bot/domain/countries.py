"""Countries by ISO code, named in the reader's language with Babel's territory names."""

from __future__ import annotations

import unicodedata
from functools import cache

from babel import Locale

# Offered first on the keyboard: where most of this letter's readers live.
COMMON = ("IR", "DE", "SE", "GB", "US", "CA", "FR", "TR", "IQ", "NL")
# Babel's two-letter territories that are not countries one lives in.
_NOT_COUNTRIES = {"EU", "EZ", "UN", "ZZ", "QO", "XA", "XB", "AQ", "BV", "HM", "CP", "DG"}


@cache
def country_names(language: str) -> dict[str, str]:
    territories = Locale.parse(language).territories
    return {
        code: name
        for code, name in territories.items()
        if len(code) == 2 and code.isalpha() and code not in _NOT_COUNTRIES
    }


def country_name(code: str, language: str) -> str:
    return country_names(language).get(code, code)


def is_country(code: str) -> bool:
    return code in country_names("en")


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    folded = "".join(c for c in decomposed if not unicodedata.combining(c))
    # Arabic-script variants typed on different keyboards: ي/ی, ك/ک.
    return folded.replace("ي", "ی").replace("ك", "ک").replace("\u200c", "").strip()


def search_countries(query: str, language: str, limit: int = 6) -> list[str]:
    """Codes of countries whose name (in the language, or in English) matches the query."""
    wanted = _fold(query)
    if len(wanted) < 2:
        return []
    found: list[tuple[int, str]] = []
    for code in country_names("en"):
        names = {_fold(country_name(code, language)), _fold(country_name(code, "en"))}
        if wanted == code.casefold() or any(name == wanted for name in names):
            found.append((0, code))
        elif any(name.startswith(wanted) for name in names):
            found.append((1, code))
        elif any(wanted in name for name in names):
            found.append((2, code))
    found.sort(key=lambda item: (item[0], country_name(item[1], language)))
    return [code for _, code in found[:limit]]
