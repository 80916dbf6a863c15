"""The campaign's figures and exports, for the moderators."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Protocol

from bot.domain.messages import Message
from bot.domain.ports import Totals, WithDigests, WithMessages, WithOutbox, WithStats
from bot.domain.signatures import Signature

# A spreadsheet runs a cell that begins with one of these as a formula (=HYPERLINK(…) sends
# whoever opens the export to a page of the author's choosing). OWASP's advice on CSV
# injection: begin such a cell with a single quote, which spreadsheets read as "this is text".
# The full-width forms are included: some spreadsheets take them for their ASCII twins.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\0", "＝", "＋", "－", "＠")


def spreadsheet_cell(value: str) -> str:
    """The value as a spreadsheet cell that is never run as a formula."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


class ReportStores(WithStats, WithOutbox, WithDigests, WithMessages, Protocol):
    """The stores the figures and exports are read from."""


class Reports:
    def __init__(self, stores: ReportStores) -> None:
        self.stores = stores

    async def totals(self) -> Totals:
        """Counts by status, language, country and day, and the outbox by status."""
        return await self.stores.stats.totals()

    async def backlog(self) -> int:
        return await self.stores.outbox.backlog()

    def approved_signatures(self) -> AsyncIterator[Signature]:
        """Every approved signature, a page at a time (memory stays flat)."""
        return self.stores.digests.approved()

    async def approved_messages(self) -> list[Message]:
        return await self.stores.messages.approved()
