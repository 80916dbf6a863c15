"""Cards and channel posts fit Telegram's limits, as Telegram counts them (UTF-16, after HTML)."""

from __future__ import annotations

import datetime as dt
import functools
import itertools
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace

import pytest

from bot.app import build_application
from bot.config import Settings
from bot.context import BotApplication
from bot.domain.countries import country_names
from bot.domain.decisions import REASON_LENGTH, Why
from bot.domain.effects import MESSAGE, FollowUp, Method, Post
from bot.domain.messages import MAX_CAPTION, MAX_TEXT, Kind, Message, RejectionReason
from bot.domain.moderation import DIGEST_SIZE
from bot.domain.names import MAX_LENGTH, NameRejected, clean_name
from bot.domain.signatures import Listing, Signature, Status
from bot.i18n import LANGUAGES, I18n, Translator, native_name
from bot.render import cards
from bot.render.channel import channel_post
from bot.render.words import DECISION_WORDS
from bot.runtime import start_application, stop_application
from bot.sandbox.driver import Driver
from bot.sandbox.run import CHANNEL_ID, MODERATOR_GROUP_ID
from bot.sandbox.telegram_html import parse_html, utf16_length
from tests.helpers.people import JSON, Supporter, buttons, new_supporter

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + (32).to_bytes(4, "big") * 2
MINA = 30_001  # the moderator group's creator
WORDS = "Woman, life, freedom: we hear you and we stand with you. "
CAPTION = (WORDS * 20)[:899] + "!"  # 900 characters, the longest caption allowed
EMOJI = "🌹" * 500  # 500 characters, 1,000 UTF-16 units
NAME = "Leyla Karimi-Tabrizi Hosseini-Esfahani Rahimi-Shirazi Nasrin Ava"  # 64 characters
COUNTRY = "South Georgia & South Sandwich Islands"


@pytest.fixture
async def desk_bot(settings: Settings) -> AsyncIterator[BotApplication]:
    application = build_application(replace(settings, card_interval=0.2, group_rate=(20, 1.0)))
    await start_application(application, poll_timeout=2)
    yield application
    await stop_application(application)


async def send_signed_photo(person: Supporter, caption: str) -> list[JSON]:
    """The /message flow with a photo, signed with NAME from COUNTRY; return the preview."""
    await person.say("/message", replies=2)
    sent = await person.driver.send_media(person.id, "photo", PNG, caption=caption)
    await person.driver.wait_bot_messages(person.id, sent["message_id"])
    await person.press_and_wait("With a name")
    await person.say(NAME)
    await person.say("South Georgia")
    before = await person.last_message_id()
    await person.press(COUNTRY)

    async def preview() -> list[JSON] | None:
        found = await person.driver.bot_messages(person.id, before)
        return found if found and buttons(found[-1]) == ["Send", "Change", "Cancel"] else None

    shown: list[JSON] = await person.driver.wait_for(preview, what="the preview")
    await person.press_and_wait("Send")
    return shown


def text_of(message: JSON) -> str:
    return str(message.get("text") or message.get("caption") or "")


async def _group_after(driver: Driver, count: int) -> list[JSON] | None:
    found = [m for m in await driver.bot_messages(MODERATOR_GROUP_ID) if "#M1" in text_of(m)]
    return found if len(found) >= count else None


@pytest.mark.parametrize("caption", [CAPTION, EMOJI], ids=["900 characters", "500 emoji"])
async def test_a_caption_too_long_for_a_card_comes_after_its_photo_with_the_buttons(
    desk_bot: BotApplication, driver: Driver, caption: str
) -> None:
    alice = await new_supporter(driver, "Alice", "en")
    published = f"{caption}\n\n— {NAME}, {COUNTRY}"
    preview = await send_signed_photo(alice, caption)
    # The preview shows what the channel will: the photo, and its text (after it where the
    # caption would not fit under it) with the buttons.
    assert text_of(preview[-1]) == published
    assert [m for m in preview if "photo" in m]

    photo, card = await driver.wait_for(lambda: _group_after(driver, 2), what="the card")
    assert "photo" in photo
    assert photo["caption"] == "#M1: the text and the buttons follow."
    assert buttons(photo) == []
    assert card["text"] == f"#M1 · English (en) · waiting for review\n\n{published}"
    assert buttons(card) == ["Approve", "Reject", "Ban author"]
    assert photo["has_protected_content"] is True and card["has_protected_content"] is True

    query = await driver.press(
        MINA, MODERATOR_GROUP_ID, text="Approve", message_id=card["message_id"]
    )
    answered = await driver.wait_answered(query)
    assert answered["answer"]["text"] == "Done."

    async def in_channel() -> list[JSON] | None:
        posts = await driver.bot_messages(CHANNEL_ID)
        shown = [p for p in posts if "photo" in p or caption in text_of(p)]
        return shown if shown and published in text_of(shown[-1]) else None

    posts = await driver.wait_for(in_channel, what="the channel posts")
    if utf16_length(published) <= 1024:  # the 900 characters: under the photo, as previewed
        [media] = posts
        assert media["caption"] == published
    else:  # the 500 emoji: after it
        media, text = posts
        assert "photo" in media and "caption" not in media
        assert text["text"] == published
    link = f"https://t.me/solidarity_sandbox/{media['message_id']}"

    async def told() -> list[JSON] | None:
        found = [m for m in await driver.bot_messages(alice.id) if link in text_of(m)]
        return found or None

    await driver.wait_for(told, what="the author told the link")

    async def stamped() -> JSON | None:
        [now] = [
            m for m in await driver.bot_messages(MODERATOR_GROUP_ID)
            if m["message_id"] == card["message_id"]
        ]  # fmt: skip
        return now if now["edits"] > card["edits"] else None

    done = await driver.wait_for(stamped, what="the card stamped")
    assert "approved by @mina_mod at" in done["text"]
    assert published in done["text"]


