"""What follows a delivery, by the post's follow-up; what a refusal or a block undoes."""

from __future__ import annotations

import time

from bot.domain import days
from bot.domain.channel import ChannelService
from bot.domain.effects import FollowUp, OutboxItem
from bot.domain.ports import ChatLogStore, ContactStore
from bot.domain.signatures import Status


class FollowUps:
    def __init__(
        self, channel: ChannelService, contacts: ContactStore, chat_log: ChatLogStore
    ) -> None:
        self.channel = channel
        self.contacts = contacts
        self.chat_log = chat_log
        self.messages = channel.stores.messages

    async def delivered(self, item: OutboxItem, sent_id: int) -> None:
        """Run the delivered post's follow-up (in the transaction that closes the item);
        a message in a person's chat is noted for /clear, whatever sent it."""
        post = item.post
        if item.private and item.person_key:
            self.chat_log.record(item.person_key, sent_id, int(time.time()), mine=True)
        if post.follow_up is FollowUp.PUBLISHED and post.message_id is not None:
            await self.channel.published(post.message_id, sent_id)
        elif post.follow_up is FollowUp.RELEASE and item.person_key:
            await self.contacts.release(item.person_key)
        elif post.follow_up is FollowUp.COUNTER:
            await self.channel.counter_posted(sent_id)

    async def failed(self, item: OutboxItem) -> None:
        """Telegram refused the post for good (in the transaction that closes the item).

        A notice that cannot be delivered need not be waited for: the person's id is released.
        A message whose card the moderators cannot see cannot be reviewed: it is set aside as
        rejected (no notice: no moderator decided), and its author's id released.
        """
        if item.person_key:
            await self.contacts.release(item.person_key)
        post = item.post
        if post.follow_up is FollowUp.CARD and post.message_id is not None:
            decided = await self.messages.decide(post.message_id, Status.REJECTED, days.today())
            if decided is not None:
                await self.contacts.release(decided[0])

    async def blocked(self, person_keys: set[str]) -> None:
        """People who blocked the bot: nothing can reach them, so their ids go at once."""
        for person_key in person_keys:
            await self.contacts.erase(person_key)
