"""People's language choices, with the stored ones cached in memory (a query per update less)."""

from __future__ import annotations

from bot.domain.ports import PeopleStore

CACHE_SIZE = 50_000


class LanguageChoices:
    def __init__(self, people: PeopleStore) -> None:
        self.people = people
        # person_key -> stored language ("" when none is stored).
        self._cache: dict[str, str] = {}

    async def stored(self, person_key: str) -> str | None:
        found = self._cache.get(person_key)
        if found is None:
            found = await self.people.language_of(person_key) or ""
            self._remember(person_key, found)
        return found or None

    def known(self, person_key: str) -> str | None:
        """The stored choice if it is in memory (the person spoke to the bot lately): no
        database read, for inline queries that come a keystroke each."""
        return self._cache.get(person_key) or None

    async def choose(self, person_key: str, language: str) -> None:
        await self.people.choose_language(person_key, language)
        self._remember(person_key, language)

    def forget(self, person_key: str) -> None:
        self._cache.pop(person_key, None)

    def _remember(self, person_key: str, language: str) -> None:
        if len(self._cache) >= CACHE_SIZE:
            self._cache.clear()
        self._cache[person_key] = language
