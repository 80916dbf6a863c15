"""The domain's services on in-memory fakes of their ports: no Telegram, no SQLite."""

from __future__ import annotations

import datetime as dt
import time

import pytest

from bot.domain.channel import (
    COUNTER_PINNED,
    COUNTER_POST,
    COUNTER_VALUE,
    ChannelService,
    next_milestone,
    reaches_goal,
)
from bot.domain.decisions import Decision, ItemKind, Moderator, Reference, Why
from bot.domain.effects import CHANNEL, MESSAGE, MODERATORS, FollowUp, Method, OutboxItem, Post
from bot.domain.followups import FollowUps
from bot.domain.messages import (
    DailyLimitReached,
    Kind,
    Limits,
    MessageDraft,
    PendingLimitReached,
    RejectionReason,
)
from bot.domain.messaging import MessagingService
from bot.domain.moderation import ModerationService, Undone
from bot.domain.notices import Notifier
from bot.domain.people import LanguageChoices
from bot.domain.privacy import PrivacyService
from bot.domain.signatures import Listing, SignatureDraft, Status
from bot.domain.signing import SigningService
from bot.domain.unpublish import Unpublisher
from tests.helpers.fakes import FakeChannel, FakeRenderer, FakeStores

MINA = Moderator(30_001, "@mina_mod")
TODAY = dt.date(2026, 12, 2)
CHANNEL_ID = -1_001_000_000_002


class World:
    """The services wired on fakes, as context.Services wires them on SQLite."""

    def __init__(self, undo_window: float = 0, goal: int | None = None) -> None:
        self.stores = FakeStores()
        self.wakes = 0
        self.client = FakeChannel()
        notifier = Notifier(self.stores.contacts, self.stores.outbox, undo_window)
        posts = FakeRenderer()
        self.channel = ChannelService(
            self.stores, posts, notifier, self.client, CHANNEL_ID, self.wake, goal
        )
        self.unpublish = Unpublisher(self.stores, posts, self.wake)
        self.moderation = ModerationService(
            self.stores,
            posts,
            notifier,
            self.channel,
            self.wake,
            "en",
            self.unpublish,
            undo_window,
        )
        self.messaging = MessagingService(self.stores, Limits(2, 3), self.moderation, self.wake)
        self.followups = FollowUps(self.channel, self.stores.contacts, self.stores.chat_log)

    def wake(self) -> None:
        self.wakes += 1

    async def sign(self, key: str, telegram_id: int, language: str = "en") -> int:
        draft = SignatureDraft(Listing.NAME, f"Name {key}", "DE")
        signature = await self.stores.signatures.add(key, draft, language, TODAY)
        await self.stores.contacts.keep(key, telegram_id)
        return signature.id

    async def send(self, key: str, telegram_id: int, text: str = "Solidarity") -> int:
        draft = MessageDraft(Kind.TEXT, text, None, Listing.ANONYMOUS, None, None)
        message = await self.messaging.submit(key, telegram_id, draft, "fa", 1_000_000)
        return message.id


# ------------------------------------------------------------------ undo and changes


async def test_an_undone_rejection_is_pending_again_and_its_notice_never_leaves() -> None:
    world = World(undo_window=600)
    number = await world.send("alice", 7)
    await world.moderation.reject_message(number, Why(RejectionReason.SPAM), MINA)
    [notice] = world.stores.outbox.to("7")
    position = world.stores.outbox.queued.index(("7", notice, "alice")) + 1
    assert world.stores.outbox.not_before[position] > time.time() + 590  # waits the window
    assert await world.moderation.undoable(MESSAGE, number)
    assert await world.moderation.undo(MESSAGE, number, MINA) is Undone.UNDONE
    assert position in world.stores.outbox.dropped
    message = await world.stores.messages.get(number)
    assert message is not None and message.status is Status.PENDING
    assert world.stores.audit.entries[-1][2] is Decision.UNDONE
    assert await world.moderation.undo(MESSAGE, number, MINA) is Undone.NOTHING


