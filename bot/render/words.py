"""The translated names of the domain's values: statuses, kinds, reasons, decisions."""

from __future__ import annotations

from bot.domain.decisions import Decision
from bot.domain.messages import Kind, RejectionReason
from bot.domain.names import NameProblem
from bot.domain.signatures import Status
from bot.i18n import N_, Translator

KIND_NAMES = {
    Kind.TEXT: N_("text"),
    Kind.PHOTO: N_("photo"),
    Kind.VOICE: N_("voice message"),
    Kind.VIDEO: N_("video"),
    Kind.VIDEO_NOTE: N_("video message"),
}

# Told to the author of a message, in the author's language (OTHER has no words of its
# own: the moderator types them, or the author is told no reason).
REJECTION_REASONS = {
    RejectionReason.SPAM: N_("it looks like spam"),
    RejectionReason.ABUSIVE: N_("it is abusive"),
    RejectionReason.OFF_TOPIC: N_("it is off-topic"),
    RejectionReason.PERSONAL_DATA: N_("it contains personal data that could put someone at risk"),
    RejectionReason.DUPLICATE: N_("it repeats a message already sent"),
    RejectionReason.IMPERSONATION: N_("it poses as someone else"),
}

# Told to a signer (worded for a signature: in Arabic, say, "it" agrees with its noun).
SIGNATURE_REASONS = {
    RejectionReason.SPAM: N_("the signature looks like spam"),
    RejectionReason.ABUSIVE: N_("the name is abusive"),
    RejectionReason.DUPLICATE: N_("it repeats a signature already given"),
    RejectionReason.IMPERSONATION: N_("the name poses as someone else"),
}

# On the moderators' buttons, and on the cards once decided.
REASON_LABELS = {
    RejectionReason.SPAM: N_("Spam"),
    RejectionReason.ABUSIVE: N_("Abusive"),
    RejectionReason.OFF_TOPIC: N_("Off-topic"),
    RejectionReason.PERSONAL_DATA: N_("Personal data"),
    RejectionReason.DUPLICATE: N_("Duplicate"),
    RejectionReason.IMPERSONATION: N_("Poses as someone else"),
    RejectionReason.OTHER: N_("Other"),
}
# Which reasons each kind of rejection offers (OTHER asks the moderator to type one).
MESSAGE_REASONS = (
    RejectionReason.SPAM,
    RejectionReason.ABUSIVE,
    RejectionReason.OFF_TOPIC,
    RejectionReason.PERSONAL_DATA,
    RejectionReason.DUPLICATE,
    RejectionReason.OTHER,
)
SIGNATURE_REJECTIONS = (
    RejectionReason.IMPERSONATION,
    RejectionReason.ABUSIVE,
    RejectionReason.SPAM,
    RejectionReason.DUPLICATE,
    RejectionReason.OTHER,
)
BAN_REASONS = (RejectionReason.SPAM, RejectionReason.ABUSIVE, RejectionReason.OTHER)

DECISION_WORDS = {
    Decision.APPROVED: N_("approved"),
    Decision.REJECTED: N_("rejected"),
    Decision.BANNED: N_("rejected, and the author banned,"),
    Decision.UNBANNED: N_("author unbanned"),
    Decision.UNDONE: N_("decision undone"),
}

# The status in a message card's header.
CARD_STATUS = {
    Status.PENDING: N_("waiting for review"),
    Status.APPROVED: N_("approved"),
    Status.REJECTED: N_("rejected"),
}

NAME_PROBLEMS = {
    NameProblem.TOO_SHORT: N_("That name is too short: use at least 2 characters."),
    NameProblem.TOO_LONG: N_("That name is too long: use at most 64 characters."),
    NameProblem.LINK: N_("A name cannot contain a link."),
    NameProblem.MENTION: N_("A name cannot contain an @username."),
    NameProblem.INVISIBLE: N_(
        "That name contains invisible characters (such as zero-width spaces or direction "
        "marks) that could disguise it. Please type it again without them."
    ),
    NameProblem.CONTROL: N_("A name must be on a single line, without control characters."),
    NameProblem.NO_LETTERS: N_("A name needs at least one letter."),
    NameProblem.MARKS: N_(
        "That name has too many accents or marks on one letter. Please type it again as it "
        "is usually written."
    ),
    NameProblem.MIXED_SCRIPTS: N_(
        "That name mixes letters from different alphabets in one word (such as Latin and "
        "Cyrillic letters that look alike). Please type each word in one alphabet."
    ),
}


def describe_status(t: Translator, status: Status) -> str:
    """A signature's or a message's status, as its author reads it."""
    return {
        Status.PENDING: t.gettext("waiting for the moderators' review"),
        Status.APPROVED: t.gettext("approved"),
        Status.REJECTED: t.gettext("not accepted by the moderators"),
    }[status]
