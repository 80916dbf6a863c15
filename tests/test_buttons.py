"""Button payloads: what the bot packs it parses back; anything else parses to nothing."""

from __future__ import annotations

import pytest

from bot.buttons import (
    MODERATION,
    Answer,
    ApproveDigest,
    ApproveMessage,
    AskReason,
    BackToCard,
    BanAuthor,
    Button,
    ChangeSignature,
    ChooseLanguage,
    Clear,
    Forget,
    LetterLanguages,
    MessageChoice,
    MessageStep,
    PickCountry,
    ReadLetter,
    RejectMessage,
    RejectSignature,
    SignChoice,
    SigningStep,
    StartMessage,
    StartSigning,
    Withdraw,
    exactly,
    of_family,
)
from bot.domain.messages import RejectionReason

# Every kind, and the wire format earlier versions put on buttons (still in people's chats).
WIRE = [
    (ReadLetter(), "v1:letter"),
    (ReadLetter("fa"), "v1:letter:fa"),
    (LetterLanguages(), "v1:letters"),
    (ChooseLanguage(), "v1:lang"),
    (ChooseLanguage("ckb"), "v1:lang:ckb"),
    (StartSigning(), "v1:sign"),
    (ChangeSignature(), "v1:sign:change"),
    (SigningStep(SignChoice.ANONYMOUS), "v1:sg:anonymous"),
    (PickCountry("IR"), "v1:cty:IR"),
    (Withdraw(), "v1:wd"),
    (Withdraw(Answer.YES), "v1:wd:yes"),
    (Forget(Answer.NO), "v1:fgt:no"),
    (Clear(Answer.YES), "v1:clr:yes"),
    (StartMessage(), "v1:msg"),
    (MessageStep(MessageChoice.KEEP_FIRST), "v1:ms:keep_first"),
    (ApproveMessage(12), "v1:mod:a:M12"),
    (AskReason(12), "v1:mod:r:M12"),
    (BackToCard(12), "v1:mod:k:M12"),
    (RejectMessage(12, RejectionReason.PERSONAL_DATA), "v1:mod:x:M12:personal_data"),
    (BanAuthor(12), "v1:mod:b:M12"),
    (ApproveDigest(3), "v1:mod:d:D3"),
    (RejectSignature(40), "v1:mod:s:S40"),
]


@pytest.mark.parametrize(("payload", "data"), WIRE)
def test_payloads_pack_to_the_wire_format_and_parse_back(payload: Button, data: str) -> None:
    assert payload.pack() == data
    assert Button.parse(data) == payload
    assert type(payload).parse(data) == payload
    assert type(payload).pattern()(data)


@pytest.mark.parametrize(
    "data",
    [
        None,
        42,
        "",
        "v1",
        "v1:",
        "v0:letter",
        "v2:sign",
        "v1:unknown",
        "v1:lettersX",
        "v1:sign:other",
        "v1:sg:",
        "v1:sg:everything",
        "v1:wd:maybe",
        "v1:cty",
        "v1:mod:",
        "v1:mod:a",
        "v1:mod:a:12",
        "v1:mod:a:S12",
        "v1:mod:a:M",
        "v1:mod:a:M-1",
        "v1:mod:a:M١٢",  # Arabic-Indic digits
        "v1:mod:a:M1234567890123",
        "v1:mod:a:M12:extra",
        "v1:mod:d:M1",
        "v1:mod:x:M1:gossip",
    ],
)
def test_anything_else_parses_to_nothing(data: object) -> None:
    assert Button.parse(data) is None


def test_a_payload_of_another_kind_is_not_taken_for_this_one() -> None:
    data = ApproveMessage(1).pack()
    assert RejectSignature.parse(data) is None
    assert not RejectSignature.pattern()(data)
    assert of_family(MODERATION)(data) and of_family(MODERATION)("v1:mod:")
    assert not of_family(MODERATION)(ReadLetter().pack())


def test_patterns_can_name_the_choices_they_take() -> None:
    listing = SigningStep.pattern(SignChoice.NAME, SignChoice.INITIAL)
    assert listing(SigningStep(SignChoice.INITIAL).pack())
    assert not listing(SigningStep(SignChoice.CONFIRM).pack())
    cancel = exactly(MessageStep(MessageChoice.CANCEL))
    assert cancel("v1:ms:cancel") and not cancel("v1:sg:cancel")


def test_a_payload_longer_than_telegram_allows_is_refused() -> None:
    assert len(ApproveMessage(10**12 - 1).pack()) <= 64
    with pytest.raises(ValueError, match="longer than Telegram allows"):
        PickCountry("X" * 60).pack()