def position_of(world: World, chat: str, post: Post) -> int:
    """The outbox id (its position) of the last item queued for `chat` as `post`."""
    queued = world.stores.outbox.queued
    return max(n for n, (to, p, _) in enumerate(queued, 1) if (to, p) == (chat, post))


async def test_an_undone_approval_drops_the_queued_channel_post_and_again_after_approving() -> (
    None
):
    world = World(undo_window=600)
    outbox = world.stores.outbox
    number = await world.send("alice", 7)
    await world.moderation.approve_message(number, MINA)
    [post] = outbox.live(CHANNEL)
    assert await world.moderation.undo(MESSAGE, number, MINA) is Undone.UNDONE
    assert outbox.live(CHANNEL) == [] and position_of(world, CHANNEL, post) in outbox.dropped
    message = await world.stores.messages.get(number)
    assert message is not None and message.status is Status.PENDING
    # Approved again, and undone again: the new post is reached as the first one was.
    assert (await world.moderation.approve_message(number, MINA)).decided
    assert len(outbox.live(CHANNEL)) == 1
    assert await world.moderation.undo(MESSAGE, number, MINA) is Undone.UNDONE
    assert outbox.live(CHANNEL) == [] and acting_on(world, CHANNEL) == []
    assert [entry[2] for entry in world.stores.audit.entries] == [
        Decision.APPROVED,
        Decision.UNDONE,
        Decision.APPROVED,
        Decision.UNDONE,
    ]


async def test_an_undone_approval_deletes_the_sent_post_and_drops_the_authors_held_notice() -> (
    None
):
    world = World(undo_window=600)
    outbox = world.stores.outbox
    number = await world.send("alice", 7)
    await world.moderation.approve_message(number, MINA)
    [post] = outbox.live(CHANNEL)
    position = position_of(world, CHANNEL, post)
    outbox.deliver(position, 55)
    await world.followups.delivered(OutboxItem(position, CHANNEL, None, _raw(post), 0), 55)
    [notice] = outbox.live("7")
    notice_id = position_of(world, "7", notice)
    assert notice.about == (MESSAGE, number)
    assert outbox.not_before[notice_id] > time.time() + 590  # held for the undo window
    assert await world.moderation.undo(MESSAGE, number, MINA) is Undone.UNDONE
    assert acting_on(world, CHANNEL) == [(Method.DELETE, 55, "removed")]
    assert notice_id in outbox.dropped and outbox.live("7") == []
    assert number not in world.stores.messages.links
    message = await world.stores.messages.get(number)
    assert message is not None and message.status is Status.PENDING
    before = (await world.moderation.previous(ItemKind.MESSAGE, number)).previous
    assert before is not None and before.decision is Decision.APPROVED  # past the undo
    again = await world.moderation.approve_message(number, MINA)
    assert again.decided  # pending again: decided anew, not "already approved"


async def test_undo_after_the_window_is_too_late_and_changes_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    world = World(undo_window=600)
    number = await world.send("alice", 7)
    await world.moderation.approve_message(number, MINA)
    later = time.time() + 601
    monkeypatch.setattr(time, "time", lambda: later)
    assert not await world.moderation.undoable(MESSAGE, number)
    assert await world.moderation.undo(MESSAGE, number, MINA) is Undone.TOO_LATE
    message = await world.stores.messages.get(number)
    assert message is not None and message.status is Status.APPROVED
    assert world.stores.outbox.dropped == set()