# ------------------------------------------------------ every field at its longest

EVERY = I18n("en")
LONGEST_NAMED = max(LANGUAGES, key=lambda language: utf16_length(native_name(language)))
# The longest allowed, as Telegram counts: letters of one unit and of two (Deseret), emoji.
NAMES = ["W" * MAX_LENGTH, "\U00010400" * (MAX_LENGTH // 2), "Ab" + "🌹" * (MAX_LENGTH // 2 - 1)]
MODERATOR = "M" * 64  # a stamp names the moderator who decided


def longest_country(language: str) -> str:
    names = country_names(language)
    return max(names, key=lambda code: utf16_length(names[code]))


def texts(limit: int) -> list[str]:
    """The longest texts allowed: in words and paragraphs, in one run of emoji, escaped."""
    words = ("آزادی برای همه " * limit)[: limit - 2] + "\n\n" + "🌹" * 2
    return ["&" * limit, "🌹" * limit, words, ("Zan, zendegi, azadi.\n" * limit)[:limit]]


def visible(post: Post) -> str:
    """What Telegram shows of the post, parsed as the emulator parses it (or it raises)."""
    return _parsed(post.text or "")


@functools.lru_cache(maxsize=16)  # a message's posts, measured, then checked whole
def _parsed(text: str) -> str:
    return parse_html(text)[0].strip()


@functools.cache
def longest_stamp(language: str) -> int:
    """What the longest decision line adds to a card in the moderators' language."""
    t = EVERY.get(language)
    # With the longest reason a moderator may type (REASON_LENGTH units, all two-unit).
    typed = Why(RejectionReason.OTHER, "😀" * (REASON_LENGTH // 2))
    lines = [cards.decision_line(t, d, MODERATOR, 2_000_000_000, typed) for d in DECISION_WORDS]
    return max(utf16_length(_parsed(cards.stamped(".", line))) - 1 for line in lines)


def assert_fits(post: Post, after_decision: Translator | None = None) -> None:
    limit = 4096 if post.method is Method.MESSAGE else 1024
    size = utf16_length(visible(post))
    assert size <= limit, (post.method, post.text)
    if after_decision is not None:  # once stamped with the longest decision line, it fits
        assert size + longest_stamp(after_decision.language) <= limit, after_decision.language


def messages(country: str) -> Iterator[Message]:
    """Every kind, listing and longest text and name, from `country` (named at its longest)."""
    for kind in Kind:
        limit = MAX_TEXT if kind is Kind.TEXT else MAX_CAPTION
        for text in [None] if kind is Kind.VIDEO_NOTE else [*texts(limit), None]:
            if text is None and kind is Kind.TEXT:
                continue
            for listing in Listing:
                for name in NAMES:
                    yield Message(
                        9_999_999, kind, text, "file", listing, name, country,
                        LONGEST_NAMED, Status.PENDING, dt.date(2026, 2, 12),
                    )  # fmt: skip


def test_every_card_fits_with_every_field_at_its_longest() -> None:
    """In the moderators' language and the channel's, each of the ten; stamped or not."""
    for name in NAMES:
        assert clean_name(name) == name and utf16_length(name) == MAX_LENGTH
    for moderators, channel in itertools.product(LANGUAGES, LANGUAGES):
        t, c = EVERY.get(moderators), EVERY.get(channel)
        for message in messages(longest_country(channel)):
            card = cards.message_card(message, t, c)
            for post in card:
                assert_fits(post)
                assert post.shows == ((MESSAGE, message.id),)
            *before, last = card
            assert last.buttons and last.follow_up is FollowUp.CARD
            assert not [p for p in before if p.buttons or p.follow_up]
            assert_fits(last, after_decision=t)  # stamped in the moderators' language
            assert_whole(message, card)


def test_every_channel_post_fits_with_every_field_at_its_longest() -> None:
    for channel in LANGUAGES:
        c = EVERY.get(channel)
        for message in messages(longest_country(channel)):
            posts = channel_post(message, c)
            for post in posts:
                assert_fits(post)
                assert post.shows == ((MESSAGE, message.id),)
            assert [p.follow_up for p in posts].count(FollowUp.PUBLISHED) == 1
            assert posts[0].follow_up is FollowUp.PUBLISHED
            assert_whole(message, posts)


def assert_whole(message: Message, posts: list[Post]) -> None:
    """Nothing of the text is lost where it is cut."""
    if message.text:
        shown = "".join("".join(visible(post).split()) for post in posts)
        assert "".join(message.text.split()) in shown


def test_every_digest_card_fits_with_every_field_at_its_longest() -> None:
    # A name is measured as Telegram measures it: 64 letters of two units each made twenty
    # lines 4,868 units long.
    for longer in ("\U00010400" * (MAX_LENGTH // 2 + 1), "Ab" + "🌹" * (MAX_LENGTH // 2)):
        with pytest.raises(NameRejected):
            clean_name(longer)
    for moderators, channel in itertools.product(LANGUAGES, LANGUAGES):
        t, c = EVERY.get(moderators), EVERY.get(channel)
        for name, listing in itertools.product(NAMES, Listing):
            for code in {longest_country(moderators), longest_country(channel)}:
                statuses = itertools.cycle(Status)
                day = dt.date(2026, 2, 12)
                signatures = [
                    Signature(9_999_980 + n, listing, name, code, LONGEST_NAMED, status, day)
                    for n, status in zip(range(DIGEST_SIZE), statuses, strict=False)
                ]
                card = cards.digest_card(9_999_999, signatures, t, c)
                assert_fits(card, after_decision=t)
