"""Errors users see, each with the CLI exit code that reports it.

EXIT_CODES is the one list of exit codes and their meanings: `reliability --help` prints it
whole, each subcommand's help the codes that command can return (service/cli.py), and the
README's table lists the same codes (a test checks both).
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_PARTIAL = 1
EXIT_USAGE = 2
EXIT_NO_ARTICLES = 3
EXIT_BAD_INPUT = 4
EXIT_MODEL = 5
EXIT_STORE = 6
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as a shell reports a command stopped by Ctrl-C
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, as a shell reports `yes | head`: the reader left early

EXIT_CODES: dict[int, str] = {
    EXIT_OK: "success",
    EXIT_PARTIAL: "some inputs could not be read (batch; see the errors file)",
    EXIT_USAGE: "usage error",
    EXIT_NO_ARTICLES: "no article to score",
    EXIT_BAD_INPUT: "invalid input (empty, binary, too large, invalid UTF-8 or JSON)",
    EXIT_MODEL: "model artifact missing or not matching its model card",
    EXIT_STORE: "store (DATABASE_URL, --db) unreachable",
    EXIT_INTERRUPTED: "interrupted (Ctrl-C)",
    EXIT_BROKEN_PIPE: "output closed early (piped into `head`, ...); nothing more is printed",
}


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


class TimeBudgetExceeded(ReliabilityError):
    """Scoring ran past the deadline its caller gave (`service.engine.budget`): it stopped at the
    next check and returned nothing. The CLI gives no deadline; a server answers 503 and moves on."""

    def __init__(self, budget_seconds: float | None, stage: str = "") -> None:
        budget = f"its time budget of {budget_seconds:.1f} s" if budget_seconds is not None else "its deadline"
        where = f" (during {stage})" if stage else ""
        super().__init__(f"scoring was abandoned when {budget} ran out{where}; no result was produced")
        self.budget_seconds = budget_seconds
        self.stage = stage


class ScoringCancelled(ReliabilityError):
    """The caller's `cancelled()` hook said stop (its client went away): scoring returned nothing."""

    def __init__(self, stage: str = "") -> None:
        where = f" (during {stage})" if stage else ""
        super().__init__(f"scoring was abandoned: its caller cancelled it{where}; no result was produced")
        self.stage = stage