async def test_a_published_signature_changed_and_approved_again_edits_its_channel_line() -> None:
    world = World()
    signing = SigningService(world.stores, world.unpublish)
    draft = SignatureDraft(Listing.NAME, "Alice Walker", "DE")
    signature = await signing.submit("alice", 7, draft, "en")
    await world.moderation.card_signatures()
    await world.moderation.approve_digest(1, MINA)
    await world.channel.publish_signatures()
    [post_id] = [n for n, (to, p, _) in enumerate(world.stores.outbox.queued, 1) if to == CHANNEL]
    world.stores.outbox.deliver(post_id, 500)
    changed = SignatureDraft(Listing.NAME, "Alice Walker-Smith", "DE")
    await signing.submit("alice", 7, changed, "en")
    assert await world.stores.digests.digest_of(signature.id) is None  # off its old card
    await world.moderation.card_signatures()
    await world.moderation.approve_digest(2, MINA)
    await world.channel.publish_signatures()
    to_channel = world.stores.outbox.to(CHANNEL)
    assert [p.method for p in to_channel] == [Method.MESSAGE, Method.EDIT]  # not posted again
    assert to_channel[1].target == 500


async def test_a_change_while_on_a_card_edits_that_card_to_say_so() -> None:
    world = World()
    signing = SigningService(world.stores, world.unpublish)
    await signing.submit("alice", 7, SignatureDraft(Listing.NAME, "Alice", "DE"), "en")
    await signing.submit("bob", 8, SignatureDraft(Listing.NAME, "Bob", "DE"), "en")
    await world.moderation.card_signatures()
    world.stores.outbox.deliver(1, 300)
    await signing.submit("alice", 7, SignatureDraft(Listing.ANONYMOUS, None, None), "en")
    [_, edit] = world.stores.outbox.to(MODERATORS)
    assert (edit.method, edit.target, edit.text) == (
        Method.EDIT,
        300,
        "digest D1: S2 (S1 changed)",
    )
    assert await world.moderation.approve_digest(1, MINA) == [2]  # what the card shows


# ------------------------------------------------------------------ messages


async def test_a_submitted_message_is_carded_in_its_own_transaction() -> None:
    world = World()
    number = await world.send("alice", 7)
    assert [p.text for p in world.stores.outbox.to(MODERATORS)] == [f"card M{number}"]
    assert world.stores.transactions == 1 and world.wakes == 1
    assert await world.stores.contacts.telegram_id("alice") == 7  # until the decision is told


async def test_the_message_limits_count_pending_and_the_last_day() -> None:
    world = World()
    await world.send("alice", 7)
    await world.send("alice", 7)
    with pytest.raises(PendingLimitReached) as pending:
        await world.send("alice", 7)
    assert pending.value.limit == 2
    await world.moderation.approve_message(1, MINA)
    await world.moderation.approve_message(2, MINA)
    await world.send("alice", 7)  # the third of the day
    await world.moderation.approve_message(3, MINA)
    with pytest.raises(DailyLimitReached) as daily:
        await world.send("alice", 7)
    assert (daily.value.limit, daily.value.hours_left) == (3, 24)
    assert len(world.stores.messages.rows) == 3  # the refused ones left nothing behind


async def test_an_approved_message_is_queued_for_the_channel_once() -> None:
    world = World()
    number = await world.send("alice", 7)
    first = await world.moderation.approve_message(number, MINA)
    second = await world.moderation.approve_message(number, Moderator(2, "@jonas"))
    assert first.decided and not second.decided
    assert second.previous is not None and second.previous.decision is Decision.APPROVED
    assert second.previous.moderator_name == "@mina_mod"
    [post] = world.stores.outbox.to(CHANNEL)
    assert (post.follow_up, post.message_id) == (FollowUp.PUBLISHED, number)
    assert world.stores.audit.entries == [
        (ItemKind.MESSAGE, number, Decision.APPROVED, None, "@mina_mod")
    ]


async def test_a_rejected_message_tells_its_author_why_in_their_language() -> None:
    world = World()
    number = await world.send("alice", 7)
    await world.moderation.reject_message(number, Why(RejectionReason.SPAM), MINA)
    assert world.stores.outbox.to(CHANNEL) == []
    [notice] = world.stores.outbox.to("7")
    assert (notice.text, notice.follow_up) == ("fa: message spam", FollowUp.RELEASE)
    assert world.stores.audit.entries[-1][2:4] == (Decision.REJECTED, "spam")


