"""What an edit, a question and an answer look like: to the moderators, and to the author.

Everything a person typed is escaped here. The author reads their own language; the moderators
read MODERATOR_LANGUAGE; neither reads the other's name or account.
"""

from __future__ import annotations

import html
from dataclasses import replace

from bot.buttons import WithdrawMessage
from bot.domain.effects import Method, Post
from bot.domain.messages import Message
from bot.render import cards, fit
from bot.render.posts import Posts

# Opens every question the bot sends an author: a reply to a closed question is recognised
# by it (the question itself is not kept once its message is decided).
QUESTION_MARK = "❓"


class DialoguePosts:
    """The domain's DialogueRenderer, on the same translators as the other posts."""

    def __init__(self, posts: Posts) -> None:
        self.posts = posts

    def edited_card(self, message: Message, moderator: str) -> list[Post]:
        t = self.posts.moderators
        line = t.gettext("edited by {moderator}").format(moderator=moderator)
        shown = []
        for post in self.posts.message_card(message):
            if post.buttons and post.text is not None:
                text = cards.stamped(post.text, line)
                # Where the line would not fit, the card goes without it (the audit log
                # keeps who edited): a card Telegram refused would show the old text.
                if fit.fits(text, fit.limit_of(post.method)):
                    post = replace(post, text=text)
            shown.append(post)
        return shown

    def edit_notice(self, message: Message) -> Post:
        t = self.posts.i18n.get(message.language)
        number = t.number(message.id)
        text = "\n\n".join(
            (
                html.escape(
                    t.gettext(
                        "A moderator edited your message {number} before publishing it. "
                        "It now reads:"
                    ).format(number=number)
                ),
                f"<blockquote>{html.escape(message.text or '')}</blockquote>",
                html.escape(
                    t.gettext("If you do not want it published like this, you can withdraw it.")
                ),
            )
        )
        label = t.gettext("Withdraw this message")
        return Post(
            Method.MESSAGE, text, buttons=(((label, WithdrawMessage(message.id).pack()),),)
        )

    def question(self, message: Message, question: str) -> Post:
        t = self.posts.i18n.get(message.language)
        asked = html.escape(
            t.gettext("A moderator asks about your message {number}: {question}")
        ).format(number=t.number(message.id), question=html.escape(question))
        how = t.gettext(
            "To answer, reply to this message. Only the moderators read your answer, and "
            "neither they nor you see the other's account."
        )
        return Post(Method.MESSAGE, f"{QUESTION_MARK} {asked}\n\n{html.escape(how)}")

    def answer(self, message_id: int, answer: str, card_message_id: int) -> Post:
        t = self.posts.moderators
        text = html.escape(t.gettext("#M{number} · the author answers: {answer}")).format(
            number=message_id, answer=html.escape(answer)
        )
        return Post(Method.MESSAGE, text, reply_to=card_message_id)
