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

from bot.domain.effects import CHANNEL, DIGEST, MESSAGE, MODERATORS, SIGNATURE, Method, Place, Post
from bot.domain.ports import Renderer, WithDigests, WithOutbox, WithShown, WithSignatures
from bot.domain.signatures import Signature


class UnpublishStores(WithShown, WithOutbox, WithDigests, WithSignatures, Protocol):
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
        if digest_id is not None:
            await self._digest_card(digest_id)
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
        self.wake()

    async def _digest_card(self, digest_id: int) -> None:
        stores = self.stores
        remaining = await stores.digests.signatures(digest_id)
        for place in await stores.shown.places(DIGEST, digest_id):
            if place.queued:
                await stores.outbox.drop(place.outbox_id)
                if remaining:
                    await stores.outbox.add(
                        MODERATORS, self.posts.digest_card(digest_id, remaining)
                    )
            elif remaining:
                await self._edit(place, self.posts.digest_card(digest_id, remaining))
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