async def test_a_ban_rejects_what_the_author_still_has_pending_and_tells_them_once() -> None:
    world = World()
    first = await world.send("troll", 9)
    second = await world.send("troll", 9)
    signature = await world.sign("troll", 9)
    await world.moderation.reject_message(first, Why(RejectionReason.OTHER), MINA, ban=True)
    assert "troll" in world.moderation.banned and await world.moderation.is_banned("troll")
    assert (await world.stores.messages.get(second)).status is Status.REJECTED  # type: ignore[union-attr]
    assert (await world.stores.signatures.get(signature)).status is Status.REJECTED  # type: ignore[union-attr]
    assert [p.text for p in world.stores.outbox.to("9")] == ["fa: banned"]
    # The ban's item, and each item it rejected besides: rejected, and the author banned.
    decided = [(entry[0], entry[1], entry[2]) for entry in world.stores.audit.entries]
    assert decided == [
        (ItemKind.MESSAGE, first, Decision.BANNED),
        (ItemKind.MESSAGE, second, Decision.BANNED),
        (ItemKind.SIGNATURE, signature, Decision.BANNED),
    ]
    again = await world.moderation.ban(Reference(ItemKind.MESSAGE, second), MINA)
    assert again is False  # already banned
    assert await world.moderation.unban(Reference(ItemKind.SIGNATURE, signature), MINA) is True
    assert "troll" not in world.moderation.banned
    assert await world.moderation.ban(Reference(ItemKind.MESSAGE, 999), MINA) is None


# ------------------------------------------------------------------ signatures


async def test_pending_signatures_are_carded_twenty_to_a_digest_once() -> None:
    world = World()
    for number in range(45):
        await world.sign(f"s{number}", 100 + number)
    assert await world.moderation.card_signatures() == 3
    assert await world.moderation.card_signatures() == 0  # nothing new
    cards = [p.text or "" for p in world.stores.outbox.to(MODERATORS)]
    assert [card.count("S") for card in cards] == [20, 20, 5]
    assert await world.moderation.resend_pending() == 3


async def test_approve_all_decides_only_the_still_pending_and_reaches_a_milestone() -> None:
    world = World()
    for number in range(100):
        await world.sign(f"s{number}", 100 + number)
    await world.moderation.card_signatures()
    await world.moderation.decide_signature(1, False, MINA)
    assert len(await world.moderation.approve_digest(1, MINA)) == 19
    for digest in range(2, 6):
        await world.moderation.approve_digest(digest, MINA)
    assert await world.stores.signatures.count(Status.APPROVED) == 99
    assert [p.text for p in world.stores.outbox.to(CHANNEL)] == []  # 99: not yet
    await world.sign("last", 999)
    await world.moderation.card_signatures()
    await world.moderation.approve_digest(6, MINA)
    assert [p.text for p in world.stores.outbox.to(CHANNEL)] == ["milestone 100"]
    assert [p.text for p in world.stores.outbox.to("999")] == ["en: signature approved"]


def test_milestones_are_announced_once_each_and_beyond_the_list() -> None:
    assert next_milestone(99, 0) is None
    assert next_milestone(100, 0) == 100
    assert next_milestone(260, 100) == 250
    assert next_milestone(260, 250) is None
    assert next_milestone(1_200, 0) == 1_000  # the highest reached, not each on the way
    assert next_milestone(500_000, 250_000) == 500_000


def test_a_goal_between_milestones_is_a_milestone_of_its_own() -> None:
    assert next_milestone(2_999, 2_500, goal=3_000) is None
    assert next_milestone(3_000, 2_500, goal=3_000) == 3_000
    assert next_milestone(3_100, 3_000, goal=3_000) is None  # announced once
    assert next_milestone(5_000, 3_000, goal=3_000) == 5_000
    assert next_milestone(42, 0, goal=42) == 42  # below the first milestone
    assert next_milestone(99, 42, goal=42) is None
    assert next_milestone(100, 42, goal=42) == 100
    assert next_milestone(260, 100, goal=None) == 250  # no goal: as before
    assert reaches_goal(3_000, 2_500, 3_000)
    assert not reaches_goal(5_000, 3_000, 3_000)  # past it already
    assert not reaches_goal(2_500, 1_000, 3_000)
    assert not reaches_goal(2_500, 1_000, None)
    # A jump past the goal and a higher milestone: one post, the one that says it is reached.
    assert next_milestone(5_200, 2_500, goal=3_000) == 5_000
    assert reaches_goal(5_000, 2_500, 3_000)


