"""Submitting, changing and withdrawing signatures (moderation decides them)."""

from __future__ import annotations

import datetime as dt

from bot.domain.ports import ContactStore, SignatureStore
from bot.domain.signatures import NotSigned, Signature, SignatureDraft, Status


class SigningService:
    def __init__(self, signatures: SignatureStore, contacts: ContactStore) -> None:
        self.signatures = signatures
        self.contacts = contacts

    async def signature_of(self, person_key: str) -> Signature | None:
        return await self.signatures.of_person(person_key)

    async def submit(
        self, person_key: str, telegram_id: int, draft: SignatureDraft, language: str
    ) -> Signature:
        """Store a new signature, or replace the person's own, as pending review."""
        today = dt.date.today()
        if await self.signatures.of_person(person_key) is None:
            signature = await self.signatures.add(person_key, draft, language, today)
        else:
            signature = await self.signatures.replace(person_key, draft, language, today)
        # The id is kept only so the decision can be told; it is erased once it is.
        await self.contacts.keep(person_key, telegram_id)
        return signature

    async def withdraw(self, person_key: str) -> None:
        if not await self.signatures.remove(person_key):
            raise NotSigned
        await self.contacts.release(person_key)

    async def approved_count(self) -> int:
        return await self.signatures.count(Status.APPROVED)
