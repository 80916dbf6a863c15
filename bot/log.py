"""Logging: one line per event, secrets scrubbed from everything printed, tracebacks too."""

from __future__ import annotations

import logging
import sys
import threading
import traceback
from types import TracebackType

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
REDACTED = "[REDACTED]"


def redact(text: str, secrets: list[str]) -> str:
    for secret in secrets:
        text = text.replace(secret, REDACTED)
    return text


class RedactSecrets(logging.Filter):
    """Replace secrets in a record's message (third-party libraries log URLs with the token)."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self._secrets = [secret for secret in secrets if secret]

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        scrubbed = redact(message, self._secrets)
        if scrubbed != message:
            record.msg, record.args = scrubbed, None
        return True


class RedactingFormatter(logging.Formatter):
    """The whole formatted record scrubbed: the message, and the traceback under it (an
    InvalidToken's message and an HTTP error's URL carry the token)."""

    def __init__(self, fmt: str, secrets: list[str]) -> None:
        super().__init__(fmt)
        self._secrets = [secret for secret in secrets if secret]

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record), self._secrets)


def configure_logging(level: str, secrets: list[str]) -> None:
    # The longest first: a token is scrubbed whole, not around a shorter secret inside it.
    secrets = sorted({secret for secret in secrets if secret}, key=len, reverse=True)
    handler = logging.StreamHandler()
    handler.setFormatter(RedactingFormatter(FORMAT, secrets))
    handler.addFilter(RedactSecrets(secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.captureWarnings(True)
    # httpx logs every request URL, which holds the token; PTB's own chatter is not needed.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
    # The scheduler (PTB's JobQueue) logs every run of every job at INFO: in the sandbox, where
    # cards are made every 2 seconds, that buried everything else (the banner with the address).
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    redact_uncaught(secrets)


def redact_uncaught(secrets: list[str]) -> None:
    """Tracebacks that reach no logger (an exception out of main, or out of a thread) are
    printed scrubbed too."""

    def print_scrubbed(
        kind: type[BaseException], error: BaseException, tb: TracebackType | None
    ) -> None:
        text = "".join(traceback.format_exception(kind, error, tb))
        sys.stderr.write(redact(text, secrets))
        sys.stderr.flush()

    def thread_hook(arguments: threading.ExceptHookArgs) -> None:
        if arguments.exc_value is not None:
            print_scrubbed(arguments.exc_type, arguments.exc_value, arguments.exc_traceback)

    sys.excepthook = print_scrubbed
    threading.excepthook = thread_hook
