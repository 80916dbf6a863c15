"""The domain's Renderer: posts in the moderators', the channel's or the person's language."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from bot.domain.decisions import Why
from bot.domain.effects import FollowUp, Method, Post
from bot.domain.messages import Message
from bot.domain.signatures import Signature
from bot.i18n import I18n, Translator
from bot.render import amendments, cards, channel, notices


class Posts:
    def __init__(self, i18n: I18n, moderator_language: str, channel_language: str) -> None:
        self.i18n = i18n
        self.moderators: Translator = i18n.get(moderator_language)
        self.channel: Translator = i18n.get(channel_language)

    def message_card(self, message: Message) -> list[Post]:
        return cards.message_card(message, self.moderators, self.channel)

    def digest_card(
        self, digest_id: int, signatures: list[Signature], changed: Sequence[int] = ()
    ) -> Post:
        return cards.digest_card(
            digest_id, signatures, self.moderators, self.channel, changed=changed
        )

    def channel_post(self, message: Message) -> list[Post]:
        return channel.channel_post(message, self.channel)

    def signature_digest(self, signatures: list[Signature]) -> list[Post]:
        return channel.signature_digest(signatures, self.channel)

    def milestone(self, count: int, goal: int | None = None, reached: bool = False) -> Post:
        return channel.milestone(count, self.channel, goal, reached)

    def letter_amended(self, language: str, day: dt.date) -> Post:
        """The channel's note that the `language` text of the letter was amended on `day`."""
        return Post(Method.MESSAGE, amendments.amended_note(language, day, self.channel))

    def counter(self, count: int, goal: int | None = None) -> Post:
        text = channel.counter_text(count, self.channel, goal)
        return Post(Method.MESSAGE, text, follow_up=FollowUp.COUNTER)

    def signature_notice(self, language: str, approved: bool, why: Why | None = None) -> Post:
        return _notice(notices.signature_notice(self.i18n.get(language), approved, why))

    def message_notice(self, language: str, why: Why | None, link: str | None) -> Post:
        return _notice(notices.message_notice(self.i18n.get(language), why, link))

    def banned_notice(self, language: str) -> Post:
        return _notice(notices.banned_notice(self.i18n.get(language)))

    def removed_post(self) -> str:
        return channel.removed_post(self.channel)

    def removed_card(self, reference: str) -> str:
        return cards.removed_card(reference, self.moderators)


def _notice(text: str) -> Post:
    return Post(Method.MESSAGE, text)
