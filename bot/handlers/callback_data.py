"""Button payloads: built and parsed here only, versioned, and never trusted.

A payload is `v1:<kind>[:<argument>]`, at most 64 bytes. Anything that does not parse, or
names something that does not exist, is treated as a stale or forged button.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

VERSION = "v1"
MAX_BYTES = 64

READ_LETTER = "letter"  # argument: a language, or none for the person's own
LETTER_LANGUAGES = "letters"  # the picker of letter languages
LANGUAGE_PICKER = "lang"  # argument: a language to choose, or none for the picker
SIGN = "sign"  # argument: none to begin, "change" to change one's signature
SIGNING_STEP = "sg"  # argument: name, initial, anonymous, skip, confirm, change, cancel
COUNTRY = "cty"  # argument: an ISO 3166 country code
WITHDRAW = "wd"  # argument: none to ask, "yes" or "no"
FORGET = "fgt"  # argument: none to ask, "yes" or "no"
CLEAR = "clr"  # argument: none to ask, "yes" or "no"
MESSAGE = "msg"  # begin a solidarity message
MESSAGE_STEP = "ms"  # argument: a step of the message conversation
MODERATE = "mod"  # argument: "<action>:<reference>[:<reason>]", e.g. "a:M12", "d:D3", "s:S40"


@dataclass(frozen=True)
class Payload:
    kind: str
    argument: str | None = None


def build(kind: str, argument: str | None = None) -> str:
    data = f"{VERSION}:{kind}" + (f":{argument}" if argument is not None else "")
    if len(data.encode("utf-8")) > MAX_BYTES:
        raise ValueError("callback data longer than Telegram allows")
    return data


def parse(data: object) -> Payload | None:
    if not isinstance(data, str):
        return None
    version, _, rest = data.partition(":")
    if version != VERSION or not rest:
        return None
    kind, _, argument = rest.partition(":")
    return Payload(kind, argument or None)


def of_step(kind: str, *arguments: str) -> Callable[[object], bool]:
    """A pattern matching payloads of one kind whose argument is one of `arguments`."""

    def matches(data: object) -> bool:
        payload = parse(data)
        return payload is not None and payload.kind == kind and payload.argument in arguments

    return matches


def of_kind(kind: str) -> Callable[[object], bool]:
    """A CallbackQueryHandler pattern matching payloads of one kind."""

    def matches(data: object) -> bool:
        payload = parse(data)
        return payload is not None and payload.kind == kind

    return matches
