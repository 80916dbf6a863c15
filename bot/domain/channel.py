"""The broadcast channel: signature digests, milestones, the pinned counter, post links."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Protocol

from bot.domain import days
from bot.domain.effects import CHANNEL, MESSAGE
from bot.domain.notices import Notifier
from bot.domain.ports import (
    ChannelClient,
    ChannelUnavailable,
    Renderer,
    WithDb,
    WithDigests,
    WithMessages,
    WithOutbox,
    WithSignatures,
    WithState,
)
from bot.domain.signatures import Status

logger = logging.getLogger(__name__)

MILESTONES = (100, 250, 500, 1_000, 2_500, 5_000, 10_000, 25_000, 50_000, 100_000, 250_000)
DIGEST_LIMIT = 5000  # approved signatures in one channel digest at most

# Campaign state keys.
MILESTONE = "milestone"
COUNTER_POST = "counter_message_id"
COUNTER_PINNED = "counter_pinned"
COUNTER_VALUE = "counter_value"
CHANNEL_USERNAME = "channel_username"


def next_milestone(count: int, announced: int, goal: int | None = None) -> int | None:
    """The highest milestone reached by `count` and not yet announced; the campaign's goal
    is a milestone of its own (once: a goal that is also in MILESTONES is one milestone)."""
    milestones = sorted({*MILESTONES, *([goal] if goal else [])})
    reached = [m for m in milestones if announced < m <= count]
    if not reached and count >= MILESTONES[-1] * 2 > announced:
        return count // MILESTONES[-1] * MILESTONES[-1]
    return reached[-1] if reached else None


def reaches_goal(milestone: int, announced: int, goal: int | None) -> bool:
    """Whether announcing `milestone` after `announced` is the goal being reached: the one
    milestone post that says so (a jump past the goal and a higher milestone is one post)."""
    return goal is not None and announced < goal <= milestone


class ChannelStores(
    WithDb, WithSignatures, WithDigests, WithMessages, WithOutbox, WithState, Protocol
):
    """The stores the channel's service works on."""


class ChannelService:
    def __init__(
        self,
        stores: ChannelStores,
        posts: Renderer,
        notifier: Notifier,
        client: ChannelClient,
        channel_id: int | str,
        wake: Callable[[], None],
        goal: int | None = None,
    ) -> None:
        self.goal = goal  # SIGNATURE_GOAL
        self.stores = stores
        self.posts = posts
        self.notifier = notifier
        self.client = client
        self.channel_id = channel_id
        self.wake = wake

    async def check_milestone(self) -> None:
        """Announce the milestone the approved signatures reached, once."""
        state = self.stores.state
        count = await self.stores.signatures.count(Status.APPROVED)
        announced = int(await state.get(MILESTONE) or 0)
        milestone = next_milestone(count, announced, self.goal)
        if milestone is not None:
            await state.set(MILESTONE, str(milestone))
            reached = reaches_goal(milestone, announced, self.goal)
            post = self.posts.milestone(milestone, self.goal, reached)
            await self.stores.outbox.add(CHANNEL, post)

    async def publish_signatures(self) -> int:
        """Post newly approved signatures as one digest, so a name's timing reveals little."""
        stores = self.stores
        async with stores.db.transaction():
            signatures = await stores.digests.unpublished(DIGEST_LIMIT)
            if not signatures:
                return 0
            for post in self.posts.signature_digest(signatures):
                await stores.outbox.add(CHANNEL, post)
            await stores.digests.mark_published([s.id for s in signatures], days.today())
        self.wake()
        return len(signatures)

    async def update_counter(self) -> None:
        """The pinned counter post: queued once, then pinned and edited when the count moves."""
        state = self.stores.state
        count = await self.stores.signatures.count(Status.APPROVED)
        message_id = await state.get(COUNTER_POST)
        if message_id is None:
            if await state.get(COUNTER_VALUE) is None:  # not queued yet
                await state.set(COUNTER_VALUE, str(count))
                await self.stores.outbox.add(CHANNEL, self.posts.counter(count, self.goal))
                self.wake()
            return
        try:
            if await state.get(COUNTER_PINNED) != message_id:
                await self.client.pin(int(message_id))
                await state.set(COUNTER_PINNED, message_id)
            if await state.get(COUNTER_VALUE) != str(count):
                text = self.posts.counter(count, self.goal).text or ""
                await self.client.edit_text(int(message_id), text)
                await state.set(COUNTER_VALUE, str(count))
        except ChannelUnavailable as error:
            logger.warning("The counter post could not be updated: %s", error.kind)

    async def counter_posted(self, post_id: int) -> None:
        await self.stores.state.set(COUNTER_POST, str(post_id))

    async def published(self, message_id: int, post_id: int) -> None:
        """A message's post is out: keep its link and tell the author, with the link."""
        link = await self.post_link(post_id)
        messages = self.stores.messages
        await messages.set_post_link(message_id, link)
        message = await messages.get(message_id)
        person_key = await messages.author_of(message_id)
        if message is not None and person_key is not None:
            await self.notifier.tell(
                person_key,
                self.posts.message_notice(message.language, None, link),
                about=(MESSAGE, message_id),
            )

    async def learn_username(self, username: str) -> None:
        await self.stores.state.set(CHANNEL_USERNAME, username)

    async def post_link(self, post_id: int) -> str:
        """A public channel's posts are linked by username, a private one's by its id."""
        channel = self.channel_id
        username = await self.stores.state.get(CHANNEL_USERNAME)
        if isinstance(channel, str):
            username = channel.lstrip("@")
        if username:
            return f"https://t.me/{username}/{post_id}"
        internal = str(channel).removeprefix("-100")
        return f"https://t.me/c/{internal}/{post_id}"