def test_a_goal_that_is_a_milestone_is_announced_once() -> None:
    assert next_milestone(1_000, 500, goal=1_000) == 1_000
    assert reaches_goal(1_000, 500, 1_000)
    assert next_milestone(1_000, 1_000, goal=1_000) is None
    assert next_milestone(2_400, 1_000, goal=1_000) is None
    assert next_milestone(2_500, 1_000, goal=1_000) == 2_500
    assert not reaches_goal(2_500, 1_000, 1_000)


async def test_the_goal_milestone_is_posted_once_and_the_counter_shows_the_goal() -> None:
    world = World(goal=3)
    for number in range(4):
        await world.sign(f"s{number}", 100 + number)
    await world.moderation.card_signatures()
    for signature_id in (1, 2):
        await world.moderation.decide_signature(signature_id, True, MINA)
    assert [p.text for p in world.stores.outbox.to(CHANNEL)] == []
    await world.channel.update_counter()
    assert [p.text for p in world.stores.outbox.to(CHANNEL)] == ["counter 2 of 3"]
    for signature_id in (3, 4):
        await world.moderation.decide_signature(signature_id, True, MINA)
    assert [p.text for p in world.stores.outbox.to(CHANNEL)] == [
        "counter 2 of 3",
        "milestone 3 of 3 reached",
    ]


# ------------------------------------------------------------------ the channel


async def test_approved_signatures_reach_the_channel_once_as_a_digest() -> None:
    world = World()
    for number in range(3):
        await world.sign(f"s{number}", 100 + number)
    await world.moderation.card_signatures()
    await world.moderation.approve_digest(1, MINA)
    assert await world.channel.publish_signatures() == 3
    assert await world.channel.publish_signatures() == 0
    assert [p.text for p in world.stores.outbox.to(CHANNEL)] == ["signed: S1,S2,S3"]


async def test_the_counter_is_queued_once_then_pinned_and_edited_when_it_moves() -> None:
    world = World()
    state = world.stores.state.values
    await world.channel.update_counter()
    await world.channel.update_counter()  # queued, not yet delivered: nothing more
    [counter] = world.stores.outbox.to(CHANNEL)
    assert (counter.text, counter.follow_up) == ("counter 0", FollowUp.COUNTER)
    await world.followups.delivered(OutboxItem(1, CHANNEL, None, _raw(counter), 0), 41)
    assert state[COUNTER_POST] == "41"
    await world.channel.update_counter()
    assert world.client.pinned == [41] and world.client.edits == []  # the count has not moved
    await world.sign("s", 5)
    await world.moderation.decide_signature(1, True, MINA)
    world.client.refuse = True
    await world.channel.update_counter()  # refused: logged, tried again next time
    assert state[COUNTER_VALUE] == "0"
    world.client.refuse = False
    await world.channel.update_counter()
    assert world.client.edits == [(41, "counter 1")] and state[COUNTER_PINNED] == "41"


async def test_a_published_message_gets_its_link_and_its_author_is_told_it() -> None:
    world = World()
    number = await world.send("alice", 7)
    await world.moderation.approve_message(number, MINA)
    [post] = world.stores.outbox.to(CHANNEL)
    await world.stores.state.set("channel_username", "our_campaign")
    await world.followups.delivered(OutboxItem(2, CHANNEL, None, _raw(post), 0), 55)
    assert world.stores.messages.links[number] == "https://t.me/our_campaign/55"
    assert [p.text for p in world.stores.outbox.to("7")] == [
        "fa: message approved https://t.me/our_campaign/55"
    ]


