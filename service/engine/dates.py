"""`published_at`: what an input may send, and the instant it stands for.

Accepted on every input (API bodies, the CMS webhook, JSON/JSONL files and NAME.meta.json
sidecars): an RFC 3339 date-time with its offset (`2024-05-01T10:00:00+02:00`,
`2024-05-01T08:00:00.5Z`; `t` and `z` may be lower case, as RFC 3339 allows, and are stored upper
case), or an RFC 3339 full-date (`2024-05-01`), which stands for 00:00 UTC that day. Anything else
is refused: a date-time without an offset names no instant (10:00 where?), and words such as
"yesterday" or "0" name no day. The value is otherwise stored as sent: the day it names locally is
the publication day (`story.day_number`), and comparisons use `published_instant`, never the string.

Rows stored before this check may hold anything: `published_instant` reads them leniently
(a naive date-time as UTC, an unreadable value as undated) and never raises.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

# RFC 3339 full-date, optionally followed by the time and its offset, as one regex that holds exactly
# the real dates (month lengths, 29 February of leap years only, no year 0000: what `fromisoformat`
# reads) and times (hours 00-23, no leap second 60, which no datetime holds; the offset's minutes
# 00-59, where `fromisoformat` would read +05:60 as +06:00). The API documents it as the OpenAPI
# `pattern` of published_at (api/schemas.py), so it keeps to portable syntax: no \d, `$` last.
_YEAR = r"([0-9]{3}[1-9]|[0-9]{2}[1-9]0|[0-9][1-9]00|[1-9]000)"
_MONTH_DAY = r"((0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])|(0[13-9]|1[0-2])-(29|30)|(0[13578]|1[02])-31)"
_LEAP_DAY = r"([0-9]{2}(0[48]|[2468][048]|[13579][26])|(0[48]|[2468][048]|[13579][26])00)-02-29"
_TIME = r"[Tt]([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]([.][0-9]+)?([Zz]|[+-]([01][0-9]|2[0-3]):[0-5][0-9])"
PATTERN = rf"^({_YEAR}-{_MONTH_DAY}|{_LEAP_DAY})({_TIME})?$"
_FORM = re.compile(PATTERN[:-1] + r"\Z")
EXPECTED = (
    "a real date and time in RFC 3339 form with its offset, such as 2024-05-01T10:00:00+02:00 or "
    "2024-05-01T08:00:00Z, or a date such as 2024-05-01"
)
_ANY = datetime.min.replace(tzinfo=UTC)  # the instant half of every undated key: they tie with each other


def checked_published_at(value: str) -> str:
    """`value` as stored (T and Z upper case), or ValueError saying why it is refused."""
    if not _FORM.match(value):
        raise ValueError(f"{value[:64]!r} is not {EXPECTED}")
    return value.upper()


def published_instant(value: str | None) -> datetime | None:
    """The instant a stored `published_at` stands for (timezone-aware), or None when absent or unreadable.

    A full-date is 00:00 UTC that day; a naive date-time (only rows stored before validation hold one)
    is read as UTC."""
    if not value or not value.strip():
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().upper())
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def chronological_key(value: str | None) -> tuple[bool, datetime]:
    """Sort key of a stored `published_at`: earlier instants first, then every undated (or unreadable) one.

    A flag rather than a far-future sentinel: no date, however late or offset, sorts after "undated"."""
    instant = published_instant(value)
    return (False, instant) if instant is not None else (True, _ANY)
