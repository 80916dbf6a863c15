"""Reaching what a withdrawn or forgotten item left in the channel and the moderator group.

Called inside the transaction that deletes the item, after its row is gone: a queued card or
post showing it is dropped (and queued again without it, where it showed others too); a sent
one is deleted (or, where Telegram refuses, edited to a note), or edited without its line.
The edits and deletions go through the outbox, so they survive a 429 or a restart.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Protocol

from bot.domain.decisions import ItemKind
from bot.domain.effects import CHANNEL, DIGEST, MESSAGE, MODERATORS, SIGNATURE, Method, Place, Post
from bot.domain.ports import (
    Renderer,
    WithAudit,
    WithDigests,
    WithOutbox,
    WithShown,
    WithSignatures,
)
from bot.domain.signatures import Signature


class UnpublishStores(WithShown, WithOutbox, WithDigests, WithSignatures, WithAudit, Protocol):
    """The stores that say where an item is shown, and what else is shown with it."""


class Unpublisher:
    def __init__(self, stores: UnpublishStores, posts: Renderer, wake: Callable[[], None]):
        self.stores = stores
        self.posts = posts
        self.wake = wake

    async def signature(self, signature_id: int, digest_id: int | None) -> None:
        """The signature's channel line and its card line go; the others stay."""
        stores = self.stores
        for place in await stores.shown.places(SIGNATURE, signature_id):
            others = await self._others(place, signature_id)
            if place.queued:
                await stores.outbox.drop(place.outbox_id)
                if others:
                    for post in self.posts.signature_digest(others):
                        await stores.outbox.add(CHANNEL, post)
            elif others:
                [post] = self.posts.signature_digest(others)[:1]  # shorter than it was
                await self._edit(place, post)
            else:
                await self._delete(place, self.posts.removed_post())
        await stores.shown.forget(SIGNATURE, signature_id)
        await stores.audit.scrub(ItemKind.SIGNATURE, signature_id)
        if digest_id is not None:
            await self._digest_card(digest_id)
        self.wake()

    async def republish(self, signature_id: int, approved: bool) -> None:
        """A published signature reviewed again (changed, or a decision undone): its channel
        line shows the signature as it is now, or goes when it is no longer approved."""
        stores = self.stores
        places = [
            p for p in await stores.shown.places(SIGNATURE, signature_id) if p.chat == CHANNEL
        ]
        if not places:
            # Not shown anywhere we know of (a post from before this was recorded, or one
            # Telegram refused): the next channel digest carries it, if it is approved.
            await stores.signatures.unpublish(signature_id)
            return
        for place in places:
            others = await self._others(place, signature_id)
            if approved:
                signature = await stores.signatures.get(signature_id)
                shown = sorted([*others, signature], key=lambda s: s.id) if signature else others
            else:
                shown = others
            if place.queued:
                await stores.outbox.drop(place.outbox_id)
                if shown:
                    for post in self.posts.signature_digest(shown):
                        await stores.outbox.add(CHANNEL, post)
            elif shown:
                # The post is edited to show them; a longer line may need a post more.
                first, *more = self.posts.signature_digest(shown)
                await self._edit(place, first)
                for post in more:
                    await stores.outbox.add(CHANNEL, post)
            else:
                await self._delete(place, self.posts.removed_post())
        if not approved:
            await stores.signatures.unpublish(signature_id)
            await stores.shown.forget_in(CHANNEL, SIGNATURE, signature_id)
        self.wake()

    async def superseded(self, signature_id: int, digest_id: int) -> None:
        """A signature changed while on a digest card: the card no longer shows it (it says
        so, and can no longer decide it); the new version goes on a new card."""
        await self._digest_card(digest_id, changed=(signature_id,))
        self.wake()

    async def retract_message(self, message_id: int) -> None:
        """An approval undone: the message's channel post goes (its cards stay)."""
        stores = self.stores
        for place in await stores.shown.places(MESSAGE, message_id):
            if place.chat != CHANNEL:
                continue
            if place.queued:
                await stores.outbox.drop(place.outbox_id)
            else:
                await self._delete(place, self.posts.removed_post())
        await stores.shown.forget_in(CHANNEL, MESSAGE, message_id)
        self.wake()

    async def message(self, message_id: int) -> None:
        """The message's cards and posts are deleted (or blanked)."""
        stores = self.stores
        for place in await stores.shown.places(MESSAGE, message_id):
            if place.queued:
                await stores.outbox.drop(place.outbox_id)
            elif place.chat == CHANNEL:
                await self._delete(place, self.posts.removed_post())
            else:
                await self._delete(place, self.posts.removed_card(f"#M{message_id}"))
        await stores.shown.forget(MESSAGE, message_id)
        await stores.audit.scrub(ItemKind.MESSAGE, message_id)
        self.wake()

    async def _digest_card(self, digest_id: int, changed: tuple[int, ...] = ()) -> None:
        stores = self.stores
        remaining = await stores.digests.signatures(digest_id)
        card = self.posts.digest_card(digest_id, remaining, changed)
        for place in await stores.shown.places(DIGEST, digest_id):
            if place.queued:
                await stores.outbox.drop(place.outbox_id)
                if remaining:
                    await stores.outbox.add(
                        MODERATORS, self.posts.digest_card(digest_id, remaining)
                    )
            elif remaining or changed:
                await self._edit(place, card)
            else:
                note = self.posts.removed_card(f"#D{digest_id}")
                await self._edit(place, Post(Method.MESSAGE, note))

    async def _others(self, place: Place, signature_id: int) -> list[Signature]:
        """The other signatures still shown in the same channel post."""
        found = []
        for kind, number in await self.stores.shown.in_outbox(place.outbox_id):
            if kind == SIGNATURE and number != signature_id:
                signature = await self.stores.signatures.get(number)
                if signature is not None:
                    found.append(signature)
        return found

    async def _edit(self, place: Place, post: Post) -> None:
        edit = replace(post, method=Method.EDIT, target=place.message_id, shows=())
        await self.stores.outbox.add(place.chat, edit)

    async def _delete(self, place: Place, note: str) -> None:
        await self.stores.outbox.add(
            place.chat, Post(Method.DELETE, note, target=place.message_id)
        )
