"""Errors meant for people: the message says what is wrong, where, and what to do."""


class DigistratError(Exception):
    """Base of every error digistrat shows to a user instead of a traceback."""


class InputError(DigistratError):
    """A file or value the user supplied cannot be used as it is."""
