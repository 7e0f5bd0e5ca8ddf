"""Errors meant for people: the message says what is wrong, where, and what to do."""

from __future__ import annotations

from digistrat.messages import Message


class DigistratError(Exception):
    """Base of every error digistrat shows to a user instead of a traceback.

    Raised with a `Message` (a code the front end renders in the user's language); `str()` is
    its English text, for logs and the CLI.
    """

    def __init__(self, what: Message | str) -> None:
        self.message = what if isinstance(what, Message) else None
        super().__init__(str(what))

    def text(self, lang: str = "en") -> str:
        return self.message.text(lang) if self.message else str(self)


class InputError(DigistratError):
    """A file or value the user supplied cannot be used as it is."""