async def test_a_private_channel_is_linked_by_its_id() -> None:
    world = World()
    assert await world.channel.post_link(12) == "https://t.me/c/1000000002/12"


async def test_a_delivered_notice_releases_the_id_unless_something_is_still_pending() -> None:
    world = World()
    first = await world.send("alice", 7)
    await world.send("alice", 7)
    await world.moderation.reject_message(first, Why(RejectionReason.DUPLICATE), MINA)
    [notice] = world.stores.outbox.to("7")
    item = OutboxItem(3, "7", "alice", _raw(notice), 0)
    await world.followups.delivered(item, 90)
    assert await world.stores.contacts.telegram_id("alice") == 7  # the second is pending
    await world.moderation.approve_message(2, MINA)
    await world.followups.delivered(item, 91)
    assert await world.stores.contacts.telegram_id("alice") is None
    await world.stores.contacts.keep("bob", 8)
    await world.followups.blocked({"bob"})
    assert await world.stores.contacts.telegram_id("bob") is None


# ------------------------------------------------------------------ privacy


async def test_forget_deletes_everything_of_one_person_and_nothing_of_others() -> None:
    world = World()
    stores = world.stores
    languages = LanguageChoices(stores.people)
    privacy = PrivacyService(stores, languages, world.unpublish)
    for key, telegram_id in (("alice", 7), ("bob", 8)):
        await world.sign(key, telegram_id)
        await world.send(key, telegram_id)
        await languages.choose(key, "fa")
        privacy.remember(key, 11, 1_000, mine=False)
        stores.conversations.users.add(telegram_id)
    report = await privacy.report("alice", 7, 2_000)
    assert report.signature is not None and len(report.messages) == 1
    assert report.telegram_id_kept and report.unfinished_conversation
    assert (report.language, report.recent_chat_messages) == ("fa", 1)
    await privacy.forget("alice", 7)
    gone = await privacy.report("alice", 7, 2_000)
    assert gone.signature is None and gone.messages == [] and gone.language is None
    assert not gone.telegram_id_kept and not gone.unfinished_conversation
    assert gone.recent_chat_messages == 0 and await languages.stored("alice") is None
    assert stores.send_log.sent == [("bob", 1_000_000)]
    assert all(person != "alice" for _, _, person in stores.outbox.queued)
    kept = await privacy.report("bob", 8, 2_000)
    assert kept.signature is not None and kept.recent_chat_messages == 1


async def test_forget_is_one_transaction_a_failure_half_way_erases_nothing() -> None:
    world = World()
    stores = world.stores
    privacy = PrivacyService(stores, LanguageChoices(stores.people), world.unpublish)
    await world.sign("alice", 7)
    await world.send("alice", 7)
    stores.chat_log.fail_on_forget = True  # after the signature and the messages went
    with pytest.raises(OSError):
        await privacy.forget("alice", 7)
    report = await privacy.report("alice", 7, 2_000)
    assert report.signature is not None and len(report.messages) == 1
    assert report.telegram_id_kept


async def test_stored_languages_are_read_once_then_remembered() -> None:
    stores = FakeStores()
    languages = LanguageChoices(stores.people)
    assert await languages.stored("k") is None
    assert await languages.stored("k") is None
    assert stores.people.lookups == 1  # "no choice" is remembered too
    await languages.choose("k", "ckb")
    assert await languages.stored("k") == "ckb" and stores.people.lookups == 1


# ------------------------------------------------------------------ outbox posts


def test_posts_keep_the_outbox_layout_of_earlier_versions() -> None:
    earlier = {
        "method": "photo",
        "file_id": "PH1",
        "caption": "<b>#M3</b>",
        "buttons": [[["Approve", "v1:mod:a:M3"]]],
        "after": "published",
        "message_id": 3,
    }
    post = Post.from_json(earlier)
    assert post == Post(
        Method.PHOTO,
        "<b>#M3</b>",
        "PH1",
        (((("Approve", "v1:mod:a:M3"),)),),
        FollowUp.PUBLISHED,
        3,
    )
    assert post.to_json() == earlier
    notice = {"method": "message", "text": "Thank you", "after": "release"}
    assert Post.from_json(notice).to_json() == notice


