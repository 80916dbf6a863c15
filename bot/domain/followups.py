"""What follows a delivery, by the post's follow-up; and what a block by a person undoes."""

from __future__ import annotations

from bot.domain.channel import ChannelService
from bot.domain.effects import FollowUp, OutboxItem
from bot.domain.ports import ContactStore


class FollowUps:
    def __init__(self, channel: ChannelService, contacts: ContactStore) -> None:
        self.channel = channel
        self.contacts = contacts

    async def delivered(self, item: OutboxItem, sent_id: int) -> None:
        """Run the delivered post's follow-up (in the transaction that closes the item)."""
        post = item.post
        if post.follow_up is FollowUp.PUBLISHED and post.message_id is not None:
            await self.channel.published(post.message_id, sent_id)
        elif post.follow_up is FollowUp.RELEASE and item.person_key:
            await self.contacts.release(item.person_key)
        elif post.follow_up is FollowUp.COUNTER:
            await self.channel.counter_posted(sent_id)

    async def blocked(self, person_keys: set[str]) -> None:
        """People who blocked the bot: nothing can reach them, so their ids go at once."""
        for person_key in person_keys:
            await self.contacts.erase(person_key)
