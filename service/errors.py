"""Errors users see, each with the CLI exit code that reports it.

Exit codes (documented in the README and in `reliability --help`):
0 success; 1 some inputs failed (batch); 2 usage error; 3 no article to score;
4 invalid input (empty, binary, too large, invalid UTF-8 or JSON); 5 model artifact error;
6 store (database) unreachable.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_PARTIAL = 1
EXIT_USAGE = 2
EXIT_NO_ARTICLES = 3
EXIT_BAD_INPUT = 4
EXIT_MODEL = 5
EXIT_STORE = 6


class ReliabilityError(Exception):
    exit_code = EXIT_BAD_INPUT


class InputError(ReliabilityError):
    """An input that cannot be read as an article; the message names it and says why."""

    exit_code = EXIT_BAD_INPUT


class NoArticlesError(ReliabilityError):
    exit_code = EXIT_NO_ARTICLES


class ModelArtifactError(ReliabilityError):
    exit_code = EXIT_MODEL


class UsageError(ReliabilityError):
    """A wrong option or setting; the message says which."""

    exit_code = EXIT_USAGE


class StoreUnavailableError(ReliabilityError):
    """The database cannot be reached; nothing was written."""

    exit_code = EXIT_STORE


class TooLargeError(InputError):
    """An article whose text, after extraction, exceeds the configured cap."""
