"""Submitting, changing and withdrawing signatures (moderation decides them)."""

from __future__ import annotations

from typing import Protocol

from bot.domain import days
from bot.domain.ports import WithContacts, WithDb, WithDigests, WithSignatures
from bot.domain.signatures import LetterShown, NotSigned, Signature, SignatureDraft, Status
from bot.domain.unpublish import Unpublisher


class SigningStores(WithDb, WithSignatures, WithDigests, WithContacts, Protocol):
    """The stores signing works on."""


class SigningService:
    def __init__(self, stores: SigningStores, unpublish: Unpublisher) -> None:
        self.stores = stores
        self.signatures = stores.signatures
        self.contacts = stores.contacts
        self.unpublish = unpublish

    async def signature_of(self, person_key: str) -> Signature | None:
        return await self.signatures.of_person(person_key)

    async def submit(
        self,
        person_key: str,
        telegram_id: int,
        draft: SignatureDraft,
        language: str,
        letter: LetterShown | None = None,
    ) -> Signature:
        """Store a new signature, or replace the person's own, as pending review, under the
        letter they were shown (`letter`)."""
        today = days.today()
        stores = self.stores
        async with stores.db.transaction():
            earlier = await self.signatures.of_person(person_key)
            if earlier is None:
                signature = await self.signatures.add(person_key, draft, language, today, letter)
            else:
                # A changed signature is reviewed again, on a new card: the card that showed
                # the earlier version says so, and can no longer decide it.
                digest_id = await stores.digests.digest_of(earlier.id)
                signature = await self.signatures.replace(
                    person_key, draft, language, today, letter
                )
                if digest_id is not None and earlier.status is Status.PENDING:
                    await self.unpublish.superseded(earlier.id, digest_id)
            # The id is kept only so the decision can be told; it is erased once it is.
            await self.contacts.keep(person_key, telegram_id)
        return signature

    async def withdraw(self, person_key: str) -> None:
        """Remove the signature, and its lines from the channel and the moderators' cards."""
        stores = self.stores
        async with stores.db.transaction():
            signature = await stores.signatures.of_person(person_key)
            if signature is None:
                raise NotSigned
            digest_id = await stores.digests.digest_of(signature.id)
            await stores.signatures.remove(person_key)
            await self.unpublish.signature(signature.id, digest_id)
            await stores.contacts.release(person_key)

    async def signed_count(self) -> int:
        """Everyone who has signed and not been turned down: the approved, and those whose
        signature (a new signer's own among them) waits for the moderators' review."""
        return await self.signatures.count(Status.APPROVED, Status.PENDING)
