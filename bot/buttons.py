"""Button payloads: typed, versioned, packed and parsed here only, and never trusted.

A payload is `v1:<kind>[:<field>...]`, at most 64 bytes (Telegram's limit for callback data).
Each kind is a frozen dataclass: `pack()` gives the string, `Button.parse(data)` the object
(or None for anything that does not parse), `Kind.pattern()` a CallbackQueryHandler pattern.
A payload that parses can still name something that does not exist: handlers look every id up.
"""

from __future__ import annotations

import dataclasses
import functools
import typing
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from types import UnionType
from typing import Any, ClassVar, TypeVar

from bot.domain.messages import RejectionReason

VERSION = "v1"
MAX_BYTES = 64
MAX_DIGITS = 12
MODERATION = "mod"

ButtonT = TypeVar("ButtonT", bound="Button")
_KINDS: dict[str, type[Button]] = {}


def _reference(letter: str) -> Any:
    """A field holding an id, written after a letter: M12 (message), S40, D3."""
    return field(metadata={"letter": letter})


class Answer(Enum):
    YES = "yes"
    NO = "no"


class SignChoice(Enum):
    NAME = "name"
    INITIAL = "initial"
    ANONYMOUS = "anonymous"
    SKIP = "skip"
    CONFIRM = "confirm"
    CHANGE = "change"
    CANCEL = "cancel"


class MessageChoice(Enum):
    SIGNATURE = "signature"
    NAME = "name"
    ANONYMOUS = "anonymous"
    SKIP = "skip"
    SEND = "send"
    CHANGE = "change"
    CANCEL = "cancel"
    KEEP_FIRST = "keep_first"
    KEEP_TEXT = "keep_text"
    AGAIN = "again"
    OFFERED = "offered"  # yes: what was sent without /message becomes a message


@dataclass(frozen=True)
class Button:
    """A payload kind. Subclasses name their kind: `class Withdraw(Button, kind="wd")`."""

    KIND: ClassVar[str] = ""

    def __init_subclass__(cls, kind: str = "", **extra: Any) -> None:
        super().__init_subclass__(**extra)
        cls.KIND = kind
        _KINDS[kind] = cls

    def pack(self) -> str:
        parts = [VERSION, self.KIND]
        for spec in dataclasses.fields(self):
            value = getattr(self, spec.name)
            if value is None:
                break  # only trailing fields are optional
            parts.append(_encode(value, spec.metadata.get("letter", "")))
        data = ":".join(parts)
        if len(data.encode("utf-8")) > MAX_BYTES:
            raise ValueError("callback data longer than Telegram allows")
        return data

    @classmethod
    def parse(cls: type[ButtonT], data: object) -> ButtonT | None:
        """The payload `data` stands for, when it is one of this kind (any kind, on Button)."""
        found = _parse(data) if isinstance(data, str) else None
        return found if isinstance(found, cls) else None

    @classmethod
    def pattern(cls, *values: object) -> Callable[[object], bool]:
        """Payloads of this kind; with `values`, only those whose first field is one of them."""

        def matches(data: object) -> bool:
            found = cls.parse(data)
            if found is None:
                return False
            if not values:
                return True
            first = dataclasses.fields(found)[0].name
            return getattr(found, first) in values

        return matches

    @classmethod
    def _decode(cls, rest: str) -> Button | None:
        arguments = rest.split(":") if rest else []
        specs = dataclasses.fields(cls)
        hints = _hints(cls)
        if len(arguments) > len(specs):
            return None
        values: dict[str, Any] = {}
        for spec, argument in zip(specs, arguments, strict=False):
            value = _decode(argument, hints[spec.name], spec.metadata.get("letter", ""))
            if value is None:
                return None
            values[spec.name] = value
        try:
            return cls(**values)
        except TypeError:  # a required field is missing
            return None


def exactly(payload: Button) -> Callable[[object], bool]:
    """A pattern matching one payload only (`SigningStep(SignChoice.CANCEL)`, say)."""

    def matches(data: object) -> bool:
        return Button.parse(data) == payload

    return matches


def of_family(prefix: str) -> Callable[[object], bool]:
    """Any payload whose kind begins with `prefix`, well formed or not (a forged button)."""
    start = f"{VERSION}:{prefix}"

    def matches(data: object) -> bool:
        return isinstance(data, str) and (data == start or data.startswith(start + ":"))

    return matches


@functools.lru_cache(maxsize=4096)
def _parse(data: str) -> Button | None:
    """Parsed once per distinct payload: payloads are immutable and the same few recur (every
    handler's pattern parses each press again)."""
    parts = data.split(":", 3)
    if parts[0] != VERSION or len(parts) < 2:
        return None
    # A kind of two words ("sign:change", "mod:a") before a kind of one ("sign").
    for words in (2, 1):
        kind = ":".join(parts[1 : 1 + words])
        if len(parts) > words and kind in _KINDS:
            return _KINDS[kind]._decode(data[len(VERSION) + len(kind) + 2 :])
    return None


