"""What the channel shows: approved messages, digests of signatures, milestones, the counter."""

from __future__ import annotations

import html

from bot.domain.effects import MESSAGE, SIGNATURE, FollowUp, Method, Post
from bot.domain.letter import split_paragraphs
from bot.domain.messages import Kind, Message
from bot.domain.signatures import Signature
from bot.i18n import Translator
from bot.render import fit
from bot.render.lines import line_of, published_text


def channel_post(message: Message, channel: Translator) -> list[Post]:
    """An approved message as the channel shows it, cut to fit Telegram's limits (a media
    whose caption would be too long goes without one, its text follows); the first post
    gets the link."""
    posts = _channel_post(message, channel)
    return [part for post in posts for part in fit.fitted(post, None, lead_first=True)]


def _channel_post(message: Message, channel: Translator) -> list[Post]:
    text = published_text(message.text, line_of(message, channel))
    shows = ((MESSAGE, message.id),)
    if message.kind is Kind.TEXT:
        return [_published(message, Method.MESSAGE, text)]
    if message.kind is Kind.VIDEO_NOTE:  # no caption: the line follows the video message
        return [
            _published(message, Method.VIDEO_NOTE, None),
            Post(Method.MESSAGE, text, shows=shows),
        ]
    return [_published(message, Method(message.kind.value), text)]


def _published(message: Message, method: Method, text: str | None) -> Post:
    return Post(
        method,
        text,
        message.file_id,
        follow_up=FollowUp.PUBLISHED,
        message_id=message.id,
        shows=((MESSAGE, message.id),),
    )


def signature_digest(signatures: list[Signature], channel: Translator) -> list[Post]:
    """New approved signatures for the channel, split to fit Telegram's limit."""
    title = "<b>" + html.escape(channel.gettext("New signatures under the open letter:")) + "</b>"
    lines = ["• " + html.escape(line_of(s, channel)) for s in signatures]
    posts = []
    shown = 0  # a line is one paragraph: each part shows the signatures of its lines
    for part in split_paragraphs("\n\n".join([title, *lines])):
        count = sum(paragraph.startswith("• ") for paragraph in part.split("\n\n"))
        shows = tuple((SIGNATURE, s.id) for s in signatures[shown : shown + count])
        shown += count
        posts.append(Post(Method.MESSAGE, part, shows=shows))
    return posts


def removed_post(channel: Translator) -> str:
    return html.escape(channel.gettext("Removed at the author's request."))


def milestone(
    count: int, channel: Translator, goal: int | None = None, reached: bool = False
) -> Post:
    """The milestone post; with a goal, where the campaign stands against it."""
    text = channel.ngettext(
        "{count} person has signed the open letter “People of the world!”. Thank you!",
        "{count} people have signed the open letter “People of the world!”. Thank you!",
        count,
    ).format(count=channel.number(count))
    post = f"<b>{html.escape(text)}</b>"
    if goal is not None:
        post += "\n\n" + html.escape(goal_line(count, goal, reached, channel))
    return Post(Method.MESSAGE, post)


def goal_line(count: int, goal: int, reached: bool, channel: Translator) -> str:
    """The goal, as the milestone post names it: ahead, reached now, or passed earlier."""
    if reached:
        message = channel.ngettext(
            "We have reached our goal of {goal} signature!",
            "We have reached our goal of {goal} signatures!",
            goal,
        )
    elif count < goal:
        message = channel.ngettext(
            "Our goal is {goal} signature.", "Our goal is {goal} signatures.", goal
        )
    else:
        message = channel.ngettext(
            "That is beyond our goal of {goal} signature.",
            "That is beyond our goal of {goal} signatures.",
            goal,
        )
    return message.format(goal=channel.number(goal))


def counter_text(count: int, channel: Translator, goal: int | None = None) -> str:
    """The pinned counter: approved signatures, and against the goal when there is one."""
    if goal is None:
        text = channel.ngettext("Signatures so far: {count}", "Signatures so far: {count}", count)
    else:
        text = channel.ngettext(
            "Signatures so far: {count} of {goal}", "Signatures so far: {count} of {goal}", count
        )
    return html.escape(text.format(count=channel.number(count), goal=channel.number(goal or 0)))
