"""Request parameters as the Bot API receives them: JSON, form fields or multipart parts."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from bot.sandbox.world import bad_request


@dataclass
class Upload:
    """A file part of a multipart request."""

    filename: str | None
    content_type: str | None
    data: bytes


class Params:
    """Typed access to request parameters sent as JSON, form fields or multipart parts."""

    def __init__(self, values: dict[str, Any]) -> None:
        self.values = values

    def __contains__(self, name: str) -> bool:
        return self.values.get(name) not in (None, "")

    def raw(self, name: str) -> Any:
        return self.values.get(name)

    def string(self, name: str, required: bool = False) -> str | None:
        value = self.values.get(name)
        if value is None or isinstance(value, Upload):
            if required:
                raise bad_request(f"{name} is required")
            return None
        return value if isinstance(value, str) else json.dumps(value)

    def integer(self, name: str, required: bool = False) -> int | None:
        value = self.values.get(name)
        if value in (None, ""):
            if required:
                raise bad_request(f"{name} is required")
            return None
        try:
            return int(value)
        except (TypeError, ValueError):
            raise bad_request(f"invalid {name} specified") from None

    def flag(self, name: str) -> bool:
        value = self.values.get(name)
        return value is True or (isinstance(value, str) and value.lower() == "true")

    def decoded(self, name: str) -> Any:
        value = self.values.get(name)
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError:
                raise bad_request(f"can't parse {name} JSON object") from None
        return value
