"""Webhook signatures: HMAC-SHA256 over the raw body with the integration's secret, timestamped.

Headers of a delivery (the scheme Stripe uses, under our own names):

    Reliability-Integration: <integration name>
    Reliability-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>." + raw body)>

Several `v1=` entries may be sent (e.g. while a secret is being changed); one matching is
enough. A timestamp further than the replay window from the server's clock is refused, and
so is a signature already accepted within the window (a replay).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from dataclasses import dataclass
from typing import Any

INTEGRATION_HEADER = "Reliability-Integration"
SIGNATURE_HEADER = "Reliability-Signature"
SCHEME = "v1"


class SignatureError(Exception):
    """The delivery's signature is missing, malformed, stale or wrong; the message says which."""


@dataclass(frozen=True)
class SignatureHeader:
    timestamp: int
    signatures: tuple[str, ...]


def compute(secret: str, timestamp: int, body: bytes) -> str:
    """hex HMAC-SHA256(secret, "<timestamp>." + body)."""
    message = str(timestamp).encode("ascii") + b"." + body
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def sign(secret: str, body: bytes, timestamp: int | None = None) -> str:
    """The value of a Reliability-Signature header for this body (what an integration sends)."""
    stamp = int(time.time()) if timestamp is None else timestamp
    return f"t={stamp},{SCHEME}={compute(secret, stamp, body)}"


def parse(header: str) -> SignatureHeader:
    timestamp: int | None = None
    signatures: list[str] = []
    for part in header.split(","):
        key, sep, value = part.strip().partition("=")
        if not sep:
            continue
        if key == "t":
            if not value.isascii() or not value.isdigit() or len(value) > 12:
                raise SignatureError(f"{SIGNATURE_HEADER}: t must be unix seconds, not {value[:20]!r}")
            timestamp = int(value)
        elif key == SCHEME:
            signatures.append(value.lower())
    if timestamp is None or not signatures:
        raise SignatureError(f"{SIGNATURE_HEADER}: expected 't=<unix seconds>,{SCHEME}=<hex HMAC-SHA256>'")
    return SignatureHeader(timestamp, tuple(signatures))


def verify(header: str, secret: str, body: bytes, window: int, now: float | None = None) -> SignatureHeader:
    """Check the header against the body; returns it with `signatures` reduced to the one that matched."""
    parsed = parse(header)
    clock = time.time() if now is None else now
    if abs(clock - parsed.timestamp) > window:
        raise SignatureError(
            f"{SIGNATURE_HEADER}: timestamp {parsed.timestamp} is {abs(clock - parsed.timestamp):.0f} s from the "
            f"server's clock, outside the {window} s window; sign each delivery when it is sent"
        )
    expected = compute(secret, parsed.timestamp, body)
    for candidate in parsed.signatures:
        if hmac.compare_digest(candidate.encode("ascii", "replace"), expected.encode("ascii")):
            return SignatureHeader(parsed.timestamp, (expected,))
    raise SignatureError(
        f"{SIGNATURE_HEADER}: no {SCHEME} signature matches HMAC-SHA256 of '<t>.' + the raw body "
        "with this integration's secret"
    )


def content_hash(payload: dict[str, Any]) -> str:
    """sha256 of the payload's canonical JSON (sorted keys): what makes a delivery a new job."""
    canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