_HINTS: dict[str, dict[str, Any]] = {}


def _hints(cls: type[Button]) -> dict[str, Any]:
    if cls.KIND not in _HINTS:
        _HINTS[cls.KIND] = typing.get_type_hints(cls)
    return _HINTS[cls.KIND]


def _encode(value: object, letter: str) -> str:
    if isinstance(value, Enum):
        return str(value.value)
    return f"{letter}{value}"


def _decode(argument: str, hint: Any, letter: str) -> Any:
    if isinstance(hint, UnionType):  # X | None
        hint = next(part for part in typing.get_args(hint) if part is not type(None))
    if isinstance(hint, type) and issubclass(hint, Enum):
        try:
            return hint(argument)
        except ValueError:
            return None
    if hint is int:
        digits = argument.removeprefix(letter) if argument.startswith(letter) else ""
        # One way to write a number: "M02" is not M2 (a forged payload is refused).
        canonical = not (len(digits) > 1 and digits.startswith("0"))
        ok = digits.isascii() and digits.isdigit() and len(digits) <= MAX_DIGITS and canonical
        return int(digits) if ok else None
    return argument or None


# ------------------------------------------------------------------ supporters


@dataclass(frozen=True)
class ReadLetter(Button, kind="letter"):
    language: str | None = None  # none: the reader's own


@dataclass(frozen=True)
class LetterLanguages(Button, kind="letters"):
    """The picker of the letter's languages."""


@dataclass(frozen=True)
class ChooseLanguage(Button, kind="lang"):
    language: str | None = None  # none: show the picker


@dataclass(frozen=True)
class StartSigning(Button, kind="sign"):
    pass


@dataclass(frozen=True)
class ChangeSignature(Button, kind="sign:change"):
    pass


@dataclass(frozen=True)
class SigningStep(Button, kind="sg"):
    choice: SignChoice


@dataclass(frozen=True)
class PickCountry(Button, kind="cty"):
    code: str  # ISO 3166, checked by the handler


@dataclass(frozen=True)
class Withdraw(Button, kind="wd"):
    answer: Answer | None = None  # none: ask


@dataclass(frozen=True)
class KeepSignature(Button, kind="keep"):
    """Keep one's signature under the amended letter: its language and version (checked)."""

    language: str
    version: str


@dataclass(frozen=True)
class WithdrawMessage(Button, kind="wm"):
    """Withdraw one of one's messages (offered when a moderator edited it)."""

    message_id: int = _reference("M")
    answer: Answer | None = None  # none: ask


@dataclass(frozen=True)
class Forget(Button, kind="fgt"):
    answer: Answer | None = None


@dataclass(frozen=True)
class Clear(Button, kind="clr"):
    answer: Answer | None = None


@dataclass(frozen=True)
class StartMessage(Button, kind="msg"):
    pass


@dataclass(frozen=True)
class MessageStep(Button, kind="ms"):
    choice: MessageChoice


# ------------------------------------------------------------------ moderators


@dataclass(frozen=True)
class ApproveMessage(Button, kind="mod:a"):
    message_id: int = _reference("M")


@dataclass(frozen=True)
class AskReason(Button, kind="mod:r"):
    message_id: int = _reference("M")


@dataclass(frozen=True)
class BackToCard(Button, kind="mod:k"):
    message_id: int = _reference("M")


@dataclass(frozen=True)
class RejectMessage(Button, kind="mod:x"):
    message_id: int = _reference("M")
    reason: RejectionReason = RejectionReason.OTHER


@dataclass(frozen=True)
class BanAuthor(Button, kind="mod:b"):
    message_id: int = _reference("M")
    reason: RejectionReason | None = None  # none: ask for the reason (the confirmation)


@dataclass(frozen=True)
class UnbanAuthor(Button, kind="mod:ub"):
    message_id: int = _reference("M")


@dataclass(frozen=True)
class UndoMessage(Button, kind="mod:um"):
    message_id: int = _reference("M")


@dataclass(frozen=True)
class ApproveDigest(Button, kind="mod:d"):
    digest_id: int = _reference("D")


@dataclass(frozen=True)
class UndoDigest(Button, kind="mod:ud"):
    """Undo a digest's Approve all."""

    digest_id: int = _reference("D")


@dataclass(frozen=True)
class BackToDigest(Button, kind="mod:kd"):
    digest_id: int = _reference("D")


@dataclass(frozen=True)
class RejectSignature(Button, kind="mod:s"):
    signature_id: int = _reference("S")
    reason: RejectionReason | None = None  # none: ask for the reason


@dataclass(frozen=True)
class UndoSignature(Button, kind="mod:us"):
    signature_id: int = _reference("S")
