"""Request and response schemas (marshmallow): they validate input and generate the OpenAPI document."""

from __future__ import annotations

import re
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from service.engine import dates

# What str.strip() removes; spelled out because `\s` means different sets in Python, ECMA-262 and Rust regexes.
WHITE_SPACE = "".join(chr(c) for c in range(0x3001) if chr(c).isspace())  # U+3000 is the last one


class Pattern(validate.Regexp):
    r"""A regex that validates as the OpenAPI `pattern` it documents (JSON Schema: searched, `$` only at the end).

    `re.match` anchors at the start and Python's `$` also matches before a final newline, so a plain
    Regexp accepts or refuses strings the document says otherwise about. Write portable patterns:
    explicit character classes, no `\s`/`\d`/`\w`, `$` only as the last character.
    """

    def __init__(self, regex: str, error: str | None = None) -> None:
        if "$" in regex[:-1]:
            raise ValueError(f"'$' only at the end of a Pattern: {regex!r}")
        super().__init__(regex, error=error)
        self._search = re.compile(regex[:-1] + r"\Z" if regex.endswith("$") else regex)

    def __call__(self, value: Any) -> Any:
        if self._search.search(value) is None:
            raise ValidationError(self._format_error(value))
        return value


class StrictInteger(fields.Integer):
    """A JSON integer only: not a string of digits, a float or a boolean (JSON Schema's `integer`)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.make_error("invalid", input=value)
        return super()._deserialize(value, attr, data, **kwargs)


class StrictBoolean(fields.Boolean):
    """JSON true or false only (marshmallow's Boolean also takes 1, "yes", "on", ...)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> bool:
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value


LANGUAGE = Pattern(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$", error="an ISO 639 language code such as 'fr' or 'en'")
# No string the API stores may hold a NUL: PostgreSQL refuses it in text (the JSON check of
# api/__init__.py refuses it first, naming the field); the patterns say so in the document.
NO_NUL = Pattern(r"^[^\x00]*$", error="contains a NUL character (\\u0000), which no stored text can hold")
# Some text, and no NUL. Linear to match: the leading white space and the first other character
# are disjoint classes, so a failed match backtracks one step at a time.
NOT_BLANK = Pattern(
    f"^[{WHITE_SPACE}]*[^{WHITE_SPACE}\\x00][^\\x00]*$", error="must contain text, not only white space, and no NUL"
)
# http(s), a host name or IPv4 address (no [IPv6] literal), an optional port, then printable ASCII
# (percent-encode the rest).
URL = Pattern(
    r"^https?://[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*"
    r"(:[0-9]{1,5})?([/?#][!-~]*)?$",
    error="an absolute http or https URL with a host name",
)

PUBLISHED_AT = Pattern(dates.PATTERN, error=dates.EXPECTED)


class PublishedAt(fields.String):
    """`published_at`: an RFC 3339 date-time with its offset, or a date (service/engine/dates.py says
    which instant each stands for); kept as sent but for `t` and `z`, which are stored upper case."""

    def __init__(self) -> None:
        super().__init__(
            validate=[PUBLISHED_AT, validate.Length(max=64)],
            metadata={
                "description": "RFC 3339 date-time with its offset (Z or +hh:mm), or a date (00:00 UTC that day)"
            },
        )

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            return dates.checked_published_at(text)
        except ValueError as exc:  # the same words as a file's refusal: what was sent, and what passes
            raise ValidationError(str(exc)) from None


class StrictSchema(Schema):
    class Meta:
        unknown = RAISE


class ArticleSchema(StrictSchema):
    text = fields.String(validate=NOT_BLANK, metadata={"description": "plain text; the first line is the title"})
    html = fields.String(validate=NOT_BLANK, metadata={"description": "a whole HTML page; parsed, never rendered"})
    title = fields.String(validate=[NO_NUL, validate.Length(max=1000)])
    url = fields.String(
        validate=[URL, validate.Length(max=2048)],
        metadata={"description": "the article's address; fetched only when the service allows URL fetching"},
    )
    source = fields.String(
        validate=[NO_NUL, validate.Length(min=1, max=255)], metadata={"description": "outlet domain"}
    )
    published_at = PublishedAt()
    language = fields.String(validate=LANGUAGE)
    id = fields.String(
        validate=[NO_NUL, validate.Length(max=256)], metadata={"description": "the client's own id, echoed"}
    )

    @validates_schema
    def _needs_body(self, data: dict[str, Any], **kwargs: Any) -> None:
        if not data.get("text") and not data.get("html") and not data.get("url"):
            raise ValidationError("needs 'text', 'html' or (when URL fetching is on) 'url'", "_schema")


class ScoreRequestSchema(ArticleSchema):
    store = StrictBoolean(
        load_default=False, metadata={"description": "also add the article to the store (default false)"}
    )


class BatchRequestSchema(StrictSchema):
    articles = fields.List(fields.Nested(ArticleSchema), required=True, validate=validate.Length(min=1))
    store = StrictBoolean(load_default=False)


class FeedbackRequestSchema(StrictSchema):
    article_id = fields.String(required=True, validate=Pattern(r"^[0-9a-f]{16}$"))
    target = fields.String(required=True, validate=validate.OneOf(["score", "flag"]))
    flag_type = fields.String(validate=[NO_NUL, validate.Length(max=32)])
    start = StrictInteger(validate=validate.Range(min=0, max=10_000_000))
    end = StrictInteger(validate=validate.Range(min=0, max=10_000_000), metadata={"description": "not before 'start'"})
    verdict = fields.String(
        required=True,
        validate=validate.OneOf(["correct", "incorrect", "too_high", "too_low"]),
        metadata={"description": "flags: correct|incorrect; scores: correct|too_high|too_low"},
    )
    comment = fields.String(validate=[NO_NUL, validate.Length(max=4000)])

    @validates_schema
    def _flag_needs_span(self, data: dict[str, Any], **kwargs: Any) -> None:
        if data.get("target") == "flag" and (data.get("start") is None or data.get("end") is None):
            raise ValidationError("a verdict on a flag names its 'start' and 'end'", "_schema")
        if data.get("start") is not None and data.get("end") is not None and data["end"] < data["start"]:
            raise ValidationError("'end' comes before 'start'", "end")


# What a CMS document id may hold: URL path characters, so it reads back as /v1/webhooks/cms/{id} verbatim.
CMS_ID = Pattern(
    r"^[A-Za-z0-9._~:@!&'()*+,;=-]{1,256}$",
    error="1-256 letters, digits or - . _ ~ : @ ! & ' ( ) * + , ; = (no '/', no spaces)",
)
INTEGRATION_NAME = Pattern(r"^[A-Za-z0-9._-]{1,128}$", error="an integration name: letters, digits, '.', '_', '-'")
CMS_STATUSES = ("draft", "pending", "scheduled", "private", "published", "publish")
PUBLISHED = ("published", "publish")  # these store the article; the others are scored without storing it


class WebhookPayloadSchema(StrictSchema):
    id = fields.String(required=True, validate=CMS_ID, metadata={"description": "the CMS's own document id"})
    title = fields.String(validate=[NO_NUL, validate.Length(max=1000)])
    text = fields.String(validate=NOT_BLANK, metadata={"description": "plain text; send exactly one of text and html"})
    html = fields.String(validate=NOT_BLANK, metadata={"description": "the body as HTML; parsed, never rendered"})
    url = fields.String(validate=[URL, validate.Length(max=2048)], metadata={"description": "never fetched"})
    status = fields.String(
        required=True,
        validate=validate.OneOf(CMS_STATUSES),
        metadata={"description": "published (or publish) scores and stores the article; the others only score it"},
    )
    source = fields.String(
        validate=[NO_NUL, validate.Length(min=1, max=255)],
        metadata={"description": "the outlet's domain (default: the URL's)"},
    )
    published_at = PublishedAt()
    language = fields.String(validate=LANGUAGE)

    @validates_schema
    def _one_body(self, data: dict[str, Any], **kwargs: Any) -> None:
        if ("text" in data) == ("html" in data):
            raise ValidationError("send exactly one of 'text' and 'html'", "_schema")


class WebhookQuerySchema(StrictSchema):
    integration = fields.String(
        validate=INTEGRATION_NAME, metadata={"description": "only this integration's deliveries (ids may collide)"}
    )


# -- responses ------------------------------------------------------------------------


class FlagSchema(Schema):
    type = fields.String(required=True)
    start = fields.Integer(required=True)
    end = fields.Integer(required=True)
    text = fields.String(required=True)
    reason = fields.String(required=True)
    suggestion = fields.String(allow_none=True)
    sentence = fields.Integer(allow_none=True)


class SupporterSchema(Schema):
    article_id = fields.String(required=True)
    source = fields.String(required=True)


class ClaimSchema(Schema):
    text = fields.String(required=True)
    start = fields.Integer(required=True)
    end = fields.Integer(required=True)
    kind = fields.String()
    cluster_id = fields.String(required=True)
    cluster_ids = fields.List(
        fields.String(),
        metadata={
            "description": "every claim cluster the sentence belongs to, cluster_id first (it may state two claims)"
        },
    )
    status = fields.String(
        required=True, validate=validate.OneOf(["supported", "unsupported", "contradicted", "insufficient_coverage"])
    )
    supported_by = fields.List(fields.Nested(SupporterSchema), required=True)
    check_worthy = fields.Boolean()
    hedged = fields.Boolean()


class ComponentSchema(Schema):
    value = fields.Float(required=True)
    contribution = fields.Float(required=True)
    evidence = fields.List(fields.Raw())


class SourceRatingSchema(Schema):
    domain = fields.String(allow_none=True, required=True)
    rating = fields.Float(allow_none=True, required=True, metadata={"description": "0-100"})
    interval = fields.List(fields.Float(), allow_none=True, required=True, metadata={"description": "90% interval"})
    n_articles = fields.Integer(required=True)


class ScoreSchema(Schema):
    article_id = fields.String(required=True, metadata={"description": "sha256 of the normalized text, 16 hex"})
    id = fields.String(allow_none=True)
    input = fields.String(allow_none=True)
    title = fields.String(allow_none=True)
    url = fields.String(allow_none=True)
    language = fields.String(allow_none=True)
    score = fields.Float(required=True, metadata={"description": "0-100"})
    label = fields.String(required=True, validate=validate.OneOf(["reliable", "mixed", "unreliable"]))
    confidence = fields.Float(required=True)
    model_version = fields.String(required=True)
    reasons = fields.List(fields.String(), required=True)
    components = fields.Dict(keys=fields.String(), values=fields.Nested(ComponentSchema), required=True)
    flags = fields.List(fields.Nested(FlagSchema), required=True)
    claims = fields.List(fields.Nested(ClaimSchema), required=True)
    coverage = fields.String(allow_none=True)
    independent_sources = fields.Integer(required=True)
    derivative_of = fields.Dict(allow_none=True)
    story_id = fields.String(required=True)
    source = fields.Nested(SourceRatingSchema, required=True)
    notes = fields.List(fields.String())
    text = fields.String(required=True, metadata={"description": "normalized text; flag offsets index into it"})
    stored = fields.Boolean(metadata={"description": "whether the article is in the store"})
    created = fields.Boolean(metadata={"description": "false when the same text was stored before"})
    scored_at = fields.String(allow_none=True)


class BatchResponseSchema(Schema):
    results = fields.List(fields.Nested(ScoreSchema), required=True)


class ArticleSchemaOut(Schema):
    article_id = fields.String(required=True)
    id = fields.String(allow_none=True)
    title = fields.String(allow_none=True)
    url = fields.String(allow_none=True)
    source = fields.String(allow_none=True)
    published_at = fields.String(allow_none=True)
    language = fields.String(allow_none=True)
    story_id = fields.String(allow_none=True)
    score = fields.Float(allow_none=True)
    label = fields.String(allow_none=True)
    text = fields.String(required=True)
    created_at = fields.String(required=True)
    scored_at = fields.String(allow_none=True)


class IngestResponseSchema(Schema):
    article_id = fields.String(required=True)
    created = fields.Boolean(required=True)
    story_id = fields.String(required=True)
    score = fields.Float(required=True)
    label = fields.String(required=True)
    location = fields.String(required=True)


class StoryClaimSchema(Schema):
    article_id = fields.String(required=True)
    source = fields.String(required=True)
    text = fields.String(required=True)
    status = fields.String(required=True)


class StoryClusterSchema(Schema):
    cluster_id = fields.String(required=True)
    text = fields.String(required=True)
    sources = fields.List(fields.String(), required=True)
    n_articles = fields.Integer(required=True)
    n_claims = fields.Integer(required=True, metadata={"description": "sentences in this claim cluster"})
    claims = fields.List(fields.Nested(StoryClaimSchema), required=True)


class StoryArticleSchema(Schema):
    article_id = fields.String(required=True)
    title = fields.String(allow_none=True)
    source = fields.String(allow_none=True)
    url = fields.String(allow_none=True)
    published_at = fields.String(allow_none=True)
    score = fields.Float(allow_none=True)
    label = fields.String(allow_none=True)


class StorySchema(Schema):
    story_id = fields.String(required=True)
    articles = fields.List(fields.Nested(StoryArticleSchema), required=True)
    claims = fields.List(fields.Nested(StoryClusterSchema), required=True)
    largest_cluster = fields.Integer(
        required=True, metadata={"description": "sentences in the story's largest claim cluster (0 if none)"}
    )


class SourceHistorySchema(Schema):
    period = fields.String(required=True, metadata={"description": "YYYY-MM; the rating over articles up to it"})
    rating = fields.Float(required=True)
    interval = fields.List(fields.Float(), required=True)
    n_articles = fields.Integer(required=True)


class SourceSchema(SourceRatingSchema):
    history = fields.List(fields.Nested(SourceHistorySchema), required=True)


class FeedbackResponseSchema(Schema):
    id = fields.Integer(required=True)
    article_id = fields.String(required=True)


class ProblemSchema(Schema):
    type = fields.String(required=True)
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String(required=True)
    instance = fields.String()
    errors = fields.Raw(metadata={"description": "field -> messages, for 422"})


class StatusSchema(Schema):
    status = fields.String(required=True)
    checks = fields.Dict(keys=fields.String(), values=fields.String())


class WebhookAcceptedSchema(Schema):
    delivery_id = fields.String(required=True)
    id = fields.String(required=True, metadata={"description": "the CMS document id"})
    integration = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf(["queued", "scored", "failed"]))
    duplicate = fields.Boolean(
        required=True, metadata={"description": "the same payload came before: its delivery, no new job"}
    )
    location = fields.String(required=True, metadata={"description": "where to read the result"})


class WebhookDeliverySchema(Schema):
    delivery_id = fields.String(required=True)
    id = fields.String(required=True, metadata={"description": "the CMS document id"})
    integration = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf(["queued", "scored", "failed"]))
    cms_status = fields.String(required=True, metadata={"description": "the status the CMS sent"})
    store = fields.Boolean(required=True, metadata={"description": "whether the article is added to the store"})
    content_hash = fields.String(required=True, metadata={"description": "sha256 of the payload's canonical JSON"})
    attempts = fields.Integer(required=True)
    received_at = fields.String(required=True)
    last_received_at = fields.String(required=True, metadata={"description": "the last time this payload came"})
    finished_at = fields.String(allow_none=True, required=True)
    article_id = fields.String(allow_none=True, required=True)
    model_version = fields.String(allow_none=True, required=True)
    error = fields.String(allow_none=True, required=True, metadata={"description": "why it failed"})
    result = fields.Nested(
        ScoreSchema, allow_none=True, required=True, metadata={"description": "the score, as POST /v1/score gives it"}
    )