def _raw(post: Post) -> str:
    import json

    return json.dumps(post.to_json())


# ------------------------------------------------------------------ reaching what was shown


def sent_everything(world: World) -> None:
    """Deliver every queued post, as Telegram ids 100, 101, ... in the order queued."""
    outbox = world.stores.outbox
    for number in range(1, len(outbox.queued) + 1):
        if number not in outbox.sent and number not in outbox.dropped:
            outbox.deliver(number, 99 + number)


def acting_on(world: World, chat: str) -> list[tuple[Method, int | None, str | None]]:
    return [
        (post.method, post.target, post.text)
        for post in world.stores.outbox.to(chat)
        if post.method in (Method.EDIT, Method.DELETE)
    ]


async def test_a_withdrawn_signature_leaves_the_channel_post_and_the_card_the_others_stay() -> (
    None
):
    world = World()
    signing = SigningService(world.stores, world.unpublish)
    first, second = await world.sign("alice", 7), await world.sign("bob", 8)
    await world.moderation.card_signatures()  # the digest card: outbox item 1
    for signature_id in (first, second):
        await world.moderation.decide_signature(signature_id, True, Moderator(1, "@mina"))
    await world.channel.publish_signatures()  # the channel's digest post
    sent_everything(world)
    [card_id] = [
        n for n, (chat, _, _) in enumerate(world.stores.outbox.queued, 1) if chat == MODERATORS
    ][:1]
    [post_id] = [
        n
        for n, (chat, post, _) in enumerate(world.stores.outbox.queued, 1)
        if chat == CHANNEL and post.shows
    ]
    card, post = 99 + card_id, 99 + post_id
    await signing.withdraw("alice")
    assert acting_on(world, CHANNEL) == [(Method.EDIT, post, f"signed: S{second}")]
    assert acting_on(world, MODERATORS) == [(Method.EDIT, card, f"digest D1: S{second}")]
    await signing.withdraw("bob")
    assert acting_on(world, CHANNEL)[1:] == [(Method.DELETE, post, "removed")]
    assert acting_on(world, MODERATORS)[1:] == [(Method.EDIT, card, "#D1 removed")]


async def test_a_withdrawal_before_the_posts_went_out_drops_them_and_queues_the_others() -> None:
    world = World()
    signing = SigningService(world.stores, world.unpublish)
    first, second = await world.sign("alice", 7), await world.sign("bob", 8)
    await world.moderation.card_signatures()
    for signature_id in (first, second):
        await world.moderation.decide_signature(signature_id, True, Moderator(1, "@mina"))
    await world.channel.publish_signatures()
    await signing.withdraw("alice")
    outbox = world.stores.outbox
    live = [
        post.text for n, (_, post, _) in enumerate(outbox.queued, 1) if n not in outbox.dropped
    ]
    assert f"signed: S{second}" in live and f"digest D1: S{second}" in live
    assert not any(f"S{first}" in (text or "") for text in live)
    assert acting_on(world, CHANNEL) == acting_on(world, MODERATORS) == []


async def test_a_forgotten_message_is_deleted_from_the_channel_and_the_group() -> None:
    world = World()
    privacy = PrivacyService(world.stores, LanguageChoices(world.stores.people), world.unpublish)
    message_id = await world.send("alice", 7)
    await world.moderation.approve_message(message_id, Moderator(1, "@mina"))
    sent_everything(world)
    await privacy.forget("alice", 7)
    [(method, _, note)] = acting_on(world, CHANNEL)
    assert (method, note) == (Method.DELETE, "removed")
    [(method, _, note)] = acting_on(world, MODERATORS)
    assert (method, note) == (Method.DELETE, f"#M{message_id} removed")
