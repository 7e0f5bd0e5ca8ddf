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


class WorkspaceError(DigistratError):
    """The workspace could not keep a change; what the session holds stays usable."""


class WorkspaceFolderError(WorkspaceError):
    """The workspace folder cannot be created."""


class DiskFullError(WorkspaceError):
    """The disk (or the account's disk quota) under the workspace folder is full."""


class ReadOnlyWorkspaceError(WorkspaceError):
    """The workspace folder is on a read-only disk."""


class WorkspacePermissionError(WorkspaceError):
    """The server may not write in the workspace folder."""


class QuotaExceededError(WorkspaceError):
    """Saving would take the workspace past its own quota (DIGISTRAT_WORKSPACE_QUOTA_MB)."""


class WorkspaceBusyError(WorkspaceError):
    """Another server kept the workspace locked for longer than a save may wait."""
